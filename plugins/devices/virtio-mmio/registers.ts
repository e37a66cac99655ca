/** virtio-mmio version 2 register offsets (virtio 1.1, 4.2.2). */
export const VIRTIO_MMIO = {
  MAGIC: 0x000,
  VERSION: 0x004,
  DEVICE_ID: 0x008,
  VENDOR_ID: 0x00c,
  DEVICE_FEATURES: 0x010,
  DEVICE_FEATURES_SEL: 0x014,
  DRIVER_FEATURES: 0x020,
  DRIVER_FEATURES_SEL: 0x024,
  QUEUE_SEL: 0x030,
  QUEUE_NUM_MAX: 0x034,
  QUEUE_NUM: 0x038,
  QUEUE_READY: 0x044,
  QUEUE_NOTIFY: 0x050,
  INTERRUPT_STATUS: 0x060,
  INTERRUPT_ACK: 0x064,
  STATUS: 0x070,
  QUEUE_DESC_LOW: 0x080,
  QUEUE_DESC_HIGH: 0x084,
  QUEUE_DRIVER_LOW: 0x090,
  QUEUE_DRIVER_HIGH: 0x094,
  QUEUE_DEVICE_LOW: 0x0a0,
  QUEUE_DEVICE_HIGH: 0x0a4,
  CONFIG_GENERATION: 0x0fc,
  CONFIG: 0x100,
} as const;

/** "virt" in little-endian ASCII. */
export const MAGIC_VALUE = 0x74726976;
/** QEMU's vendor id ("QEMU"), which guests print. */
export const VENDOR_QEMU = 0x554d4551;
/** Device status bits (virtio 1.1, 2.1). */
export const STATUS = { ACKNOWLEDGE: 1, DRIVER: 2, DRIVER_OK: 4, FEATURES_OK: 8, NEEDS_RESET: 64, FAILED: 128 } as const;
/** VIRTIO_F_VERSION_1 is feature bit 32: bit 0 of the high word. */
export const F_VERSION_1_HIGH = 1;
/** Interrupt status bits. */
export const INT = { USED_BUFFER: 1, CONFIG_CHANGE: 2 } as const;
/** Largest queue the transport offers. */
export const QUEUE_MAX = 256;

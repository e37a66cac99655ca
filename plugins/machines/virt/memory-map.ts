/** QEMU's RISC-V `virt` board memory map (hw/riscv/virt.c) for the parts vmledger emulates. */
export const VIRT = {
  MROM: { base: 0x1000, size: 0xf000 },
  TEST: { base: 0x100000, size: 0x1000 },
  RTC: { base: 0x101000, size: 0x1000 },
  CLINT: { base: 0x2000000, size: 0x10000 },
  PLATFORM_BUS: { base: 0x4000000, size: 0x2000000 },
  PLIC: { base: 0xc000000, size: 0x600000 },
  UART0: { base: 0x10000000, size: 0x100 },
  VIRTIO: { base: 0x10001000, size: 0x1000 },
  DRAM: { base: 0x80000000 },
} as const;

/** Interrupt numbers (PLIC sources) as QEMU's virt board wires them. */
export const VIRT_IRQ = { VIRTIO: 1, UART0: 10, RTC: 11, PLATFORM_BUS: 64 } as const;

/** Number of virtio-mmio transports (slots 0x10001000..0x10008000, IRQs 1..8). */
export const VIRTIO_COUNT = 8;
/** Interrupt lines reserved for devices the user places on the platform bus. */
export const PLATFORM_BUS_IRQS = 32;

/** Where OpenSBI `fw_jump` expects the next stage on RV64: 2 MiB above the firmware (QEMU aligns the firmware end up to 2 MiB). */
export const KERNEL_ALIGN = 2 * 1024 * 1024;
/** QEMU keeps the DTB below 3 GiB so 32-bit code can reach it. */
export const FDT_LIMIT = 3 * 1024 * 1024 * 1024;
/** The DTB is aligned down to 2 MiB (riscv_compute_fdt_addr). */
export const FDT_ALIGN = 2 * 1024 * 1024;
/** Bytes of entropy in /chosen/rng-seed (QEMU's virt board passes 32). */
export const RNG_SEED_BYTES = 32;

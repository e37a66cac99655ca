import { defineDevice, type DeviceModel } from '../../hw/device.js';
import { node, prop } from '../../hw/fdt.js';
import type { VirtioBackend } from './backend.js';
import { F_VERSION_1_HIGH, INT, MAGIC_VALUE, QUEUE_MAX, STATUS, VENDOR_QEMU, VIRTIO_MMIO as R } from './registers.js';
import { QUEUE_STATE, Virtqueue, VirtqueueError } from './virtqueue.js';
import { createRecord, vm } from '../../hw/vmstate.js';

/** Most queues a device back-end may have (blk and rng have one). */
const QUEUE_MAX_COUNT = 16;

export type { VirtioBackend, VirtioTransportLink } from './backend.js';
export { Virtqueue, type Chain } from './virtqueue.js';

/** The transport's face for the board: plug and unplug a device back-end. */
export interface VirtioMmioModel extends DeviceModel {
  readonly plugged: VirtioBackend | undefined;
  plug(backend: VirtioBackend): void;
  unplug(): void;
  /** Raise the used-buffer interrupt (asynchronous completions). */
  interrupt(): void;
}

/**
 * A virtio-mmio transport, version 2. With nothing plugged it still answers
 * (magic, version, device ID 0), which guests treat as an empty slot, so the
 * board can describe all of its slots, as QEMU does, and devices can be
 * plugged and unplugged while the guest runs.
 */
export const virtioMmio = defineDevice({
  name: 'virtio-mmio',
  doc: 'virtio-mmio transport (version 2); virtio devices plug into a free one',
  mmio: [{ name: 'regs', size: 0x1000 }],
  irqs: ['irq'],
  state: {
    version: 1,
    fields: {
      status: vm.u32(), isr: vm.u32(), devSel: vm.u32(), drvSel: vm.u32(), qsel: vm.u32(), generation: vm.u32(),
      driverFeatures: vm.array('u32', 2),
      /** One per queue of the plugged device (which the configuration decides). */
      queues: vm.list(QUEUE_STATE, QUEUE_MAX_COUNT),
    },
  },
  instantiate(io, s) {
    const irq = io.irq();
    // Which back-end is plugged follows from the configuration (device_add), not from saved state.
    let backend: VirtioBackend | undefined;
    let queues: Virtqueue[] = [];
    const driverFeatures = s.driverFeatures;

    const update = () => {
      irq.set(s.isr !== 0);
      if (s.isr) io.kick();
    };
    const interrupt = () => {
      s.isr |= INT.USED_BUFFER;
      update();
    };
    const reset = () => {
      s.status = s.isr = s.devSel = s.drvSel = s.qsel = 0;
      driverFeatures[0] = driverFeatures[1] = 0;
      queues.forEach((q) => q.reset());
      backend?.reset?.();
      update();
    };
    const q = () => queues[s.qsel];
    const features = (sel: number) => {
      if (!backend) return 0;
      return sel === 0 ? backend.features[0] >>> 0 : sel === 1 ? (backend.features[1] | F_VERSION_1_HIGH) >>> 0 : 0;
    };
    const setHalf = (v: number, high: boolean, cur: number) =>
      high ? (v >>> 0) * 2 ** 32 + (cur % 2 ** 32) : Math.floor(cur / 2 ** 32) * 2 ** 32 + (v >>> 0);
    const notify = (n: number) => {
      const queue = queues[n];
      if (!backend || !queue || !(s.status & STATUS.DRIVER_OK)) return;
      try {
        if (backend.notify(queue)) interrupt();
      } catch (e) {
        if (!(e instanceof VirtqueueError)) throw e;
        // A broken ring is the driver's fault: flag it, as the spec asks, and carry on.
        s.status |= STATUS.NEEDS_RESET;
        s.isr |= INT.CONFIG_CHANGE;
        update();
      }
    };

    const model: VirtioMmioModel = {
      get plugged() {
        return backend;
      },
      plug(b) {
        backend = b;
        s.queues = Array.from({ length: b.queueCount }, () => createRecord(QUEUE_STATE));
        queues = s.queues.map((r, i) => new Virtqueue(i, QUEUE_MAX, io.memory, r));
        s.generation++;
        reset();
      },
      unplug() {
        reset();
        backend = undefined;
        s.queues = [];
        queues = [];
        s.generation++;
      },
      interrupt,
      reset,
      mmio: {
        regs: {
          read(off, size) {
            if (off >= R.CONFIG) {
              const cfg = backend?.config;
              if (!cfg || off - R.CONFIG + size > cfg.length) return 0;
              let v = 0;
              for (let i = size - 1; i >= 0; i--) v = v * 256 + cfg[off - R.CONFIG + i]!;
              return v >>> 0;
            }
            switch (off) {
              case R.MAGIC: return MAGIC_VALUE;
              case R.VERSION: return 2;
              case R.DEVICE_ID: return backend?.deviceId ?? 0;
              case R.VENDOR_ID: return VENDOR_QEMU;
              case R.DEVICE_FEATURES: return features(s.devSel);
              case R.QUEUE_NUM_MAX: return q() ? QUEUE_MAX : 0;
              case R.QUEUE_READY: return q()?.ready ? 1 : 0;
              case R.INTERRUPT_STATUS: return s.isr;
              case R.STATUS: return s.status;
              case R.CONFIG_GENERATION: return s.generation;
              case R.QUEUE_DESC_LOW: return (q()?.desc ?? 0) >>> 0;
              case R.QUEUE_DESC_HIGH: return Math.floor((q()?.desc ?? 0) / 2 ** 32);
              case R.QUEUE_DRIVER_LOW: return (q()?.driver ?? 0) >>> 0;
              case R.QUEUE_DRIVER_HIGH: return Math.floor((q()?.driver ?? 0) / 2 ** 32);
              case R.QUEUE_DEVICE_LOW: return (q()?.device ?? 0) >>> 0;
              case R.QUEUE_DEVICE_HIGH: return Math.floor((q()?.device ?? 0) / 2 ** 32);
              default: return 0;
            }
          },
          write(off, _size, v) {
            if (off >= R.CONFIG) return; // blk and rng config spaces are read-only for drivers
            const queue = q();
            switch (off) {
              case R.DEVICE_FEATURES_SEL: s.devSel = v; return;
              case R.DRIVER_FEATURES: if (s.drvSel < 2) driverFeatures[s.drvSel] = v >>> 0; return;
              case R.DRIVER_FEATURES_SEL: s.drvSel = v; return;
              case R.QUEUE_SEL: s.qsel = v; return;
              case R.QUEUE_NUM: if (queue) queue.num = Math.min(v, QUEUE_MAX); return;
              case R.QUEUE_READY: if (queue) queue.ready = (v & 1) === 1; return;
              case R.QUEUE_NOTIFY: notify(v & 0xffff); return;
              case R.INTERRUPT_ACK: s.isr &= ~v; update(); return;
              case R.STATUS:
                if (v === 0) reset();
                // FEATURES_OK only sticks when the driver accepted VERSION_1 (no legacy interface here).
                else s.status = (v & STATUS.FEATURES_OK && !(driverFeatures[1]! & F_VERSION_1_HIGH) ? v & ~STATUS.FEATURES_OK : v) >>> 0;
                return;
              case R.QUEUE_DESC_LOW: if (queue) queue.desc = setHalf(v, false, queue.desc); return;
              case R.QUEUE_DESC_HIGH: if (queue) queue.desc = setHalf(v, true, queue.desc); return;
              case R.QUEUE_DRIVER_LOW: if (queue) queue.driver = setHalf(v, false, queue.driver); return;
              case R.QUEUE_DRIVER_HIGH: if (queue) queue.driver = setHalf(v, true, queue.driver); return;
              case R.QUEUE_DEVICE_LOW: if (queue) queue.device = setHalf(v, false, queue.device); return;
              case R.QUEUE_DEVICE_HIGH: if (queue) queue.device = setHalf(v, true, queue.device); return;
            }
          },
        },
      },
    };
    return model;
  },
  fdt(f) {
    const r = f.placement.regions[0]!;
    return node(`virtio_mmio@${r.base.toString(16)}`, {
      interrupts: prop.cells(f.placement.irqs[0]!),
      'interrupt-parent': prop.cells(f.irqParent),
      reg: prop.reg64([r.base, r.size]),
      compatible: prop.str('virtio,mmio'),
    });
  },
});

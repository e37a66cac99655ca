import { IRQ, type MachineTimer } from '../hw/cpu.js';
import { defineDevice, type DeviceModel } from '../hw/device.js';
import { node, prop } from '../hw/fdt.js';
import { TIMEBASE_HZ, type TimerHandle } from '../hw/virtual-clock.js';
import { vm } from '../hw/vmstate.js';

/** SiFive CLINT layout: msip per hart, mtimecmp per hart, one mtime. */
export const CLINT = { MSIP: 0x0, MTIMECMP: 0x4000, MTIME: 0xbff8, SIZE: 0x10000 } as const;

/** The CLINT model's extra face: the board hands it to the cores as their `time` source. */
export interface ClintModel {
  readonly timer: MachineTimer;
}

/**
 * The core-local interruptor: software interrupts (msip) and the machine
 * timer (mtime against each hart's mtimecmp), counting at 10 MHz on the
 * virtual clock, so it stands still while the VM is paused.
 */
export const clint = defineDevice({
  name: 'riscv.sifive.clint',
  doc: 'SiFive CLINT: machine software and timer interrupts, mtime at 10 MHz',
  mmio: [{ name: 'regs', size: CLINT.SIZE }],
  state: {
    version: 1,
    fields: {
      msip: vm.array('u8', (env) => env.harts),
      /** mtimecmp as lo/hi words; all-ones means "never" until firmware programs it. */
      cmpLo: vm.array('u32', (env) => env.harts, 0xffffffff),
      cmpHi: vm.array('u32', (env) => env.harts, 0xffffffff),
      /** mtime writes move the counter relative to the clock. */
      offset: vm.num(),
    },
  },
  instantiate(io, s) {
    const harts = io.harts;
    const { msip, cmpLo, cmpHi } = s;
    // Derived from mtimecmp and mtime, so not saved: postLoad arms them again.
    const timers: Array<TimerHandle | undefined> = new Array(harts.length).fill(undefined);

    const mtime = () => io.clock.ticks(TIMEBASE_HZ) + s.offset;
    const cmpOf = (h: number) => cmpHi[h]! * 2 ** 32 + cmpLo[h]!;
    const rearm = (h: number) => {
      timers[h]?.cancel();
      timers[h] = undefined;
      const cmp = cmpOf(h);
      const due = mtime() >= cmp;
      harts[h]!.setInterrupt(IRQ.MTIP, due);
      if (due) io.kick();
      else if (cmp < 2 ** 53) timers[h] = io.clock.setTimerAt(io.clock.ticksToNs(cmp - s.offset), () => rearm(h));
    };
    const rearmAll = () => harts.forEach((_, h) => rearm(h));
    const read32of = (v: number, high: boolean) => (high ? Math.floor(v / 2 ** 32) >>> 0 : v >>> 0);

    const model: DeviceModel & ClintModel = {
      timer: { mtime, frequency: TIMEBASE_HZ },
      mmio: {
        regs: {
          read(off) {
            if (off < CLINT.MSIP + 4 * harts.length) return msip[off >> 2]!;
            if (off >= CLINT.MTIMECMP && off < CLINT.MTIMECMP + 8 * harts.length) {
              const h = (off - CLINT.MTIMECMP) >> 3;
              return off & 4 ? cmpHi[h]! : cmpLo[h]!;
            }
            if (off === CLINT.MTIME || off === CLINT.MTIME + 4) return read32of(mtime(), off === CLINT.MTIME + 4);
            return 0;
          },
          write(off, _size, value) {
            if (off < CLINT.MSIP + 4 * harts.length) {
              msip[off >> 2] = value & 1;
              harts[off >> 2]!.setInterrupt(IRQ.MSIP, (value & 1) === 1);
              if (value & 1) io.kick();
              return;
            }
            if (off >= CLINT.MTIMECMP && off < CLINT.MTIMECMP + 8 * harts.length) {
              const h = (off - CLINT.MTIMECMP) >> 3;
              if (off & 4) cmpHi[h] = value >>> 0;
              else cmpLo[h] = value >>> 0;
              rearm(h);
              return;
            }
            if (off === CLINT.MTIME || off === CLINT.MTIME + 4) {
              const cur = mtime();
              const lo = off === CLINT.MTIME ? value >>> 0 : cur >>> 0;
              const hi = off === CLINT.MTIME ? Math.floor(cur / 2 ** 32) : value >>> 0;
              s.offset += hi * 2 ** 32 + lo - cur;
              rearmAll();
            }
          },
        },
      },
      reset() {
        msip.fill(0);
        cmpLo.fill(0xffffffff);
        cmpHi.fill(0xffffffff);
        harts.forEach((hart) => hart.setInterrupt(IRQ.MSIP, false));
        rearmAll();
      },
      unrealize() {
        timers.forEach((t) => t?.cancel());
      },
      postLoad: rearmAll,
    };
    return model;
  },
  fdt(f) {
    const r = f.placement.regions[0]!;
    return node(`clint@${r.base.toString(16)}`, {
      'interrupts-extended': prop.cells(...f.cpuIntc.flatMap((p) => [p, IRQ.MSIP, p, IRQ.MTIP])),
      reg: prop.reg64([r.base, r.size]),
      compatible: prop.strs(['sifive,clint0', 'riscv,clint0']),
    });
  },
});

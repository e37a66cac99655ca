import { IRQ } from '../hw/cpu.js';
import { defineDevice } from '../hw/device.js';
import { node, prop } from '../hw/fdt.js';
import { vm } from '../hw/vmstate.js';

/** SiFive PLIC register map (QEMU's virt board values). */
export const PLIC = {
  PRIORITY: 0x0,
  PENDING: 0x1000,
  ENABLE: 0x2000,
  ENABLE_STRIDE: 0x80,
  CONTEXT: 0x200000,
  CONTEXT_STRIDE: 0x1000,
  /** Fixed window size on QEMU's virt board (room for its maximum hart count). */
  SIZE: 0x600000,
  /** Interrupt sources 1..SOURCES (0 means "none"). */
  SOURCES: 96,
  PRIORITY_MASK: 7,
} as const;

/** Sources with source 0 (which does not exist, so it is never pending). */
const SOURCES_0 = PLIC.SOURCES + 1;
/** Enable bits of one context, in 32-bit words. */
const ENABLE_WORDS = Math.ceil(SOURCES_0 / 32);

/**
 * The platform-level interrupt controller. Sources are level-triggered
 * through a gateway: a source is pending while its line is high and it is
 * not being serviced; claim hands out the highest-priority pending enabled
 * source above a context's threshold, complete lets it be pending again.
 * Context 2h is hart h's M-mode (MEIP), 2h+1 its S-mode (SEIP).
 */
export const plic = defineDevice({
  name: 'riscv.sifive.plic',
  doc: 'SiFive PLIC: priorities, pending, per-context enables, thresholds, claim/complete',
  mmio: [{ name: 'regs', size: PLIC.SIZE }],
  irqInputs: PLIC.SOURCES + 1,
  state: {
    version: 1,
    fields: {
      priority: vm.array('u32', SOURCES_0),
      /** Input line levels, pending (gateway) and claimed bits, per source. */
      level: vm.array('u8', SOURCES_0),
      pending: vm.array('u8', SOURCES_0),
      claimed: vm.array('u8', SOURCES_0),
      /** Per context (2 per hart), the enable words. */
      enable: vm.array('u32', (env) => env.harts * 2 * ENABLE_WORDS),
      threshold: vm.array('u32', (env) => env.harts * 2),
      /** Whether the context's interrupt (MEIP or SEIP) is asserted at its hart. */
      asserted: vm.array('u8', (env) => env.harts * 2),
    },
  },
  instantiate(io, s) {
    const n = SOURCES_0;
    const words = ENABLE_WORDS;
    const contexts = io.harts.length * 2;
    const { priority, level, pending, claimed, enable, threshold, asserted } = s;

    const enabled = (ctx: number, src: number) => (enable[ctx * words + (src >> 5)]! >>> (src & 31)) & 1;
    const best = (ctx: number): number => {
      let id = 0;
      let prio = threshold[ctx]!;
      for (let s = 1; s < n; s++)
        if (pending[s] && enabled(ctx, s) && priority[s]! > prio) {
          id = s;
          prio = priority[s]!;
        }
      return id;
    };
    const update = () => {
      for (let c = 0; c < contexts; c++) {
        const on = best(c) !== 0 ? 1 : 0;
        if (on === asserted[c]) continue;
        asserted[c] = on;
        io.harts[c >> 1]!.setInterrupt(c & 1 ? IRQ.SEIP : IRQ.MEIP, on === 1);
        if (on) io.kick();
      }
    };
    const gateway = (src: number) => {
      if (level[src] && !claimed[src]) pending[src] = 1;
    };
    const ctxOf = (off: number) => ((off - PLIC.CONTEXT) / PLIC.CONTEXT_STRIDE) | 0;

    return {
      irqIn(src, on) {
        if (src <= 0 || src >= n) return;
        level[src] = on ? 1 : 0;
        // A level source that drops before being claimed is no longer pending.
        if (on) gateway(src);
        else if (!claimed[src]) pending[src] = 0;
        update();
      },
      mmio: {
        regs: {
          read(off) {
            if (off < PLIC.PENDING) return off >> 2 < n ? priority[off >> 2]! : 0;
            if (off < PLIC.ENABLE) {
              const w = (off - PLIC.PENDING) >> 2;
              let v = 0;
              for (let b = 0; b < 32; b++) if (pending[w * 32 + b]) v |= 1 << b;
              return v >>> 0;
            }
            if (off < PLIC.CONTEXT) {
              const ctx = ((off - PLIC.ENABLE) / PLIC.ENABLE_STRIDE) | 0;
              const w = ((off - PLIC.ENABLE) % PLIC.ENABLE_STRIDE) >> 2;
              return ctx < contexts && w < words ? enable[ctx * words + w]! : 0;
            }
            const ctx = ctxOf(off);
            if (ctx >= contexts) return 0;
            const reg = (off - PLIC.CONTEXT) % PLIC.CONTEXT_STRIDE;
            if (reg === 0) return threshold[ctx]!;
            if (reg === 4) {
              const id = best(ctx);
              if (id) {
                pending[id] = 0;
                claimed[id] = 1;
                update();
              }
              return id;
            }
            return 0;
          },
          write(off, _size, value) {
            if (off < PLIC.PENDING) {
              if (off >> 2 < n && off >> 2 > 0) priority[off >> 2] = value & PLIC.PRIORITY_MASK;
            } else if (off < PLIC.ENABLE) {
              return; // pending bits are read-only
            } else if (off < PLIC.CONTEXT) {
              const ctx = ((off - PLIC.ENABLE) / PLIC.ENABLE_STRIDE) | 0;
              const w = ((off - PLIC.ENABLE) % PLIC.ENABLE_STRIDE) >> 2;
              // Source 0 does not exist, so its enable bit is hard-wired to zero.
              if (ctx < contexts && w < words) enable[ctx * words + w] = (w === 0 ? value & ~1 : value) >>> 0;
            } else {
              const ctx = ctxOf(off);
              if (ctx >= contexts) return;
              const reg = (off - PLIC.CONTEXT) % PLIC.CONTEXT_STRIDE;
              if (reg === 0) threshold[ctx] = value & PLIC.PRIORITY_MASK;
              else if (reg === 4 && value > 0 && value < n && claimed[value]) {
                claimed[value] = 0;
                gateway(value);
              }
            }
            update();
          },
        },
      },
      reset() {
        priority.fill(0);
        pending.fill(0);
        claimed.fill(0);
        enable.fill(0);
        threshold.fill(0);
        for (let s = 1; s < n; s++) gateway(s);
        update();
      },
    };
  },
  fdt(f) {
    const r = f.placement.regions[0]!;
    return node(`plic@${r.base.toString(16)}`, {
      phandle: prop.cells(f.phandle()),
      'riscv,ndev': prop.cells(PLIC.SOURCES),
      reg: prop.reg64([r.base, r.size]),
      'interrupts-extended': prop.cells(...f.cpuIntc.flatMap((p) => [p, IRQ.MEIP, p, IRQ.SEIP])),
      'interrupt-controller': prop.empty(),
      compatible: prop.strs(['sifive,plic-1.0.0', 'riscv,plic0']),
      '#address-cells': prop.cells(0),
      '#interrupt-cells': prop.cells(1),
    });
  },
});

/** The rv64 model and plugin entry as the board sees them, without firmware. */
import { describe, expect, it } from 'vitest';
import plugin, { rv64Model } from '../../plugins/cpu-rv64/index.js';
import { chooseCpu, CPU_MODELS, IRQ, type CpuModel } from '../../plugins/hw/cpu.js';
import { RAM_BASE, TestBus } from './test-bus.js';

/** Writes little-endian 32-bit words at the start of RAM. */
function program(bus: TestBus, words: number[]): void {
  const dv = new DataView(bus.ram.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
}

describe('rv64 model', () => {
  it('registers itself as rv64 in the CPU model map', async () => {
    const models = new Map<string, CpuModel>();
    await plugin.setup({ use: <T>(token: string) => { expect(token).toBe(CPU_MODELS); return models as T; } } as never);
    expect(plugin.name).toBe('cpu-rv64');
    expect(plugin.dependsOn).toEqual(['hw']);
    expect(models.get('rv64')).toBe(rv64Model);
  });

  it('describes RV64GC for the device tree: the isa string, the extension list and the widest MMU mode', () => {
    const d = rv64Model.describe({ sv48: true });
    expect(d.isa).toBe('rv64imafdc_zicntr_zicsr_zifencei');
    expect(d.isaBase).toBe('rv64i');
    expect(d.isaExtensions).toEqual(['i', 'm', 'a', 'f', 'd', 'c', 'zicntr', 'zicsr', 'zifencei']);
    expect(d.mmuType).toBe('riscv,sv48');
    expect(rv64Model.describe({ sv48: false }).mmuType).toBe('riscv,sv39');
  });

  it('takes -cpu rv64,sv48=off and names an unknown property or value', () => {
    const models = new Map([['rv64', rv64Model]]);
    expect(chooseCpu('rv64', models).props).toEqual({ sv48: true, jit: true });
    expect(chooseCpu('rv64,sv48=off', models).props).toEqual({ sv48: false, jit: true });
    expect(() => chooseCpu('rv64,sv57=on', models)).toThrow("CPU 'rv64' has no property 'sv57' (it has: sv48, jit)");
    expect(() => chooseCpu('rv64,sv48=maybe', models)).toThrow("CPU property 'sv48' takes on or off, not 'maybe'");
    expect(() => chooseCpu('rv32', models)).toThrow("CPU type 'rv32' is not available (known: rv64)");
  });

  it('puts a0 = hart id and a1 = fdt address at reset, for every hart', () => {
    const bus = new TestBus();
    const cluster = rv64Model.createCluster({ harts: 2, bus, timer: bus });
    cluster.reset(RAM_BASE, 0x87e00000);
    cluster.harts.forEach((h, i) => {
      expect(h.pc()).toBe(RAM_BASE);
      const hart = h as unknown as { reg(i: number): bigint };
      expect(hart.reg(10)).toBe(BigInt(i));
      expect(hart.reg(11)).toBe(0x87e00000n);
    });
  });

  it('reports idle when every hart waits in wfi, and wakes on an enabled interrupt', () => {
    const bus = new TestBus();
    // li t0, 0x80; csrw mie, t0; wfi; j .
    program(bus, [0x08000293, 0x30429073, 0x10500073, 0x0000006f]);
    const cluster = rv64Model.createCluster({ harts: 1, bus, timer: bus });
    cluster.reset(RAM_BASE, 0);
    const r = cluster.run(1000);
    expect(r.idle).toBe(true);
    expect(r.executed).toBe(3);
    expect(cluster.harts[0]!.halted()).toBe(true);
    cluster.harts[0]!.setInterrupt(IRQ.MTIP, true);
    const r2 = cluster.run(100);
    expect(r2.idle).toBe(false);
    expect(cluster.harts[0]!.halted()).toBe(false);
    expect(cluster.retired()).toBe(3 + r2.executed);
  });

  it('drops cached decodes when a loader writes RAM (onRamWritten)', () => {
    const bus = new TestBus();
    // 1: addi a0, zero, 1; j 1b
    program(bus, [0x00100513, 0xffdff06f]);
    const cluster = rv64Model.createCluster({ harts: 1, bus, timer: bus });
    cluster.reset(RAM_BASE, 0);
    cluster.run(10);
    const hart = cluster.harts[0] as unknown as { reg(i: number): bigint };
    expect(hart.reg(10)).toBe(1n);
    // A loader rewrites the first instruction: addi a0, zero, 7
    const img = new Uint8Array(4);
    new DataView(img.buffer).setUint32(0, 0x00700513, true);
    bus.load(RAM_BASE, img);
    cluster.run(10);
    expect(hart.reg(10)).toBe(7n);
  });

  it('returns from run when the trap vector cannot be fetched either (mtvec = 0, nothing mapped there), each fault counting as a step', () => {
    const bus = new TestBus();
    const cluster = rv64Model.createCluster({ harts: 1, bus, timer: bus });
    // lui t0, 0x90000; jr t0: off the end of RAM, with mtvec still 0 from reset.
    program(bus, [0x900002b7, 0x00028067]);
    cluster.reset(RAM_BASE, 0);
    expect(cluster.run(10_000).executed).toBe(10_000);
    expect(cluster.harts[0]!.pc()).toBe(0);
  });

  it('counts exceptions raised at the very address they trap to, and starts again at 0 after one raised elsewhere', () => {
    const bus = new TestBus();
    const cluster = rv64Model.createCluster({ harts: 1, bus, timer: bus });
    // lui t0, 0x90000; jr t0: the jump's fetch faults (nothing there), then every fetch at mtvec = 0 faults at 0.
    program(bus, [0x900002b7, 0x00028067]);
    cluster.reset(RAM_BASE, 0);
    cluster.run(1_002);
    const hart = cluster.harts[0] as unknown as { trapStorm(): { repeats: number; cause: number; pc: number; tval: number } };
    // 1,000 steps after the jump: the first fault is not at its vector; the 999 after it are.
    expect(hart.trapStorm()).toEqual({ repeats: 999, cause: 1, pc: 0, tval: 0 });
    cluster.reset(RAM_BASE, 0);
    cluster.run(3);
    // lui sign-extends: the address is 0xffffffff90000000, kept as a signed number.
    expect(hart.trapStorm()).toMatchObject({ repeats: 0, cause: 1, pc: 0x90000000 | 0, tval: 0x90000000 | 0 });
  });
});

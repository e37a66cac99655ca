/** The rv64 model and plugin entry as the board sees them, without firmware. */
import { describe, expect, it } from 'vitest';
import plugin, { rv64Model } from '../../plugins/cpu-rv64/index.js';
import { CPU_MODELS, IRQ, type CpuModel } from '../../plugins/hw/cpu.js';
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

  it('advertises an isa string matching misa, under 32 characters, and no MMU', () => {
    expect(rv64Model.isa).toBe('rv64imac_zicsr_zifencei');
    expect(rv64Model.isa.length).toBeLessThan(32);
    // "riscv,none" is the device-tree binding's word for a hart without an MMU (riscv/cpus.yaml).
    expect(rv64Model.mmuType).toBe('riscv,none');
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
});

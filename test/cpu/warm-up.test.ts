/** The interpreter warm-up runs its program to the end and leaves no trace in RAM or in the hart. */
import { describe, expect, it } from 'vitest';
import { DecodeCache } from '../../plugins/cpu-rv64/decode-cache.js';
import { Rv64Hart } from '../../plugins/cpu-rv64/hart.js';
import { warmUp } from '../../plugins/cpu-rv64/warm-up.js';
import { RAM_BASE, TestBus } from './test-bus.js';

describe('interpreter warm-up', () => {
  it('ends in its wfi after one ecall, so every op it lists ran', () => {
    const bus = new TestBus();
    const cache = new DecodeCache(bus.ram.length);
    const hart = new Rv64Hart(0, bus, bus, cache);
    expect(warmUp(hart, bus.ram, bus.ramBase, () => cache.flush())).toBe(true);
  });

  it('restores the RAM it borrowed, drops its decodes and resets the hart', () => {
    const bus = new TestBus();
    for (let k = 0; k < 0x4000; k++) bus.ram[k] = (k * 7) & 255;
    const before = bus.ram.slice();
    const cache = new DecodeCache(bus.ram.length);
    const hart = new Rv64Hart(0, bus, bus, cache);
    warmUp(hart, bus.ram, bus.ramBase, () => cache.flush());
    expect(Buffer.compare(bus.ram, before)).toBe(0);
    expect(cache.base.every((b) => b === 0)).toBe(true);
    expect(hart.pc()).toBe(RAM_BASE);
    expect(hart.instret).toBe(0);
    expect(hart.halted()).toBe(false);
    for (let r = 1; r < 32; r++) expect(hart.reg(r)).toBe(0n);
  });

  it('does nothing with less RAM than it borrows', () => {
    const bus = new TestBus(4096);
    const cache = new DecodeCache(bus.ram.length);
    const hart = new Rv64Hart(0, bus, bus, cache);
    expect(warmUp(hart, bus.ram, bus.ramBase, () => cache.flush())).toBe(false);
    expect(bus.ram.every((b) => b === 0)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { AddressSpace, MappingError } from '../../plugins/hw/address-space.js';

describe('address space', () => {
  const out = new Uint32Array(2);
  it('stores and loads RAM little-endian at every size', () => {
    const as = new AddressSpace(0x80000000, 4096);
    expect(as.write(0x80000000, 8, 0x44332211, 0x88776655)).toBe(true);
    expect(as.read(0x80000000, 1, out) && out[0]).toBe(0x11);
    expect(as.read(0x80000002, 2, out) && out[0]).toBe(0x4433);
    expect(as.read(0x80000004, 4, out) && out[0]).toBe(0x88776655);
    expect(as.read(0x80000000, 8, out)).toBe(true);
    expect([...out]).toEqual([0x44332211, 0x88776655]);
    expect(as.ram[0]).toBe(0x11);
  });

  it('reports a bus error for unmapped addresses instead of throwing', () => {
    const as = new AddressSpace(0x80000000, 4096);
    expect(as.read(0x1234, 4, out)).toBe(false);
    expect(as.write(0x1234, 4, 1, 0)).toBe(false);
    expect(as.read(0x80000ffe, 4, out)).toBe(false); // straddles the end of RAM
  });

  it('refuses overlapping regions with both names', () => {
    const as = new AddressSpace(0x80000000, 4096);
    const handlers = { read: () => 0, write: () => {} };
    as.map({ name: 'a', base: 0x1000, size: 0x100, kind: 'mmio', handlers });
    expect(() => as.map({ name: 'b', base: 0x10f0, size: 0x100, kind: 'mmio', handlers })).toThrow(/'b'.*overlaps 'a'/);
    expect(() => as.map({ name: 'c', base: 0x80000800, size: 0x100, kind: 'mmio', handlers })).toThrow(MappingError);
  });

  it('dispatches MMIO with offsets and splits 8-byte accesses low word first', () => {
    const as = new AddressSpace(0x80000000, 4096);
    const log: string[] = [];
    as.map({ name: 'dev', base: 0x2000, size: 0x100, kind: 'mmio', handlers: { read: (o, s) => (log.push(`r${o}/${s}`), o), write: (o, s, v) => void log.push(`w${o}/${s}=${v}`) } });
    expect(as.read(0x2010, 8, out)).toBe(true);
    expect([...out]).toEqual([0x10, 0x14]);
    as.write(0x2020, 8, 5, 6);
    as.write(0x2001, 1, 0x1ff, 0);
    expect(log).toEqual(['r16/4', 'r20/4', 'w32/4=5', 'w36/4=6', 'w1/1=255']);
    expect(as.read(0x20fe, 4, out)).toBe(false); // crosses the region end
  });

  it('ignores stores to ROM and serves loads from it', () => {
    const as = new AddressSpace(0x80000000, 4096);
    as.map({ name: 'rom', base: 0x1000, size: 0x10, kind: 'rom', data: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8) });
    expect(as.write(0x1000, 4, 0xffffffff, 0)).toBe(true);
    expect(as.read(0x1000, 8, out)).toBe(true);
    expect([...out]).toEqual([0x04030201, 0x08070605]);
  });

  it('tells listeners when loaders write RAM', () => {
    const as = new AddressSpace(0x80000000, 4096);
    const seen: Array<[number, number]> = [];
    as.onRamWritten((a, l) => seen.push([a, l]));
    expect(as.writeBytes(0x80000010, new Uint8Array(4))).toBe(true);
    expect(as.writeBytes(0x90000000, new Uint8Array(4))).toBe(false);
    expect(seen).toEqual([[0x80000010, 4]]);
  });
});

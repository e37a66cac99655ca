import { describe, expect, it } from 'vitest';
import { elfImage, loadImage } from '../../plugins/hw/loader.js';

/** A minimal little-endian ELF64 with one PT_LOAD segment (4 file bytes, 16 in memory). */
function tinyElf(): Uint8Array {
  const b = new Uint8Array(64 + 56 + 4);
  const v = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  v.setUint16(16, 2, true);
  v.setUint16(18, 243, true); // EM_RISCV
  v.setUint32(24, 0x80000010, true); // e_entry
  v.setUint32(32, 64, true); // e_phoff
  v.setUint16(54, 56, true);
  v.setUint16(56, 1, true);
  v.setUint32(64, 1, true); // PT_LOAD
  v.setUint32(64 + 8, 120, true); // p_offset
  v.setUint32(64 + 24, 0x80000000, true); // p_paddr
  v.setUint32(64 + 32, 4, true); // p_filesz
  v.setUint32(64 + 40, 16, true); // p_memsz
  b.set([1, 2, 3, 4], 120);
  return b;
}

describe('image loader', () => {
  it('loads ELF64 PT_LOAD segments at their physical address and zero-fills bss', () => {
    const img = elfImage(tinyElf());
    expect(img.entry).toBe(0x80000010);
    expect(img.segments).toHaveLength(1);
    expect(img.segments[0]!.addr).toBe(0x80000000);
    expect([...img.segments[0]!.bytes]).toEqual([1, 2, 3, 4, ...new Array(12).fill(0)]);
    expect(img.end).toBe(0x80000010);
  });
  it('treats anything else as a raw image at the given address', () => {
    const img = loadImage(Uint8Array.of(0x13, 0, 0, 0), 0x80200000);
    expect(img).toMatchObject({ format: 'raw', entry: 0x80200000, end: 0x80200004 });
  });
  it('explains a truncated ELF', () => {
    expect(() => elfImage(tinyElf().subarray(0, 100))).toThrow(/truncated/);
  });
});

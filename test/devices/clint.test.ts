import { describe, expect, it } from 'vitest';
import { clint } from '../../plugins/devices/clint.js';
import { IRQ } from '../../plugins/hw/cpu.js';
import { HW_EXT, type DeviceDecl } from '../../plugins/hw/device.js';
import { DeviceHarness } from '../../plugins/hw/harness.js';

const decl = clint.ext![HW_EXT] as DeviceDecl;
const B = 0x2000000;

describe('CLINT', () => {
  it('counts mtime at 10 MHz on the virtual clock', () => {
    const h = new DeviceHarness();
    h.add(decl, { base: B });
    expect(h.read(B + 0xbff8, 8)).toBe(0);
    h.advance(1_000_000); // 1 ms
    expect(h.read(B + 0xbff8, 8)).toBe(10_000);
  });

  it('raises MTIP when mtime reaches mtimecmp and drops it when mtimecmp moves on', () => {
    const h = new DeviceHarness();
    h.add(decl, { base: B });
    h.write(B + 0x4000, 500, 8);
    expect(h.harts[0]!.pending(IRQ.MTIP)).toBe(false);
    h.advance(49_000);
    expect(h.harts[0]!.pending(IRQ.MTIP)).toBe(false);
    h.advance(1_000);
    expect(h.harts[0]!.pending(IRQ.MTIP)).toBe(true);
    h.write(B + 0x4000, 10_000, 8);
    expect(h.harts[0]!.pending(IRQ.MTIP)).toBe(false);
  });

  it('drives MSIP per hart from msip', () => {
    const h = new DeviceHarness({ harts: 2 });
    h.add(decl, { base: B });
    h.write(B + 4, 1);
    expect(h.harts[1]!.pending(IRQ.MSIP)).toBe(true);
    expect(h.harts[0]!.pending(IRQ.MSIP)).toBe(false);
    expect(h.read(B + 4)).toBe(1);
    h.write(B + 4, 0);
    expect(h.harts[1]!.pending(IRQ.MSIP)).toBe(false);
  });

  it('stands still while the clock is stopped', () => {
    const h = new DeviceHarness();
    h.add(decl, { base: B });
    const before = h.read(B + 0xbff8, 8);
    expect(h.read(B + 0xbff8, 8)).toBe(before);
  });
});

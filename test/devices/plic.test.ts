import { describe, expect, it } from 'vitest';
import { plic } from '../../plugins/devices/plic.js';
import { IRQ } from '../../plugins/hw/cpu.js';
import { HW_EXT, type DeviceDecl } from '../../plugins/hw/device.js';
import { DeviceHarness } from '../../plugins/hw/harness.js';

const decl = plic.ext![HW_EXT] as DeviceDecl;
const B = 0xc000000;
const enable = (ctx: number) => B + 0x2000 + 0x80 * ctx;
const threshold = (ctx: number) => B + 0x200000 + 0x1000 * ctx;
const claim = (ctx: number) => threshold(ctx) + 4;

function setup(harts = 1) {
  const h = new DeviceHarness({ harts });
  h.add(decl, { base: B });
  return h;
}

describe('PLIC', () => {
  it('signals MEIP for context 0 only when the source is enabled with priority above threshold', () => {
    const h = setup();
    h.setIrq(10, true);
    expect(h.read(B + 0x1000) & (1 << 10)).not.toBe(0); // pending
    expect(h.harts[0]!.pending(IRQ.MEIP)).toBe(false);
    h.write(enable(0), 1 << 10);
    expect(h.harts[0]!.pending(IRQ.MEIP)).toBe(false); // priority 0 never interrupts
    h.write(B + 4 * 10, 1);
    expect(h.harts[0]!.pending(IRQ.MEIP)).toBe(true);
    h.write(threshold(0), 1);
    expect(h.harts[0]!.pending(IRQ.MEIP)).toBe(false);
  });

  it('routes context 1 to SEIP', () => {
    const h = setup();
    h.write(B + 4 * 3, 2);
    h.write(enable(1), 1 << 3);
    h.setIrq(3, true);
    expect(h.harts[0]!.pending(IRQ.SEIP)).toBe(true);
    expect(h.harts[0]!.pending(IRQ.MEIP)).toBe(false);
  });

  it('claims the highest-priority source, masks it until complete, then re-pends a level still high', () => {
    const h = setup();
    h.write(B + 4 * 5, 1);
    h.write(B + 4 * 7, 3);
    h.write(enable(0), (1 << 5) | (1 << 7));
    h.setIrq(5, true);
    h.setIrq(7, true);
    expect(h.read(claim(0))).toBe(7);
    expect(h.read(claim(0))).toBe(5);
    expect(h.read(claim(0))).toBe(0);
    expect(h.harts[0]!.pending(IRQ.MEIP)).toBe(false);
    h.write(claim(0), 7); // complete while the line is still high
    expect(h.harts[0]!.pending(IRQ.MEIP)).toBe(true);
    expect(h.read(claim(0))).toBe(7);
  });

  it('forgets a level source that drops before it is claimed', () => {
    const h = setup();
    h.write(B + 4 * 2, 1);
    h.write(enable(0), 1 << 2);
    h.setIrq(2, true);
    h.setIrq(2, false);
    expect(h.read(claim(0))).toBe(0);
  });

  it('keeps source 0 hard-wired off and priorities to 3 bits', () => {
    const h = setup();
    h.write(enable(0), 0xffffffff);
    expect(h.read(enable(0))).toBe(0xfffffffe);
    h.write(B + 4, 0xff);
    expect(h.read(B + 4)).toBe(7);
  });
});

import { describe, expect, it } from 'vitest';
import { DeviceHarness } from '../../plugins/hw/harness.js';
import { characterTimeNs, ns16550a } from '../../plugins/devices/ns16550a.js';
import { RingbufChardev } from '../../plugins/backends/chardev/simple.js';
import { HW_EXT, type DeviceDecl } from '../../plugins/hw/device.js';

const decl = ns16550a.ext![HW_EXT] as DeviceDecl;
const BASE = 0x10000000;
const R = { RBR: BASE, IER: BASE + 1, IIR: BASE + 2, LCR: BASE + 3, MCR: BASE + 4, LSR: BASE + 5, MSR: BASE + 6, SCR: BASE + 7 };

function setup() {
  const h = new DeviceHarness();
  const chr = new RingbufChardev(256);
  h.backends.set('chardev:serial0', chr);
  h.add(decl, { base: BASE, irqs: [10] });
  return { h, chr };
}
const text = (c: RingbufChardev) => new TextDecoder().decode(c.read(1000));

describe('ns16550a', () => {
  it('sends written bytes to its chardev and keeps THR empty', () => {
    const { h, chr } = setup();
    for (const c of 'hi') h.write(R.RBR, c.charCodeAt(0), 1);
    expect(text(chr)).toBe('hi');
    expect(h.read(R.LSR, 1) & 0x60).toBe(0x60);
  });

  it('receives host input into its FIFO and raises the received-data interrupt', () => {
    const { h, chr } = setup();
    h.write(R.IIR, 0x01, 1); // FIFO on, trigger 1
    h.write(R.IER, 0x01, 1);
    expect(h.irq(10)).toBe(false);
    chr.inject(new TextEncoder().encode('ab'));
    expect(h.irq(10)).toBe(true);
    expect(h.read(R.IIR, 1) & 0x0f).toBe(0x04);
    expect(h.read(R.LSR, 1) & 1).toBe(1);
    expect(h.read(R.RBR, 1)).toBe(0x61);
    expect(h.read(R.RBR, 1)).toBe(0x62);
    expect(h.read(R.LSR, 1) & 1).toBe(0);
    expect(h.irq(10)).toBe(false);
  });

  it('raises the character timeout only after 4 character times with data below the trigger level, and drops it on a read', () => {
    const { h, chr } = setup();
    h.write(R.IIR, 0xc1, 1); // FIFO on, trigger 14
    h.write(R.IER, 0x01, 1);
    // 9600 baud (divisor 24 at 3.6864 MHz), 8N1: 10 bits, so one character is 10/9600 s and the timeout 4 of them.
    h.write(R.LCR, 0x83, 1);
    h.write(R.RBR, 24, 1);
    h.write(R.LCR, 0x03, 1);
    const character = characterTimeNs(0x03, 24);
    expect(character).toBeCloseTo(1e10 / 9600, 3);
    chr.inject(new TextEncoder().encode('ab'));
    expect(h.irq(10)).toBe(false);
    expect(h.read(R.IIR, 1) & 0x0f).toBe(0x01);
    h.advance(4 * character - 1);
    expect(h.irq(10)).toBe(false);
    h.advance(1);
    expect(h.irq(10)).toBe(true);
    expect(h.read(R.IIR, 1) & 0x0f).toBe(0x0c);
    // Reading a character is FIFO activity: the timeout starts again for the one still waiting.
    expect(h.read(R.RBR, 1)).toBe(0x61);
    expect(h.irq(10)).toBe(false);
    h.advance(4 * character);
    expect(h.read(R.IIR, 1) & 0x0f).toBe(0x0c);
    expect(h.read(R.RBR, 1)).toBe(0x62);
    h.advance(4 * character);
    expect(h.irq(10)).toBe(false);
  });

  it('holds input the FIFO cannot take in the backend until the guest reads', () => {
    const { h, chr } = setup();
    h.write(R.IIR, 0x01, 1);
    chr.inject(new Uint8Array(20).fill(0x41));
    let n = 0;
    while (h.read(R.LSR, 1) & 1) {
      h.read(R.RBR, 1);
      n++;
    }
    expect(n).toBe(20);
    expect(h.read(R.LSR, 1) & 0x02).toBe(0); // no overrun: flow control held the rest back
  });

  it('raises THR-empty when that interrupt is enabled and clears it on an IIR read', () => {
    const { h } = setup();
    h.write(R.IER, 0x02, 1);
    expect(h.irq(10)).toBe(true);
    expect(h.read(R.IIR, 1) & 0x0f).toBe(0x02);
    expect(h.irq(10)).toBe(false);
    expect(h.read(R.IIR, 1) & 0x01).toBe(1);
  });

  it('exposes the divisor latch behind DLAB and keeps the scratch register', () => {
    const { h } = setup();
    h.write(R.LCR, 0x83, 1);
    h.write(R.RBR, 0x01, 1);
    h.write(R.IER, 0x02, 1);
    expect(h.read(R.RBR, 1)).toBe(0x01);
    expect(h.read(R.IER, 1)).toBe(0x02);
    h.write(R.LCR, 0x03, 1);
    expect(h.read(R.IER, 1)).toBe(0);
    h.write(R.SCR, 0x5a, 1);
    expect(h.read(R.SCR, 1)).toBe(0x5a);
  });

  it('loops transmitted bytes back in loopback mode instead of sending them', () => {
    const { h, chr } = setup();
    h.write(R.MCR, 0x10, 1);
    h.write(R.RBR, 0x42, 1);
    expect(text(chr)).toBe('');
    expect(h.read(R.RBR, 1)).toBe(0x42);
  });
});

import { describe, expect, it } from 'vitest';
import { goldfishRtc } from '../../plugins/devices/goldfish-rtc.js';
import { HW_EXT, type DeviceDecl } from '../../plugins/hw/device.js';
import { DeviceHarness } from '../../plugins/hw/harness.js';

const decl = goldfishRtc.ext![HW_EXT] as DeviceDecl;
const B = 0x101000;
const time = (h: DeviceHarness) => {
  const lo = BigInt(h.read(B));
  return (BigInt(h.read(B + 4)) << 32n) + lo;
};

describe('goldfish RTC', () => {
  it('reports wall-clock nanoseconds that advance with guest time', () => {
    const h = new DeviceHarness();
    h.add(decl, { base: B, irqs: [11] });
    h.write(B + 4, 0);
    h.write(B, 1_000_000); // set the time to 1 ms after the epoch
    const t0 = time(h);
    h.advance(5_000);
    expect(time(h) - t0).toBe(5_000n);
  });

  it('fires the alarm interrupt when enabled and clears it on request', () => {
    const h = new DeviceHarness();
    h.add(decl, { base: B, irqs: [11] });
    const at = time(h) + 1000n;
    h.write(B + 0x10, 1);
    h.write(B + 0x0c, Number(at >> 32n));
    h.write(B + 0x08, Number(at & 0xffffffffn));
    expect(h.read(B + 0x18)).toBe(1);
    h.advance(999);
    expect(h.irq(11)).toBe(false);
    h.advance(1);
    expect(h.irq(11)).toBe(true);
    expect(h.read(B + 0x18)).toBe(0);
    h.write(B + 0x1c, 1);
    expect(h.irq(11)).toBe(false);
  });
});

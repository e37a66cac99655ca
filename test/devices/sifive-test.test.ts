import { describe, expect, it } from 'vitest';
import { sifiveTest } from '../../plugins/devices/sifive-test.js';
import { HW_EXT, type DeviceDecl } from '../../plugins/hw/device.js';
import { DeviceHarness } from '../../plugins/hw/harness.js';

const decl = sifiveTest.ext![HW_EXT] as DeviceDecl;

describe('SiFive test finisher', () => {
  it.each([
    [0x5555, { kind: 'shutdown', exitCode: 0 }],
    [0x00033333, { kind: 'shutdown', exitCode: 3 }],
    [0x7777, { kind: 'reset' }],
  ])('turns a store of %s into a guest request', (value, expected) => {
    const h = new DeviceHarness();
    h.add(decl, { base: 0x100000 });
    h.write(0x100000, value);
    expect(h.guestRequests).toEqual([expect.objectContaining(expected)]);
  });

  it('ignores other values and reads as zero', () => {
    const h = new DeviceHarness();
    h.add(decl, { base: 0x100000 });
    h.write(0x100000, 0x1234);
    expect(h.guestRequests).toEqual([]);
    expect(h.read(0x100000)).toBe(0);
  });
});

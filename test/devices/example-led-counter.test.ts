import { describe, expect, it } from 'vitest';
import examplePlugin, { ledCounter } from '../../examples/led-counter/index.js';
import { decodeFdt, findNode } from '../../plugins/hw/fdt.js';
import { DeviceHarness } from '../../plugins/hw/harness.js';
import { boardOf } from '../../plugins/machines/virt/index.js';
import { hwKernel, run } from '../machines/helpers.js';

describe('example external device plugin (led-counter)', () => {
  it('behaves at register level in the harness', () => {
    const h = new DeviceHarness();
    h.add(ledCounter, { base: 0x4000000, props: { leds: 4 } });
    h.write(0x4000000, 0xff);
    expect(h.read(0x4000000)).toBe(0x0f);
    expect([h.read(0x4000004), h.read(0x4000004)]).toEqual([0, 1]);
    expect(h.read(0x4000008)).toBe(4);
  });

  it('the harness takes the type defineDevice made, and names a type that is not a device', () => {
    const h = new DeviceHarness();
    expect(() => h.add({ name: 'plain-object', parent: 'object' }, { base: 0x4000000 })).toThrow(
      "DeviceHarness.add: 'plain-object' is not a device: make it with defineDevice from vmledger/hw",
    );
  });

  it('is loaded as a plugin, listed in qom-list-types and device-list-properties, and lands on the platform bus', async () => {
    const k = await hwKernel([examplePlugin]);
    const types = (await run(k, ['qom-list-types', { implements: 'device' }])) as Array<{ name: string }>;
    expect(types.map((x) => x.name)).toContain('led-counter');
    const props = (await run(k, ['device-list-properties', { typename: 'led-counter' }])) as Array<{ name: string }>;
    expect(props.map((p) => p.name)).toEqual(expect.arrayContaining(['leds', 'addr', 'irq']));
    await run(k, ['machine-set', { type: 'virt' }], ['until-phase', { phase: 'machine-initialized' }], ['device_add', { driver: 'led-counter', id: 'led', leds: 2 }], ['until-phase', { phase: 'machine-ready' }]);
    const board = boardOf(k.objects.get('/machine'));
    expect(board.memory.read32(0x4000008)).toBe(2);
    expect(findNode(decodeFdt(board.fdtBlob), '/soc/leds@4000000')).toBeDefined();
  });
});

/**
 * Errors when the virt board realizes a device name the device: what its
 * model threw, and interrupt lines that are not the PLIC's or are another
 * device's (naming the property that chose the line).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { definePlugin, type Kernel } from '../../kernel/index.js';
import { defineDevice } from '../../plugins/hw/index.js';
import { boardOf } from '../../plugins/machines/virt/index.js';
import { hwKernel, run } from './helpers.js';

const kernels: Kernel[] = [];
afterEach(async () => {
  for (const k of kernels.splice(0)) await k.close();
});

/** A register-less device with one interrupt line. */
const pinger = defineDevice({
  name: 'pinger',
  doc: 'One interrupt line',
  hotpluggable: false,
  mmio: [{ name: 'regs', size: 0x1000 }],
  irqs: ['irq'],
  instantiate: () => ({ mmio: { regs: { read: () => 0, write: () => {} } } }),
});
/** A device whose model cannot be built. */
const broken = defineDevice({
  name: 'broken',
  doc: 'Fails to realize',
  hotpluggable: false,
  instantiate: () => {
    throw new Error('the widget is missing');
  },
});
const testPlugin = definePlugin({
  name: 'test-devices',
  version: '0',
  dependsOn: ['hw'],
  setup(h) {
    h.type(pinger);
    h.type(broken);
  },
});

/**
 * Builds a virt board with one `driver` device given `props`; resolves to
 * the interrupt lines the board gave it, or rejects with the error. (Never
 * the board itself: a failing expectation would print all of its RAM.)
 */
async function boardWith(driver: string, props: Record<string, unknown> = {}): Promise<readonly number[] | undefined> {
  const k = await hwKernel([testPlugin]);
  kernels.push(k);
  await run(k, ['machine-set', { type: 'virt' }], ['until-phase', { phase: 'machine-initialized' }], ['device_add', { driver, id: 'p', ...props }], ['until-phase', { phase: 'machine-ready' }]);
  return [...boardOf(k.objects.get('/machine')).devices.values()].find((d) => d.obj.name === 'p')?.placement?.irqs;
}
const boardWithPinger = (props: Record<string, unknown>) => boardWith('pinger', props);

describe('errors realizing a device on the virt board', () => {
  it('what the model threw, with the device\'s id and type', async () => {
    await expect(boardWith('broken')).rejects.toThrow("Device 'p' (broken): the widget is missing");
  });


  it('a free PLIC source given with irq= is the device\'s line', async () => {
    expect(await boardWithPinger({ irq: 40 })).toEqual([40]);
  });

  it('refuses an irq the PLIC does not have, naming the device and the property', async () => {
    await expect(boardWithPinger({ irq: 200 })).rejects.toThrow("Device 'p': irq=200 gives interrupt 200, which the interrupt controller does not have (it has sources 1-96)");
    await expect(boardWithPinger({ irq: 0 })).rejects.toThrow("Device 'p': irq=0 gives interrupt 0, which the interrupt controller does not have (it has sources 1-96)");
  });

  it('refuses an irq another device uses instead of sharing the line', async () => {
    await expect(boardWithPinger({ irq: 10 })).rejects.toThrow("Device 'p': irq=10 gives interrupt 10, which device 'uart0' already uses");
  });
});

import { definePlugin } from '../../kernel/index.js';
import { clint } from './clint.js';
import { goldfishRtc } from './goldfish-rtc.js';
import { ns16550a } from './ns16550a.js';
import { plic } from './plic.js';
import { sifiveTest } from './sifive-test.js';
import { virtioMmio } from './virtio-mmio/index.js';
import { virtioBlk } from './virtio-blk.js';
import { virtioRng } from './virtio-rng.js';

/** Every device type this plugin registers. */
export const DEVICE_TYPES = [ns16550a, clint, plic, sifiveTest, goldfishRtc, virtioMmio, virtioBlk, virtioRng];

/** The built-in devices of the virt board. */
export const devicesPlugin = definePlugin({
  name: 'devices',
  version: '0.1.0',
  dependsOn: ['hw'],
  setup(host) {
    for (const type of DEVICE_TYPES) host.type(type);
  },
});

export default devicesPlugin;

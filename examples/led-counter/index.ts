/**
 * An example external device plugin: a bank of LEDs and a free-running
 * counter on the system bus. Load it with `--plugin examples/led-counter`
 * and add it with `-device led-counter,leds=8`.
 *
 *   0x00 LEDS     (rw) one bit per LED
 *   0x04 COUNTER  (r)  increments on every read; write resets it to 0
 *   0x08 NLEDS    (r)  how many LEDs there are
 */
import { definePlugin, t } from 'vmledger';
import { defineDevice, node, prop } from 'vmledger/hw';

/** The device type, one declaration. */
export const ledCounter = defineDevice({
  name: 'led-counter',
  doc: 'Example MMIO device: LEDs and a read counter',
  hotpluggable: false,
  props: {
    leds: { type: t.int(), default: 8, doc: 'Number of LEDs (1-32)', settable: 'unrealized' },
  },
  mmio: [{ name: 'regs', size: 0x1000 }],
  instantiate(io) {
    const n = io.prop<number>('leds');
    const mask = n >= 32 ? 0xffffffff : (1 << n) - 1;
    let leds = 0;
    let counter = 0;
    return {
      mmio: {
        regs: {
          read: (off) => (off === 0 ? leds : off === 4 ? counter++ >>> 0 : off === 8 ? n : 0),
          write: (off, _size, v) => {
            if (off === 0) leds = v & mask;
            else if (off === 4) counter = 0;
          },
        },
      },
      reset() {
        leds = 0;
        counter = 0;
      },
    };
  },
  fdt(f) {
    const r = f.placement.regions[0]!;
    return node(`leds@${r.base.toString(16)}`, { reg: prop.reg64([r.base, r.size]), compatible: prop.str('vmledger,led-counter') });
  },
});

/** The plugin the loader finds as the module's default export. */
export default definePlugin({
  name: 'example-led-counter',
  version: '1.0.0',
  dependsOn: ['hw'],
  setup(host) {
    host.type(ledCounter);
  },
});

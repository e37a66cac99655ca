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
import { defineDevice, node, prop, vm } from 'vmledger/hw';

/** The device type, one declaration. */
export const ledCounter = defineDevice({
  name: 'led-counter',
  doc: 'Example MMIO device: LEDs and a read counter',
  hotpluggable: false,
  props: {
    leds: { type: t.int(), default: 8, doc: 'Number of LEDs (1-32)', settable: 'unrealized' },
  },
  mmio: [{ name: 'regs', size: 0x1000 }],
  // Everything the guest can see that the device keeps: snapshots save and load it.
  state: { version: 1, fields: { leds: vm.u32(), counter: vm.u32() } },
  instantiate(io, s) {
    const n = io.prop<number>('leds');
    const mask = n >= 32 ? 0xffffffff : (1 << n) - 1;
    return {
      mmio: {
        regs: {
          read: (off) => {
            if (off === 0) return s.leds;
            if (off === 8) return n;
            if (off !== 4) return 0;
            const v = s.counter;
            s.counter = (v + 1) >>> 0;
            return v;
          },
          write: (off, _size, v) => {
            if (off === 0) s.leds = (v & mask) >>> 0;
            else if (off === 4) s.counter = 0;
          },
        },
      },
      reset() {
        s.leds = 0;
        s.counter = 0;
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

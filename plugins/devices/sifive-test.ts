import { defineDevice } from '../hw/device.js';
import { node, prop } from '../hw/fdt.js';

/** Finisher commands, in the low 16 bits of a 32-bit store; the high 16 bits carry a FAIL exit code. */
export const FINISHER = { FAIL: 0x3333, PASS: 0x5555, RESET: 0x7777 } as const;

/**
 * SiFive test finisher: the guest's way to power off (PASS, exit status 0),
 * fail (FAIL, exit status = code) or reset. The board also describes it as
 * a syscon with `poweroff`/`reboot` nodes, which U-Boot and Linux use.
 */
export const sifiveTest = defineDevice({
  name: 'riscv.sifive.test',
  doc: 'SiFive test finisher: guest poweroff, failure exit code and reset',
  mmio: [{ name: 'regs', size: 0x1000 }],
  // Write-only commands: nothing to save.
  state: { version: 1, fields: {} },
  instantiate(io) {
    return {
      mmio: {
        regs: {
          read: () => 0,
          write(off, size, value) {
            if (off !== 0 || size !== 4) return;
            const status = value & 0xffff;
            const code = value >>> 16;
            if (status === FINISHER.PASS) io.guest.shutdown('guest-shutdown', 0);
            else if (status === FINISHER.FAIL) io.guest.shutdown('guest-shutdown', code);
            else if (status === FINISHER.RESET) io.guest.reset('guest-reset');
          },
        },
      },
    };
  },
  fdt(f) {
    const r = f.placement.regions[0]!;
    const syscon = (name: string, value: number) =>
      node(name, {
        value: prop.cells(value),
        offset: prop.cells(0),
        regmap: prop.cells(f.phandle()),
        compatible: prop.str(`syscon-${name}`),
      });
    f.addRootNode(syscon('poweroff', FINISHER.PASS));
    f.addRootNode(syscon('reboot', FINISHER.RESET));
    return node(`test@${r.base.toString(16)}`, {
      phandle: prop.cells(f.phandle()),
      reg: prop.reg64([r.base, r.size]),
      compatible: prop.strs(['sifive,test1', 'sifive,test0', 'syscon']),
    });
  },
});

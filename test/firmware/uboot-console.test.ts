/**
 * Debian's M-mode U-Boot as -bios: the console up to the prompt is what real
 * QEMU 7.2 prints for the same machine, apart from the listed lines about
 * hardware vmledger does not emulate.
 */
import { afterEach, expect, it } from 'vitest';
import { describeNeeding, itNeeding, lacking } from '../needs.js';
import { AUTOBOOT, BOOT_TIMEOUT, consoleLines, FW, PROMPT, Vm } from './helpers.js';

/**
 * Every line where vmledger's console differs from QEMU's, as data: the
 * line QEMU prints (or null), the line vmledger prints instead (or null),
 * and why.
 */
export const EXPECTED_DIFFERENCES: ReadonlyArray<{ qemu: string | null; vmledger: string | null; reason: string }> = [
  {
    qemu: 'CPU:   rv64imafdch_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc',
    vmledger: 'CPU:   rv64imafdc_zicntr_zicsr_zifencei',
    reason: 'riscv,isa: the rv64 core implements RV64GC (IMAFDC, Zicntr, Zicsr, Zifencei) and no H, Zihintpause, bit-manipulation or Sstc, so it advertises exactly that',
  },
  {
    qemu: 'Core:  25 devices, 12 uclasses, devicetree: board',
    vmledger: 'Core:  22 devices, 10 uclasses, devicetree: board',
    reason: 'no CFI pflash (flash@20000000) and no PCIe host bridge (pcie@30000000) in the device tree: their U-Boot devices and uclasses are missing',
  },
  {
    qemu: 'Flash: 32 MiB',
    vmledger: null,
    reason: 'no CFI pflash banks at 0x20000000/0x22000000, so U-Boot finds no flash to size',
  },
];

/** Applies EXPECTED_DIFFERENCES to QEMU's lines, giving the lines vmledger must print. */
function expectedFromQemu(qemuLines: string[]): string[] {
  const out: string[] = [];
  for (const line of qemuLines) {
    const d = EXPECTED_DIFFERENCES.find((x) => x.qemu === line);
    if (!d) out.push(line);
    else if (d.vmledger !== null) out.push(d.vmledger);
  }
  return out;
}

/** The console from the start up to (not including) the first prompt. */
async function consoleToPrompt(vm: Vm): Promise<string[]> {
  const text = await vm.out.waitFor(PROMPT);
  return consoleLines(text.slice(0, text.indexOf(PROMPT)));
}

const vms: Vm[] = [];
afterEach(async () => {
  for (const vm of vms.splice(0)) await vm.dispose();
});

describeNeeding('U-Boot (M-mode) as -bios', lacking('U-Boot (M-mode)'), () => {
  itNeeding('prints what QEMU 7.2 prints up to the prompt, except the listed differences', lacking('qemu-system-riscv64'), async () => {
    const args = ['-M', 'virt', '-m', '128M', '-bios', FW.ubootM];
    // The same command line for both, as the issue states it.
    const qemu = Vm.qemu([...args, '-nographic']);
    const vm = Vm.vmledger([...args, '-nographic']);
    vms.push(qemu, vm);
    const [want, got] = await Promise.all([consoleToPrompt(qemu), consoleToPrompt(vm)]);
    // Each listed difference must really occur, or the list is stale.
    for (const d of EXPECTED_DIFFERENCES) if (d.qemu !== null) expect(want).toContain(d.qemu);
    expect(got).toEqual(expectedFromQemu(want));
  }, BOOT_TIMEOUT * 2);

  it('reaches the autoboot countdown and then the prompt with every line in QEMU order', async () => {
    const vm = Vm.vmledger(['-M', 'virt', '-m', '128M', '-bios', FW.ubootM, '-nographic']);
    vms.push(vm);
    const text = await vm.out.waitFor(PROMPT);
    const order = ['U-Boot 20', 'CPU:   rv64imafdc_zicntr_zicsr_zifencei', 'Model: riscv-virtio,qemu', 'DRAM:  128 MiB', 'In:    serial@10000000', AUTOBOOT, PROMPT];
    const at = order.map((s) => text.indexOf(s));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  }, BOOT_TIMEOUT);
});

describeNeeding('OpenSBI fw_jump as -bios with S-mode U-Boot as -kernel', lacking('OpenSBI fw_jump', 'U-Boot (S-mode)'), () => {
  it('prints the OpenSBI banner, hands over to S-mode and reaches U-Boot\'s prompt', async () => {
    const vm = Vm.vmledger(['-M', 'virt', '-m', '128M', '-bios', FW.fwJump, '-kernel', FW.ubootS, '-nographic']);
    vms.push(vm);
    const text = await vm.out.waitFor(PROMPT);
    const order = ['OpenSBI v', 'Platform Name             : riscv-virtio,qemu', 'Domain0 Next Address      : 0x0000000080200000',
      'Domain0 Next Mode         : S-mode', 'U-Boot 20', 'Model: riscv-virtio,qemu', AUTOBOOT, PROMPT];
    const at = order.map((s) => text.indexOf(s));
    expect(at, text).not.toContain(-1);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  }, BOOT_TIMEOUT);
});

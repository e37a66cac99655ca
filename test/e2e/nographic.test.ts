import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_FIRMWARE, VmProcess } from './run-vmledger.js';

const running: VmProcess[] = [];
afterEach(() => running.splice(0).forEach((p) => p.kill()));

describe('-nographic: console and human monitor share the terminal', () => {
  it('starts on the serial console; Ctrl-A c switches to the monitor and back', async () => {
    const vm = new VmProcess(['-M', 'virt', '-bios', DEMO_FIRMWARE, '-nographic']);
    running.push(vm);
    await vm.waitFor('press q to power off');
    expect(vm.stdout).not.toContain('monitor');
    vm.type('\x01c');
    await vm.waitFor('(vmledger) ');
    expect(vm.stdout).toContain("monitor - type 'help' for more information\r\n");
    vm.type('info status\r');
    await vm.waitFor('VM status: running\r\n');
    vm.type('\x01c');
    vm.type('q');
    await vm.waitFor('Powering off');
    expect(await vm.exited).toBe(0);
  });

  it('the monitor on the terminal runs commands through the log like any other (quit from the monitor)', async () => {
    const vm = new VmProcess(['-M', 'virt', '-bios', DEMO_FIRMWARE, '-nographic', '-log', 'vm.db']);
    running.push(vm);
    await vm.waitFor('press q to power off');
    vm.type('\x01c');
    await vm.waitFor('(vmledger) ');
    vm.type('quit\r');
    expect(await vm.exited).toBe(0);
  });
});

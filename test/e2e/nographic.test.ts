import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_FIRMWARE, onTerminal, runVmledger, VmProcess } from './run-vmledger.js';
import { itNeeding, lacking } from '../needs.js';

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

  it('Ctrl-A h lists the keys as QEMU does; Ctrl-A x quits with status 0 and a sealed log', async () => {
    const vm = new VmProcess(['-M', 'virt', '-bios', DEMO_FIRMWARE, '-nographic', '-log', 'vm.db']);
    running.push(vm);
    await vm.waitFor('press q to power off');
    vm.type('\x01h');
    await vm.waitFor('C-a x    exit emulator\r\n');
    expect(vm.stdout).toContain('C-a c    switch between console and monitor\r\n');
    vm.type('\x01x');
    expect(await vm.exited).toBe(0);
    expect(vm.stdout).toContain('vmledger: Terminated');
    expect(readdirSync(vm.cwd)).toEqual(['vm.db']);
    const verify = await runVmledger(['log', 'verify', 'vm.db', '--json'], vm.cwd);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, sealed: true });
  });

  itNeeding('passes Ctrl-C on a terminal to the guest (signal=off, as QEMU\'s -nographic does)', lacking('script'), async () => {
    const vm = onTerminal(['-M', 'virt', '-bios', DEMO_FIRMWARE, '-nographic', '-log', 'vm.db']);
    running.push(vm);
    await vm.waitFor('press q to power off');
    vm.type('a\x03b');
    await vm.waitFor('a\x03b');
    vm.type('q');
    await vm.waitFor('Powering off');
    expect(await vm.exited).toBe(0);
    expect(vm.stdout).not.toContain('terminating on signal');
  });
});

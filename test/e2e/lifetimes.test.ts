/**
 * A VM lives until something ends it, as QEMU's does: no silent exit with
 * status 0 because nothing happened to be listening. Where QEMU refuses a
 * line that could never run (no machine), vmledger says why too.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runVmledger, VmProcess } from './run-vmledger.js';

const running: VmProcess[] = [];
afterEach(() => running.splice(0).forEach((p) => p.kill()));

describe('a command line that cannot start anything', () => {
  it('without -M and without a monitor is refused with QEMU\'s sentence, not ended silently with status 0', async () => {
    const r = await runVmledger(['-display', 'none', '-log', 'vm.db']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('vmledger: No machine specified, and there is no default (-machine help lists them; or add -qmp or -monitor to choose one there)\n');
  });

  it('-S without a monitor says that nothing can start the guest, and waits (as QEMU does) until a signal ends it', async () => {
    const vm = new VmProcess(['-M', 'virt', '-S', '-display', 'none', '-serial', 'null', '-log', 'vm.db']);
    running.push(vm);
    await vm.waitFor('nothing can start the guest', 30_000, 'stderr');
    vm.child.kill('SIGTERM');
    expect(await vm.exited).toBe(0);
    expect(vm.stderr).toMatch(/waits until a signal ends it.*\nvmledger: terminating on signal 15\n$/);
  });
});

describe('standard input', () => {
  it('at end of file leaves a paused VM whose monitor was on the terminal (-S -nographic) waiting, as QEMU does, until a signal ends it', async () => {
    const vm = new VmProcess(['-M', 'virt', '-S', '-nographic', '-log', 'vm.db']);
    running.push(vm);
    vm.child.stdin.end('info status\n');
    await vm.waitFor('VM status: paused (prelaunch)');
    vm.child.kill('SIGTERM');
    expect(await vm.exited).toBe(0);
    expect(vm.stderr).toBe('vmledger: terminating on signal 15\n');
  });
});

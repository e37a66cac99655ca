/**
 * A VM lives until something ends it, as QEMU's does: no silent exit with
 * status 0 because nothing happened to be listening. Where QEMU refuses a
 * line that could never run (no machine), vmledger says why too.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { QmpClient, runVmledger, VmProcess } from './run-vmledger.js';

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

describe('-pidfile', () => {
  it('holds the process id while the VM runs and is removed at exit', async () => {
    const vm = new VmProcess(['-M', 'virt', '-S', '-display', 'none', '-log', 'vm.db', '-pidfile', 'vm.pid', '-qmp', 'unix:q.sock']);
    running.push(vm);
    const qmp = await QmpClient.connect(join(vm.cwd, 'q.sock'));
    expect(readFileSync(join(vm.cwd, 'vm.pid'), 'utf8')).toBe(`${vm.child.pid}\n`);
    await qmp.cmd('quit');
    expect(await vm.exited).toBe(0);
    expect(existsSync(join(vm.cwd, 'vm.pid'))).toBe(false);
  });

  it('naming a running process is refused, never taken over', async () => {
    const first = new VmProcess(['-M', 'virt', '-S', '-display', 'none', '-log', 'a.db', '-pidfile', 'vm.pid', '-qmp', 'unix:q.sock']);
    running.push(first);
    const qmp = await QmpClient.connect(join(first.cwd, 'q.sock'));
    const second = await runVmledger(['-M', 'virt', '-S', '-display', 'none', '-log', 'b.db', '-pidfile', 'vm.pid', '-qmp', 'unix:r.sock'], first.cwd);
    expect(second.code).toBe(1);
    expect(second.stderr).toBe(`vmledger: cannot create PID file 'vm.pid': process ${first.child.pid} named in it is running\n`);
    expect(readFileSync(join(first.cwd, 'vm.pid'), 'utf8')).toBe(`${first.child.pid}\n`);
    await qmp.cmd('quit');
    expect(await first.exited).toBe(0);
  });
});

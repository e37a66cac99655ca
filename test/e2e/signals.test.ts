/** A host signal ends the VM cleanly whatever phase it is in: the log is sealed and verifies. */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { QmpClient, runVmledger, VmProcess } from './run-vmledger.js';

const running: VmProcess[] = [];
afterEach(() => running.splice(0).forEach((p) => p.kill()));

describe('SIGTERM', () => {
  it('ends a VM whose machine is chosen but not built yet with status 0, and its log verifies', async () => {
    const vm = new VmProcess(['-S', '-display', 'none', '-serial', 'null', '-log', 'vm.db', '-qmp', 'unix:q.sock']);
    running.push(vm);
    const qmp = await QmpClient.connect(join(vm.cwd, 'q.sock'));
    await qmp.cmd('machine-set', { type: 'virt' });
    vm.child.kill('SIGTERM');
    expect(await vm.exited).toBe(0);
    expect(vm.stderr).toBe('vmledger: terminating on signal SIGTERM\n');
    const verify = await runVmledger(['log', 'verify', 'vm.db', '--json'], vm.cwd);
    expect(verify.code).toBe(0);
  });
});

import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_FIRMWARE, QmpClient, runVmledger, VmProcess } from './run-vmledger.js';

const running: VmProcess[] = [];
afterEach(() => running.splice(0).forEach((p) => p.kill()));

describe('command-log options', () => {
  it('-log-queries records queries too; without it only changes are logged', async () => {
    for (const withQueries of [true, false]) {
      const vm = new VmProcess(['-M', 'virt', '-bios', DEMO_FIRMWARE, '-display', 'none', '-serial', 'null', '-log', 'vm.db', '-qmp', 'unix:q.sock', ...(withQueries ? ['-log-queries'] : [])]);
      running.push(vm);
      const qmp = await QmpClient.connect(join(vm.cwd, 'q.sock'));
      await qmp.cmd('query-status');
      await qmp.cmd('quit');
      expect(await vm.exited).toBe(0);
      const audit = await runVmledger(['log', 'audit', 'vm.db', '--command', 'query-status'], vm.cwd);
      expect(audit.stdout.includes('query-status')).toBe(withQueries);
    }
  });
});

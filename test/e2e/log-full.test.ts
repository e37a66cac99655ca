/**
 * A real full disk, as far as the program can tell: vmledger runs under a
 * file-size limit (`ulimit -f`, RLIMIT_FSIZE), so once the log's WAL reaches
 * it every write fails with EFBIG, exactly as on a full filesystem. The change
 * that could not be recorded is undone; queries, stop and quit still work;
 * the log verifies and replays.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_FIRMWARE, QmpClient, runVmledger, VMLEDGER, VmProcess } from './run-vmledger.js';
import { join } from 'node:path';

const running: VmProcess[] = [];
afterEach(() => running.splice(0).forEach((p) => p.kill()));

/** 1 MiB in the 512-byte blocks of POSIX sh's `ulimit -f`: room for the log's first few hundred entries. */
const LIMIT_BLOCKS = 2048;

function limitedVm(extra: readonly string[]): VmProcess {
  const args = ['-M', 'virt', '-bios', DEMO_FIRMWARE, '-display', 'none', '-serial', 'null', '-log', 'vm.db', '-qmp', 'unix:q.sock', ...extra];
  const vm = new VmProcess(args, undefined, ['sh', '-c', `ulimit -f ${LIMIT_BLOCKS} && exec "$0" "$@"`, process.execPath, VMLEDGER]);
  running.push(vm);
  return vm;
}

const desc = (e: unknown) => (e as { desc: string }).desc;

describe('a log on a full disk', () => {
  for (const action of ['refuse-changes', 'stop'] as const) {
    it(`with -log-on-error ${action}: the change that could not be written is undone, and stop, quit and queries still work`, async () => {
      const vm = limitedVm(action === 'stop' ? ['-log-on-error', 'stop'] : []);
      const qmp = await QmpClient.connect(join(vm.cwd, 'q.sock'));
      let acknowledged: string | undefined;
      let failure: string | undefined;
      // Each name is committed (or not) before the next is sent; the limit is reached within a few hundred.
      for (let i = 0; failure === undefined && i < 100_000; i++) {
        const name = `vm-${i}-${'x'.repeat(200)}`;
        await qmp.cmd('set-name', { name }).then(
          () => (acknowledged = name),
          (e: unknown) => (failure = desc(e)),
        );
      }
      expect(failure).toMatch(/^Command log write failed: .+; the command was undone$/);
      expect(acknowledged).toBeDefined();
      expect(await qmp.cmd('query-name')).toEqual({ name: acknowledged });
      expect(await qmp.cmd('query-status')).toMatchObject({ status: action === 'stop' ? 'paused' : 'running' });
      expect(desc(await qmp.cmd('set-name', { name: 'refused' }).catch((e: unknown) => e))).toMatch(/^Changes are refused: the command log could not be written/);
      await qmp.cmd('stop');
      expect(await qmp.cmd('query-status')).toMatchObject({ status: 'paused' });
      await qmp.cmd('quit');
      expect(await vm.exited).toBe(0);
      expect(vm.stderr).toMatch(/the command log could not be written \(.+\): the commands it could not record were undone/);

      expect((await runVmledger(['log', 'verify', 'vm.db'], vm.cwd)).code).toBe(0);
      expect((await runVmledger(['log', 'replay', 'vm.db'], vm.cwd)).code).toBe(0);
      const audit = await runVmledger(['log', 'audit', 'vm.db', '--command', 'set-name', '--last', '1', '--args', '--json'], vm.cwd);
      expect(audit.stdout).toContain(acknowledged);
    });
  }
});

import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dropTriggers, rechain } from '../log/fixtures/tamper.js';
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

  it('-log-key signs the log: checkpoints go to the witnesses and out as QMP events, verify --key accepts it and names a rewrite', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'vmledger-e2e-'));
    expect((await runVmledger(['log', 'keygen', 'vm.key'], cwd)).code).toBe(0);
    const vm = new VmProcess(['-M', 'virt', '-bios', DEMO_FIRMWARE, '-display', 'none', '-serial', 'null', '-S', '-log', 'vm.db', '-qmp', 'unix:q.sock',
      '-log-key', 'vm.key', '-log-checkpoint', 'entries=2', '-log-witness', 'file:witness.txt', '-log-witness', 'stderr'], cwd);
    running.push(vm);
    const qmp = await QmpClient.connect(join(vm.cwd, 'q.sock'));
    for (const reboot of ['shutdown', 'reset', 'shutdown', 'reset']) await qmp.cmd('set-action', { reboot });
    const event = (await qmp.event('LOG_CHECKPOINT')).data as Record<string, unknown>;
    expect(event).toMatchObject({ kind: 'checkpoint', root: expect.stringMatching(/^[0-9a-f]{64}$/), 'key-id': expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect((event.size as number) % 2).toBe(0);
    await qmp.cmd('quit');
    expect(await vm.exited).toBe(0);

    for (const file of ['vm.db', 'witness.txt']) expect((statSync(join(vm.cwd, file)).mode & 0o777).toString(8), file).toBe('600');
    const witnessed = readFileSync(join(vm.cwd, 'witness.txt'), 'utf8');
    expect(witnessed).toMatch(/^vmledger checkpoint\nlog [0-9a-f]{32}\nsize 2\n/);
    expect(witnessed).toMatch(/\n\nvmledger seal\n(.+\n){5}signature [0-9a-f]{16} \S+\n\n$/);
    expect(vm.stderr).toMatch(/vmledger: log checkpoint 2:[0-9a-f]{64} \(signed by key [0-9a-f]{16}\)\n/);
    expect(vm.stderr).toMatch(/vmledger: log seal \d+:[0-9a-f]{64} \(signed by key [0-9a-f]{16}\)\n/);

    const verify = (...more: string[]) => runVmledger(['log', 'verify', 'vm.db', ...more], vm.cwd);
    const ok = await verify('--key', 'vm.key.pub', '--witness', 'witness.txt');
    expect(ok.stdout).toMatch(/^OK: \d+ entries, last \d+ [0-9a-f]{64} \(sealed, signed by key [0-9a-f]{16} through entry \d+\)\n/);
    expect(ok.code).toBe(0);

    // Someone with the file rewrites the first entry and recomputes every hash after it.
    const db = new Database(join(vm.cwd, 'vm.db'));
    dropTriggers(db);
    db.prepare("UPDATE entries SET args = '{\"reboot\":\"shutdown\"}' WHERE seq = 1").run();
    rechain(db);
    db.close();
    expect((await verify()).code).toBe(1);
    const signed = await verify('--key', 'vm.key.pub');
    expect(signed.stdout).toMatch(/^FAILED: rewritten at entry 1: the first 2 entries do not match the checkpoint made after entry 2 at .*: an entry among 1..2 was changed/);
    const witness = await verify('--witness', 'witness.txt');
    expect(witness.stdout).toMatch(/FAILED: rewritten at entry 1: the first 2 entries do not match the checkpoint after entry 2 in witness.txt/);
  });

  it('refuses a missing or wrong log key and an unknown witness with one line, before creating a log', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'vmledger-e2e-'));
    writeFileSync(join(cwd, 'not.key'), 'hello\n');
    const cases: Array<[string[], string]> = [
      [['-log-key', 'missing.key'], "vmledger: -log-key: cannot read the log key 'missing.key': ENOENT\n"],
      [['-log-key', 'not.key'], "vmledger: -log-key: 'not.key' is not a private key in PEM form (make one with 'vmledger log keygen')\n"],
      [['-log-witness', 'email:me'], "vmledger: -log-witness: 'email:me' is not a log witness (stderr or file:PATH)\n"],
    ];
    for (const [args, message] of cases) {
      const r = await runVmledger(['-M', 'virt', '-bios', DEMO_FIRMWARE, '-display', 'none', '-serial', 'null', '-log', 'vm.db', ...args], cwd);
      expect(r).toMatchObject({ code: 1, stderr: message });
      expect(existsSync(join(cwd, 'vm.db'))).toBe(false);
    }
  });
});

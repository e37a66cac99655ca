/**
 * `vmledger log run LOG` boots the machine a log recorded: only the log is
 * copied to another directory, as a colleague handed a bug report would,
 * and the run reaches the same configuration (state hash, device placement
 * included) and the same guest.
 */
import Database from 'better-sqlite3';
import { appendFileSync, copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_FIRMWARE, QmpClient, runVmledger, VmProcess } from './run-vmledger.js';

const running: VmProcess[] = [];
afterEach(() => running.splice(0).forEach((p) => p.kill()));

function start(args: string[], cwd?: string): VmProcess {
  const vm = new VmProcess(args, cwd);
  running.push(vm);
  return vm;
}

function stateHash(replayOutput: string): string {
  const m = /state hash: ([0-9a-f]{64})/.exec(replayOutput);
  if (!m) throw new Error(`no state hash in: ${replayOutput}`);
  return m[1];
}

/** A VM with a cold-plugged device, powered off by its guest; the directory holding its log. */
async function recorded(): Promise<string> {
  const vm = start(['-M', 'virt', '-m', '128M', '-bios', DEMO_FIRMWARE, '-serial', 'stdio', '-device', 'virtio-rng-device,id=rng', '-no-reboot', '-log', 'a.db']);
  await vm.waitFor('press q to power off');
  vm.type('q');
  expect(await vm.exited).toBe(0);
  return vm.cwd;
}

describe('vmledger log run', () => {
  it('boots the logged machine from the log alone, in another directory, to the same state hash', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'vmledger-elsewhere-'));
    copyFileSync(join(await recorded(), 'a.db'), join(elsewhere, 'a.db'));
    const vm = start(['log', 'run', 'a.db', '-log', 'b.db'], elsewhere);
    await vm.waitFor('press q to power off');
    vm.type('q');
    expect(await vm.exited).toBe(0);
    const a = await runVmledger(['log', 'replay', 'a.db'], elsewhere);
    const b = await runVmledger(['log', 'replay', 'b.db'], elsewhere);
    expect(b.code).toBe(0);
    expect(stateHash(b.stdout)).toBe(stateHash(a.stdout));
    expect(b.stdout).toContain('/machine/peripheral/rng (virtio-rng-device, realized)');
  });

  it('applies what ran while the original guest ran: a device hot-plugged and a property set over QMP', async () => {
    const vm = start(['-M', 'virt', '-m', '128M', '-bios', DEMO_FIRMWARE, '-qmp', 'unix:vm.qmp,server=on,wait=off', '-log', 'a.db']);
    const qmp = await QmpClient.connect(join(vm.cwd, 'vm.qmp'));
    expect(await qmp.cmd('query-status')).toMatchObject({ status: 'running' });
    await qmp.cmd('device_add', { driver: 'virtio-rng-device', id: 'hot' });
    await qmp.cmd('set-name', { name: 'changed-while-running' });
    await qmp.cmd('quit');
    expect(await vm.exited).toBe(0);
    qmp.socket.destroy();

    const run = start(['log', 'run', 'a.db', '-log', 'b.db'], vm.cwd);
    // The logged monitor is opened again: the run is reachable where the original was.
    const again = await QmpClient.connect(join(vm.cwd, 'vm.qmp'));
    expect(await again.cmd('query-status')).toMatchObject({ status: 'running' });
    expect(await again.cmd('qom-get', { path: '/machine/peripheral/hot', property: 'realized' })).toBe(true);
    expect(await again.cmd('query-name')).toEqual({ name: 'changed-while-running' });
    await again.cmd('quit');
    expect(await run.exited).toBe(0);
    again.socket.destroy();
    const a = await runVmledger(['log', 'replay', 'a.db'], vm.cwd);
    const b = await runVmledger(['log', 'replay', 'b.db'], vm.cwd);
    expect(stateHash(b.stdout)).toBe(stateHash(a.stdout));
  });

  it('refuses a log that does not verify, naming the entry, and starts nothing', async () => {
    const dir = await recorded();
    const db = new Database(join(dir, 'a.db'));
    for (const op of ['update', 'delete']) db.exec(`DROP TRIGGER IF EXISTS entries_no_${op}`);
    db.prepare("UPDATE entries SET args = ? WHERE seq = 2").run('{"forged":true}');
    db.close();
    const r = await runVmledger(['log', 'run', 'a.db', '-log', 'b.db'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/log run: the log does not verify \(altered at entry 2: /);
    expect(existsSync(join(dir, 'b.db'))).toBe(false);
  });

  it('refuses to run when a host file the log referenced changed, unless told to', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vmledger-fw-'));
    copyFileSync(DEMO_FIRMWARE, join(dir, 'fw.bin'));
    const vm = start(['-M', 'virt', '-m', '128M', '-bios', 'fw.bin', '-serial', 'stdio', '-no-reboot', '-log', 'a.db'], dir);
    await vm.waitFor('press q to power off');
    vm.type('q');
    expect(await vm.exited).toBe(0);
    appendFileSync(join(dir, 'fw.bin'), Buffer.from([0]));
    const r = await runVmledger(['log', 'run', 'a.db', '-log', 'b.db'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/log run: file fw\.bin \(.*fw\.bin\) was \d+ bytes when recorded, is \d+ now; this would not be the logged machine \(--allow-changed-files runs it anyway\)/);
    expect(existsSync(join(dir, 'b.db'))).toBe(false);
  });

  it('opens relative host paths as the log typed them: under --root, else the working directory', async () => {
    const recordedIn = mkdtempSync(join(tmpdir(), 'vmledger-root-'));
    copyFileSync(DEMO_FIRMWARE, join(recordedIn, 'fw.bin'));
    const vm = start(['-M', 'virt', '-m', '128M', '-bios', 'fw.bin', '-serial', 'stdio', '-no-reboot', '-log', 'a.db'], recordedIn);
    await vm.waitFor('press q to power off');
    vm.type('q');
    expect(await vm.exited).toBe(0);
    const elsewhere = mkdtempSync(join(tmpdir(), 'vmledger-elsewhere-'));
    copyFileSync(join(recordedIn, 'a.db'), join(elsewhere, 'a.db'));

    const without = await runVmledger(['log', 'run', 'a.db', '-log', 'b.db'], elsewhere);
    expect(without.code).toBe(1);
    expect(without.stderr).toContain(`file fw.bin (${join(elsewhere, 'fw.bin')}) referenced by the configuration is missing`);

    const run = start(['log', 'run', 'a.db', '--root', recordedIn, '-log', 'b.db'], elsewhere);
    await run.waitFor('press q to power off');
    run.type('q');
    expect(await run.exited).toBe(0);
    // The run's own log stays where it was asked for, not under the root.
    expect(existsSync(join(elsewhere, 'b.db'))).toBe(true);
    expect(existsSync(join(recordedIn, 'b.db'))).toBe(false);
  });

  it('a bundle with its files runs on its own in another directory', async () => {
    const recordedIn = mkdtempSync(join(tmpdir(), 'vmledger-bundle-'));
    copyFileSync(DEMO_FIRMWARE, join(recordedIn, 'fw.bin'));
    const vm = start(['-M', 'virt', '-m', '128M', '-bios', 'fw.bin', '-serial', 'stdio', '-no-reboot', '-log', 'a.db'], recordedIn);
    await vm.waitFor('press q to power off');
    vm.type('q');
    expect(await vm.exited).toBe(0);
    const made = await runVmledger(['log', 'bundle', 'a.db', '-o', 'bug.vmlb', '--with-files'], recordedIn);
    expect(made.code).toBe(0);
    expect(made.stdout).toMatch(/^bundle bug\.vmlb: \d+ entries \(sealed\), files fw\.bin\n$/);

    const elsewhere = mkdtempSync(join(tmpdir(), 'vmledger-elsewhere-'));
    copyFileSync(join(recordedIn, 'bug.vmlb'), join(elsewhere, 'bug.vmlb'));
    expect((await runVmledger(['log', 'verify', 'bug.vmlb'], elsewhere)).code).toBe(0);
    const run = start(['log', 'run', 'bug.vmlb', '-log', 'b.db'], elsewhere);
    await run.waitFor('press q to power off');
    run.type('q');
    expect(await run.exited).toBe(0);
    const a = await runVmledger(['log', 'replay', 'bug.vmlb'], elsewhere);
    const b = await runVmledger(['log', 'replay', 'b.db'], elsewhere);
    expect(stateHash(b.stdout)).toBe(stateHash(a.stdout));
  });

  it('prints its help', async () => {
    const r = await runVmledger(['log', 'run', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: vmledger log run LOG \[--to SEQ\] \[--root DIR\] \[--allow-changed-files\] \[OPTIONS\.\.\.\]/);
  });
});

import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_FIRMWARE, runVmledger, VmProcess } from './run-vmledger.js';

const running: VmProcess[] = [];
afterEach(() => running.splice(0).forEach((p) => p.kill()));

describe('vmledger up (the main job)', () => {
  it('with no arguments (npm start) boots the demo firmware: banner, echo, poweroff on q, exit 0, a verifiable log', async () => {
    const vm = new VmProcess(['up']);
    running.push(vm);
    await vm.waitFor('press q to power off');
    expect(vm.stderr).toMatch(/^vmledger: virt machine running the demo firmware; qmp unix:vmledger\.qmp; log vmledger\.db/);
    vm.type('hello\r');
    await vm.waitFor('hello\r\n');
    vm.type('q');
    await vm.waitFor('Powering off');
    expect(await vm.exited).toBe(0);

    const verify = await runVmledger(['log', 'verify', 'vmledger.db'], vm.cwd);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^OK: 4 entries/);
    const replay = await runVmledger(['log', 'replay', 'vmledger.db'], vm.cwd);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain('phase: machine-ready');
    expect(replay.stdout).toContain('/machine/uart0 (ns16550a, realized)');
  });

  it('keeps earlier runs logs as vmledger.db.1, .2, ... rather than mixing two VMs in one log or overwriting one', async () => {
    const first = new VmProcess(['up', 'console.yaml', `firmware=${DEMO_FIRMWARE}`, 'qmp=']);
    running.push(first);
    await first.waitFor('press q');
    first.type('q');
    await first.exited;
    const second = new VmProcess(['up', 'console.yaml', `firmware=${DEMO_FIRMWARE}`, 'qmp='], first.cwd);
    running.push(second);
    await second.waitFor('press q');
    second.type('q');
    expect(await second.exited).toBe(0);
    expect(existsSync(join(first.cwd, 'vmledger.db.1'))).toBe(true);
    const verified = await runVmledger(['log', 'verify', 'vmledger.db.1'], first.cwd);
    expect(verified.code).toBe(0);
    const third = await runVmledger(['-M', 'no-such-board'], first.cwd);
    expect(third.code).toBe(1);
    expect(existsSync(join(first.cwd, 'vmledger.db.2'))).toBe(true);
    expect((await runVmledger(['log', 'verify', 'vmledger.db.1'], first.cwd)).stdout).toBe(verified.stdout);
  });

  it('a failing command line exits non-zero and logs the failed option; a -log file that already holds a log is refused', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'vmledger-e2e-'));
    const first = await runVmledger(['-M', 'no-such-board', '-log', 'vm.db'], cwd);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain("'no-such-board' is not a machine type");
    const audit = await runVmledger(['log', 'audit', 'vm.db'], cwd);
    expect(audit.stdout).toMatch(/machine-set\s+(error|failed)/);
    const again = await runVmledger(['-M', 'virt', '-log', 'vm.db'], cwd);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('-log vm.db: the file already holds a log');
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_FIRMWARE, runVmledger, shellWithVmledger, VmProcess } from './run-vmledger.js';

const running: VmProcess[] = [];
afterEach(() => running.splice(0).forEach((p) => p.kill()));

/** Boots the demo firmware with `args`, powers it off with 'q', and returns the process (its cwd holds the log). */
async function bootAndPowerOff(args: string[], cwd?: string): Promise<VmProcess> {
  const vm = new VmProcess(args, cwd);
  running.push(vm);
  await vm.waitFor('press q to power off');
  vm.type('q');
  expect(await vm.exited).toBe(0);
  return vm;
}

function stateHash(replayOutput: string): string {
  const m = /state hash: ([0-9a-f]{64})/.exec(replayOutput);
  if (!m) throw new Error(`no state hash in: ${replayOutput}`);
  return m[1];
}

describe('vmledger export', () => {
  it('exports a log as a command line that rebuilds the same state hash', async () => {
    const first = await bootAndPowerOff(['-M', 'virt', '-m', '256M', '-smp', '2', '-name', 'exported', '-bios', DEMO_FIRMWARE, '-serial', 'stdio', '-no-reboot', '-log', 'a.db']);
    const exported = await runVmledger(['export', 'a.db', '--format', 'cli'], first.cwd);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/^vmledger /);
    const second = shellWithVmledger(`${exported.stdout.trim()} -log b.db`, first.cwd);
    running.push(second);
    await second.waitFor('press q to power off');
    second.type('q');
    expect(await second.exited).toBe(0);
    const a = await runVmledger(['log', 'replay', 'a.db'], first.cwd);
    const b = await runVmledger(['log', 'replay', 'b.db'], first.cwd);
    expect(stateHash(b.stdout)).toBe(stateHash(a.stdout));
  });

  it('names a missing log and an unknown format', async () => {
    expect((await runVmledger(['export', 'nope.db'])).stderr).toContain("export: 'nope.db': No such file or directory");
    expect((await runVmledger(['export', 'x.db', '--format', 'xml'])).stderr).toContain("unknown format 'xml' (commands, cli, qmp)");
  });

  it('the human monitor exports the live configuration (export_config)', async () => {
    const vm = new VmProcess(['-M', 'virt', '-bios', DEMO_FIRMWARE, '-nographic', '-name', 'live']);
    running.push(vm);
    await vm.waitFor('press q to power off');
    vm.type('\x01c');
    await vm.waitFor('(vmledger) ');
    vm.type('export_config cli\r');
    await vm.waitFor('-name live');
    expect(vm.stdout).toContain('-machine virt');
  });
});

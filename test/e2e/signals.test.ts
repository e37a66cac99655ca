/**
 * A host signal (systemd's or `timeout`'s SIGTERM, Ctrl-C's SIGINT, a
 * hang-up) ends the VM as QEMU's ends, whatever phase it is in: one line
 * "terminating on signal N", status 0, the SHUTDOWN event with reason
 * host-signal, the log sealed and checkpointed (no -wal or -shm left), and
 * the sockets the VM created removed.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_FIRMWARE, onTerminal, QmpClient, runVmledger, VmProcess } from './run-vmledger.js';
import { describeNeeding, lacking } from '../needs.js';

const running: VmProcess[] = [];
afterEach(() => running.splice(0).forEach((p) => p.kill()));

/** QEMU's numbers for the signals, as its line prints them. */
const SIGNALS = [
  ['SIGTERM', 15],
  ['SIGINT', 2],
  ['SIGHUP', 1],
] as const;

/** How to bring a VM started with -S to each phase, and the run state `query-status` then says. */
const PHASES: ReadonlyArray<{ name: string; machine: boolean; reach: (qmp: QmpClient) => Promise<unknown>; status: string }> = [
  { name: 'prelaunch, no machine chosen yet', machine: false, reach: async () => undefined, status: 'prelaunch' },
  { name: 'prelaunch under -S, machine chosen', machine: true, reach: async () => undefined, status: 'prelaunch' },
  { name: 'running', machine: true, reach: (qmp) => qmp.cmd('cont'), status: 'running' },
  { name: 'paused', machine: true, reach: async (qmp) => (await qmp.cmd('cont'), qmp.cmd('stop')), status: 'paused' },
];

/** A VM with a QMP socket, a socket chardev it listens on (the serial port) and a log, started with -S. */
function startVm(machine: boolean, extra: readonly string[] = []): VmProcess {
  const vm = new VmProcess([
    ...(machine ? ['-M', 'virt', '-bios', DEMO_FIRMWARE] : []),
    '-S', '-display', 'none', '-log', 'vm.db', '-qmp', 'unix:q.sock,server=on,wait=off',
    '-chardev', 'socket,id=con,path=con.sock,server=on,wait=off', ...(machine ? ['-serial', 'chardev:con'] : []),
    ...extra,
  ]);
  running.push(vm);
  return vm;
}

/** What a cleanly ended VM leaves in its folder: the sealed log alone, no SQLite companions, no sockets. */
async function expectCleanEnd(vm: VmProcess): Promise<void> {
  expect(readdirSync(vm.cwd).sort()).toEqual(['vm.db']);
  const verify = await runVmledger(['log', 'verify', 'vm.db', '--json'], vm.cwd);
  expect(verify.code).toBe(0);
  expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, sealed: true });
}

describe.each(SIGNALS)('%s', (signal, number) => {
  it.each(PHASES)('ends a VM in $name with status 0, QEMU\'s line, the SHUTDOWN event, a sealed log and its sockets removed', async (phase) => {
    const vm = startVm(phase.machine);
    const qmp = await QmpClient.connect(join(vm.cwd, 'q.sock'));
    await phase.reach(qmp);
    expect(await qmp.cmd('query-status')).toMatchObject({ status: phase.status });
    const shutdown = qmp.event('SHUTDOWN');
    vm.child.kill(signal);
    expect((await shutdown)['data']).toEqual({ guest: false, reason: 'host-signal' });
    expect(await vm.exited).toBe(0);
    expect(vm.stderr).toBe(`vmledger: terminating on signal ${number}\n`);
    await expectCleanEnd(vm);
  });
});

describe('a signal while the command line waits', () => {
  it('ends a VM whose socket chardev waits for its first client (server=on): the wait ends, the log is sealed, the socket removed', async () => {
    const vm = new VmProcess(['-M', 'virt', '-display', 'none', '-log', 'vm.db', '-chardev', 'socket,id=con,path=con.sock,server=on', '-serial', 'chardev:con']);
    running.push(vm);
    await vm.waitFor('waiting for connection on: unix:', 30_000, 'stderr');
    vm.child.kill('SIGTERM');
    expect(await vm.exited).toBe(0);
    expect(vm.stderr).toMatch(/waiting for connection on: unix:.*\nvmledger: terminating on signal 15\n$/);
    await expectCleanEnd(vm);
  });
});

describe('a signal and -action', () => {
  it('ends the VM even when -no-shutdown turns a guest poweroff into a pause, as QEMU does', async () => {
    const vm = startVm(true, ['-no-shutdown']);
    const qmp = await QmpClient.connect(join(vm.cwd, 'q.sock'));
    await qmp.cmd('cont');
    vm.child.kill('SIGTERM');
    expect(await vm.exited).toBe(0);
    expect(existsSync(join(vm.cwd, 'vm.db-wal'))).toBe(false);
  });
});

describeNeeding('Ctrl-C on the terminal', lacking('script'), () => {
  it('ends a VM whose console is the terminal (-serial stdio keeps the terminal\'s signals, as QEMU\'s signal=on), and the banner of vmledger up says so', async () => {
    const vm = onTerminal(['up', 'console.yaml', 'qmp=']);
    running.push(vm);
    await vm.waitFor('press q to power off');
    expect(vm.stdout).toContain('Ctrl-C ends the VM');
    vm.type('\x03');
    await vm.waitFor('vmledger: terminating on signal 2');
    expect(await vm.exited).toBe(0);
    expect(readdirSync(vm.cwd)).toEqual(['vmledger.db']);
  });
});

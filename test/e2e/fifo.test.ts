/**
 * Host files named by a command are opened without blocking the event loop.
 * Before, `object-add qom-type=rng-random filename=FIFO` opened the FIFO with
 * openSync and the whole process waited for a writer: every client froze.
 * Now each command that names a FIFO fails at once, with the reason, while
 * another client goes on being answered.
 */
import { execFileSync } from 'node:child_process';
import { openSync, closeSync, constants } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { QmpClient, VmProcess } from './run-vmledger.js';

const running: VmProcess[] = [];
afterEach(() => running.splice(0).forEach((p) => p.kill()));

const desc = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e as { desc: string }).desc);

describe('a FIFO named as a host file', () => {
  it('fails the command that names it, at once and with the reason, while another client is answered', async () => {
    const vm = new VmProcess(['-S', '-M', 'virt', '-display', 'none', '-serial', 'null', '-log', 'vm.db', '-qmp', 'unix:q.sock']);
    running.push(vm);
    const fifo = join(vm.cwd, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const a = await QmpClient.connect(join(vm.cwd, 'q.sock'));
    const b = await QmpClient.connect(join(vm.cwd, 'q.sock'));
    const isFifo = `it is a FIFO; expected a regular file or a character device`;

    const [rng, status] = await Promise.all([desc(a.cmd('object-add', { 'qom-type': 'rng-random', id: 'rng0', filename: fifo })), b.cmd('query-status')]);
    expect(rng).toBe(`Could not open '${fifo}': ${isFifo}`);
    expect(status).toMatchObject({ status: 'prelaunch' });

    // Written to with nobody reading: no reader, no device.
    expect(await desc(a.cmd('chardev-add', { id: 'c0', backend: { type: 'file', data: { out: fifo } } }))).toBe(`Could not open '${fifo}': No such device or address`);
    // With a reader at the other end it opens, and is refused for what it is.
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      expect(await desc(a.cmd('chardev-add', { id: 'c1', backend: { type: 'file', data: { out: fifo } } }))).toBe(`Could not open '${fifo}': ${isFifo}`);
    } finally {
      closeSync(reader);
    }
    expect(await desc(a.cmd('blockdev-add', { driver: 'file', 'node-name': 'd0', filename: fifo }))).toBe(`Could not open '${fifo}': it is a FIFO; expected a regular file`);
    await a.cmd('machine-set', { kernel: fifo });
    expect(await desc(a.cmd('cont'))).toBe(`kernel '${fifo}': Could not open '${fifo}': it is a FIFO; expected a regular file`);
    expect(await b.cmd('query-status')).toMatchObject({ status: 'prelaunch' });
    await b.cmd('quit');
    expect(await vm.exited).toBe(0);
  });
});

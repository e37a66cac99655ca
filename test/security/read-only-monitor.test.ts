import net from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKernel, type Kernel } from '../../kernel/index.js';
import { SqliteLogStore } from '../../kernel/log/sqlite-log-store.js';
import { DEFAULT_PLUGINS } from '../../main/default-plugins.js';
import { runCommandLine } from '../../transports/cli/index.js';
import { QmpClient, tempDir } from '../qmp/qmp-client.js';

const api = { transport: 'api' };
const kernels: Kernel[] = [];

afterEach(async () => {
  for (const k of kernels.splice(0)) await k.close();
});

async function kernel(log?: SqliteLogStore): Promise<Kernel> {
  const k = await createKernel({ plugins: DEFAULT_PLUGINS, log });
  kernels.push(k);
  return k;
}

const REFUSED = (command: string) => `The command ${command} is not allowed: this monitor is read-only (queries only)`;

/** Sends HMP lines and collects what the session prints until it has answered all of them. */
async function hmp(path: string, lines: string[]): Promise<string> {
  const s = net.connect(path);
  let out = '';
  s.on('data', (d) => (out += d.toString()));
  const prompts = () => out.split('(vmledger) ').length - 1;
  while (prompts() < 1) await new Promise((r) => setTimeout(r, 10));
  for (const [i, line] of lines.entries()) {
    s.write(`${line}\n`);
    while (prompts() < i + 2) await new Promise((r) => setTimeout(r, 10));
  }
  s.destroy();
  return out;
}

describe('read-only monitors (for dashboards): queries only', () => {
  it('a read-only QMP monitor answers queries and refuses every change with a clear error, which the log records', async () => {
    const dir = tempDir();
    const log = SqliteLogStore.open(join(dir, 'log.db'));
    const k = await kernel(log);
    await k.execute('monitor-add', { protocol: 'qmp', endpoint: `unix:${join(dir, 'dash.qmp')}`, 'read-only': true }, api);
    k.setConfigured();
    const client = await QmpClient.connect(`unix:${join(dir, 'dash.qmp')}`);
    await client.negotiate();
    expect(await client.cmd('query-status')).toMatchObject({ return: { status: 'prelaunch' } });
    for (const [command, args] of [['set-name', { name: 'x' }], ['qom-set', { path: '/settings', property: 'name', value: 'x' }], ['quit', undefined], ['monitor-add', { protocol: 'qmp', endpoint: 'stdio' }]] as const)
      expect(await client.cmd(command, args)).toEqual({ error: { class: 'GenericError', desc: REFUSED(command) } });
    expect(await client.cmd('query-name')).toEqual({ return: {} });
    client.close();
    const refused = [...log.entries()].filter((e) => e.command === 'set-name');
    expect(refused).toMatchObject([{ applied: false, origin: { transport: 'qmp', readOnly: true } }]);
  });

  it('query-monitors says which monitors are read-only', async () => {
    const dir = tempDir();
    const k = await kernel();
    await k.execute('monitor-add', { id: 'dash', protocol: 'qmp', endpoint: `unix:${join(dir, 'd.qmp')}`, 'read-only': true }, api);
    await k.execute('monitor-add', { id: 'admin', protocol: 'qmp', endpoint: `unix:${join(dir, 'a.qmp')}` }, api);
    expect(await k.execute('query-monitors', {}, api)).toEqual([
      { id: 'dash', description: `qmp unix:${join(dir, 'd.qmp')} (read-only)` },
      { id: 'admin', description: `qmp unix:${join(dir, 'a.qmp')}` },
    ]);
  });

  it('a read-only human monitor shows information and refuses changes', async () => {
    const dir = tempDir();
    const k = await kernel();
    await k.execute('monitor-add', { protocol: 'hmp', endpoint: `unix:${join(dir, 'h.sock')}`, 'read-only': true }, api);
    k.setConfigured();
    const out = await hmp(join(dir, 'h.sock'), ['info status', 'stop', 'quit']);
    expect(out).toContain('VM status: paused (prelaunch)');
    expect(out).toContain(`Error: ${REFUSED('stop')}`);
    expect(out).toContain(`Error: ${REFUSED('quit')}`);
    expect(k.runState).toBe('prelaunch');
  });

  it('the command line makes one with -qmp PATH,read-only=on', async () => {
    const dir = tempDir();
    const k = await kernel();
    const io = { err: '', stdout() {}, stderr(s: string) { this.err += s; } };
    const outcome = await runCommandLine(['-qmp', `unix:${join(dir, 'q.sock')},server=on,wait=off,read-only=on`, '-S'], k, io);
    expect(io.err).toBe('');
    expect(outcome.status).toBe('running');
    const client = await QmpClient.connect(`unix:${join(dir, 'q.sock')}`);
    await client.negotiate();
    expect(await client.cmd('set-name', { name: 'x' })).toMatchObject({ error: { desc: REFUSED('set-name') } });
    client.close();
  });
});

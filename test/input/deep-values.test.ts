/**
 * A value that cannot be serialized (nested 200,000 deep, cyclic) fails the
 * one command that carries or returns it, with a clear error, and never the
 * log: later changes, `quit` included, still run and are recorded. Before, a
 * client could open a monitor with its own parser limits, send such a value,
 * and every later change was refused for the life of the process.
 */
import { describe, expect, it } from 'vitest';
import { createKernel, defineCommand, definePlugin, t, type Kernel, type QmpError } from '../../kernel/index.js';
import { canonicalJson } from '../../kernel/canonical-json.js';
import { canonicalText } from '../../kernel/log/canonical-text.js';
import { replayLog } from '../../kernel/log/replay.js';
import { SqliteLogStore } from '../../kernel/log/sqlite-log-store.js';
import { verifyLog } from '../../kernel/log/verify.js';
import { openQmp, qmpPlugin } from '../../transports/qmp/index.js';
import { QmpClient } from '../qmp/qmp-client.js';
import { LoggedKernels } from '../log/fixtures/logged-kernels.js';

const API = { transport: 'api', client: 'test' };

/** `{"a":{"a":...{}}}`, `depth` levels, built without recursion. */
function nested(depth: number): Record<string, unknown> {
  let v: Record<string, unknown> = {};
  for (let i = 1; i < depth; i++) v = { a: v };
  return v;
}

/** Commands whose results or internal state the log and the state hash cannot serialize. */
const hostilePlugin = definePlugin({
  name: 'hostile',
  version: '1.0.0',
  setup(host) {
    host.type({ name: 'x-holder', parent: 'object', interfaces: ['user-creatable'], props: { data: { type: t.any(), settable: 'never' } } });
    host.command(
      defineCommand({
        name: 'x-cyclic-result',
        args: t.empty(),
        returns: t.any(),
        phases: 'any',
        kind: 'change',
        effects: ['configuration'],
        doc: 'Renames the VM, then returns a cycle',
        handler(_args, ctx) {
          ctx.objects.set('/settings', 'name', 'changed', ctx);
          const cycle: Record<string, unknown> = {};
          cycle.self = cycle;
          return cycle;
        },
      }),
    );
    host.command(
      defineCommand({
        name: 'x-deep-state',
        args: t.object({ id: t.str() }),
        returns: t.empty(),
        phases: 'any',
        kind: 'change',
        effects: ['configuration'],
        doc: 'Stores a value nested 200,000 deep in an object the state hash covers',
        handler({ id }, ctx) {
          ctx.objects.setInternal(`/objects/${id}`, 'data', nested(200_000));
          return {};
        },
      }),
    );
  },
});

const vms = new LoggedKernels(() => [qmpPlugin, hostilePlugin]);

/** After the hostile command: a change and quit still run, the log verifies and replays to the live state. */
async function stillLogs(kernel: Kernel, path: string): Promise<void> {
  await kernel.execute('set-name', { name: 'after' }, API);
  await kernel.execute('quit', {}, API);
  const live = kernel.stateHash();
  await kernel.close();
  vms.kernels.length = 0;
  expect(verifyLog(path).ok).toBe(true);
  const store = SqliteLogStore.open(path, { readonly: true });
  const target = await createKernel({ plugins: [qmpPlugin, hostilePlugin], mode: 'replay' });
  vms.kernels.push(target);
  const result = await replayLog(store, target);
  const last = store.tail(2).map((e) => e.command);
  store.close();
  expect(result.ok).toBe(true);
  expect(target.stateHash()).toBe(live);
  expect(last).toEqual(['set-name', 'quit']);
}

const errorOf = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => (e as QmpError).desc);

describe('values that cannot be serialized', () => {
  it('monitor-add refuses options a client could use to choose its own parser limits', async () => {
    const { kernel } = await vms.open();
    const desc = await errorOf(kernel.execute('monitor-add', { protocol: 'qmp', endpoint: `unix:${vms.tmp.path('m.qmp')}`, limits: { maxDepth: 1_000_000 } }, API));
    expect(desc).toBe("Parameter 'limits' is unexpected");
    expect(await kernel.execute('query-monitors', {}, API)).toEqual([]);
  });

  it('arguments nested 200,000 deep fail that command only; later changes and quit are recorded', async () => {
    const { kernel, path } = await vms.open();
    const before = kernel.stateHash();
    expect(await errorOf(kernel.execute('set-name', { name: 'x', deep: nested(200_000) }, API))).toBe('The arguments of set-name are refused: nests deeper than 1024 levels');
    expect(kernel.stateHash()).toBe(before);
    await stillLogs(kernel, path);
  });

  it('the same over QMP, from a monitor whose parser would take any depth', async () => {
    const { kernel, path } = await vms.open();
    kernel.setConfigured();
    // The program may choose such limits for a monitor of its own; a client no longer can.
    const ep = await openQmp(`unix:${vms.tmp.path('vm.qmp')}`, kernel.host, { limits: { maxDepth: 1_000_000, maxMessageChars: 64 << 20 } });
    vms.endpoints.push(ep);
    const c = await QmpClient.connect(ep.endpoint);
    await c.negotiate();
    c.send(`{"execute":"set-name","arguments":{"name":"x","deep":${'['.repeat(200_000)}${']'.repeat(200_000)}},"id":1}`);
    expect(await c.reply()).toEqual({ id: 1, error: { class: 'GenericError', desc: 'The arguments of set-name are refused: nests deeper than 1024 levels' } });
    expect(await c.cmd('set-name', { name: 'next' }, 2)).toEqual({ return: {}, id: 2 });
    c.close();
    await stillLogs(kernel, path);
  });

  it('a cyclic result fails its command, which is rolled back, and the log goes on', async () => {
    const { kernel, path } = await vms.open();
    const before = kernel.stateHash();
    expect(await errorOf(kernel.execute('x-cyclic-result', {}, API))).toBe('The result of x-cyclic-result cannot be recorded: nests deeper than 2048 levels');
    expect(kernel.objects.get('/settings').get('name')).toBeUndefined();
    expect(kernel.stateHash()).toBe(before);
    await stillLogs(kernel, path);
  });

  it('state the state hash cannot serialize fails its command, which is rolled back', async () => {
    const { kernel, path } = await vms.open();
    await kernel.execute('object-add', { 'qom-type': 'x-holder', id: 'h' }, API);
    const before = kernel.stateHash();
    expect(await errorOf(kernel.execute('x-deep-state', { id: 'h' }, API))).toBe('The value nests deeper than 2048 levels');
    expect(kernel.objects.get('/objects/h').get('data')).toBeUndefined();
    expect(kernel.stateHash()).toBe(before);
    await stillLogs(kernel, path);
  });

  it('canonical JSON names excessive depth instead of overflowing the stack', () => {
    const deep = nested(200_000);
    expect(() => canonicalText(deep)).toThrow('The value nests deeper than 2048 levels');
    expect(() => canonicalJson(deep)).toThrow('The value nests deeper than 2048 levels');
    expect(canonicalText(nested(2048))).toBe(canonicalJson(nested(2048)));
  });
});

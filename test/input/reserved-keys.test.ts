/**
 * Keys that name a property every object inherits (`__proto__`, `constructor`,
 * `toString`, ...) are refused wherever text becomes data: QMP, HMP, the
 * command line (keyval and JSON), config files (YAML and JSON5), the kernel
 * API, and a log being replayed. Before, `{"__proto__": {"name": "hidden"}}`
 * set the arguments' prototype: the command ran with the inherited value and
 * was logged as `{}`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createKernel, type Kernel, type QmpError } from '../../kernel/index.js';
import { replayLog } from '../../kernel/log/replay.js';
import { SqliteLogStore } from '../../kernel/log/sqlite-log-store.js';
import { verifyLog } from '../../kernel/log/verify.js';
import { DEFAULT_PLUGINS } from '../../main/default-plugins.js';
import { parseKeyval, runCommandLine } from '../../transports/cli/index.js';
import { loadConfigFile } from '../../transports/config/index.js';
import { runHmpLine } from '../../transports/hmp/index.js';
import { JsonStreamParser, openQmp } from '../../transports/qmp/index.js';
import { captureIo } from '../cli/fixtures.js';
import { draft } from '../log/fixtures/drafts.js';
import { QmpClient } from '../qmp/qmp-client.js';
import { LoggedKernels } from '../log/fixtures/logged-kernels.js';

const API = { transport: 'api', client: 'test' };
const vms = new LoggedKernels(() => [...DEFAULT_PLUGINS]);

function loggedCommands(path: string): string[] {
  const store = SqliteLogStore.open(path, { readonly: true });
  try {
    return [...store.entries()].map((e) => `${e.command} ${JSON.stringify(e.args)}`);
  } finally {
    store.close();
  }
}

const name = (k: Kernel) => k.objects.get('/settings').get('name');
const polluted = () => ({}) as Record<string, unknown>;

describe('reserved keys', () => {
  it('QMP: {"__proto__": {"name": "hidden"}} is a parse error; set-name does not run and nothing is logged', async () => {
    const { kernel, path } = await vms.open();
    kernel.setConfigured();
    const ep = await openQmp(`unix:${vms.tmp.path('vm.qmp')}`, kernel.host);
    vms.endpoints.push(ep);
    const c = await QmpClient.connect(ep.endpoint);
    await c.negotiate();
    c.send('{"execute":"set-name","arguments":{"__proto__":{"name":"hidden"}},"id":1}');
    expect(await c.reply()).toEqual({ error: { class: 'GenericError', desc: "JSON parse error, key '__proto__' is reserved" } });
    // The stream recovers at the next value.
    expect(await c.cmd('query-name', undefined, 2)).toEqual({ return: {}, id: 2 });
    c.close();
    expect(name(kernel)).toBeUndefined();
    await kernel.close();
    vms.kernels.length = 0;
    expect(loggedCommands(path).filter((e) => e.startsWith('set-name'))).toEqual([]);
  });

  it('QMP: constructor, toString and the rest are refused at any depth', () => {
    const errors: string[] = [];
    const values: unknown[] = [];
    const parser = new JsonStreamParser({ value: (v) => values.push(v), error: (e) => errors.push(e) });
    parser.feed('{"a":{"b":[{"constructor":{"prototype":{"x":1}}}]}} {"toString":1} {"ok":{"constructors":1}}');
    expect(errors).toEqual(["JSON parse error, key 'constructor' is reserved", "JSON parse error, key 'toString' is reserved"]);
    expect(values).toEqual([{ ok: { constructors: 1 } }]);
  });

  it('HMP and keyval: constructor.prototype.x=1 is refused and pollutes nothing', async () => {
    const { kernel } = await vms.open();
    const ctx = { exec: (c: string, a?: Record<string, unknown>) => kernel.execute(c, a, { transport: 'hmp' }), host: kernel.host, end: () => undefined };
    const out = await runHmpLine('object_add memory-backend-ram,id=m0,size=1M,constructor.prototype.polluted=1', ctx);
    expect(out).toBe("Error: Invalid parameter 'constructor.prototype.polluted': key 'constructor' is reserved");
    expect(polluted().polluted).toBeUndefined();
    expect(kernel.objects.has('/objects/m0')).toBe(false);
    expect(() => parseKeyval('a.toString.x=1')).toThrow("Invalid parameter 'a.toString.x': key 'toString' is reserved");
    expect(() => parseKeyval('__proto__.name=hidden')).toThrow("key '__proto__' is reserved");
  });

  it('command line: keyval and JSON forms refuse reserved keys, naming them', async () => {
    const { kernel } = await vms.open();
    const io = captureIo();
    const keyval = await runCommandLine(['-S', '-object', 'memory-backend-ram,id=m0,size=1M,constructor.prototype.polluted=1'], kernel, io);
    expect(keyval.status).toBe('failed');
    expect(io.err).toContain("key 'constructor' is reserved");
    expect(polluted().polluted).toBeUndefined();
    const io2 = captureIo();
    const json = await runCommandLine(['-S', '-execute', '{"execute":"set-name","arguments":{"__proto__":{"name":"hidden"}}}'], kernel, io2);
    expect(json.status).toBe('failed');
    expect(io2.err).toContain("JSON key '__proto__' is reserved (at 'arguments.__proto__')");
    expect(name(kernel)).toBeUndefined();
  });

  it('config files: YAML and JSON5 entries with a reserved key are refused at their position', () => {
    vms.newFolder();
    writeFileSync(vms.tmp.path('vm.yaml'), '- execute: set-name\n  arguments: { name: shown }\n- execute: set-name\n  arguments: { __proto__: { name: hidden } }\n');
    writeFileSync(vms.tmp.path('vm.json5'), "[{ execute: 'set-name', arguments: { name: 'x', constructor: { prototype: { polluted: 1 } } } }]\n");
    expect(() => loadConfigFile('vm.yaml', { cwd: vms.tmp.dir })).toThrow("vm.yaml:3:3: key '__proto__' is reserved (at 'arguments.__proto__')");
    expect(() => loadConfigFile('vm.json5', { cwd: vms.tmp.dir })).toThrow("vm.json5:1:2: key 'constructor' is reserved (at 'arguments.constructor')");
    expect(polluted().polluted).toBeUndefined();
  });

  it('kernel API: arguments with an own __proto__ member are refused before the command runs, and not logged', async () => {
    const { kernel, path } = await vms.open();
    const args = JSON.parse('{"name":"shown","__proto__":{"x":1}}') as Record<string, unknown>;
    const e = (await kernel.execute('set-name', args, API).catch((x: unknown) => x)) as QmpError;
    expect(e.desc).toBe("The arguments of set-name are refused: key '__proto__' is reserved (at '__proto__')");
    expect(name(kernel)).toBeUndefined();
    await kernel.close();
    vms.kernels.length = 0;
    expect(loggedCommands(path).filter((c) => c.startsWith('set-name'))).toEqual([]);
  });

  it('log reading: a forged entry whose arguments hold __proto__ verifies, but replay stops at it and names the key', async () => {
    vms.newFolder();
    const path = vms.tmp.path('forged.db');
    const store = SqliteLogStore.open(path);
    // Written with consistent hashes, as someone rewriting the whole file could.
    store.append([draft(1, { command: 'set-name', args: JSON.parse('{"__proto__":{"name":"hidden"}}') as Record<string, unknown> })]);
    store.close();
    expect(verifyLog(path).ok).toBe(true);
    const read = SqliteLogStore.open(path, { readonly: true });
    const target = await createKernel({ plugins: [...DEFAULT_PLUGINS], mode: 'replay' });
    vms.kernels.push(target);
    const result = await replayLog(read, target);
    read.close();
    expect(result.mismatch).toMatchObject({ seq: 1, command: 'set-name', error: { desc: "The arguments of set-name are refused: key '__proto__' is reserved (at '__proto__')" } });
    expect(name(target)).toBeUndefined();
  });
});

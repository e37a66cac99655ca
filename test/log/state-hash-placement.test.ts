/**
 * The state hash covers where the board put each device (state-hash format
 * 2): two configurations whose object trees are equal but whose devices sit
 * at other addresses and interrupt lines hash differently. Logs written
 * before (format 1, no `stateHashFormat` in the header) still replay: replay
 * hashes in the log's format.
 */
import { describe, expect, it } from 'vitest';
import { createKernel, STATE_HASH_FORMAT, type Kernel } from '../../kernel/index.js';
import { replayLog } from '../../kernel/log/replay.js';
import { SqliteLogStore } from '../../kernel/log/sqlite-log-store.js';
import { runLogCommand, type Output } from '../../log-tools/index.js';
import { DEFAULT_PLUGINS } from '../../main/default-plugins.js';
import { stateHash1Log } from './fixtures/state-hash-1.js';
import { LoggedKernels } from './fixtures/logged-kernels.js';

const API = { transport: 'api', client: 'placement' };
const vms = new LoggedKernels(() => [...DEFAULT_PLUGINS]);

async function kernel(options: { stateHashFormat?: number; log?: SqliteLogStore } = {}): Promise<Kernel> {
  const k = await createKernel({ plugins: [...DEFAULT_PLUGINS], ...options });
  vms.kernels.push(k);
  return k;
}

type Steps = Array<[string, Record<string, unknown>]>;
const READY: Steps = [
  ['machine-set', { type: 'virt', memory: 64 << 20 }],
  ['until-phase', { phase: 'machine-ready' }],
];
/** `d` ends in the second transport from the top... */
const VIA_DELETED: Steps = [...READY, ['device_add', { driver: 'virtio-rng-device', id: 'c' }], ['device_add', { driver: 'virtio-rng-device', id: 'd' }], ['device_del', { id: 'c' }]];
/** ... and here in the top one: the same tree, another address and interrupt line. */
const DIRECT: Steps = [...READY, ['device_add', { driver: 'virtio-rng-device', id: 'd' }]];

async function hashAfter(steps: Steps, stateHashFormat?: number): Promise<{ hash: string; placement: unknown }> {
  const k = await kernel(stateHashFormat === undefined ? {} : { stateHashFormat });
  for (const [command, args] of steps) await k.execute(command, args, API);
  return { hash: k.stateHash(), placement: k.objects.find('/machine/peripheral/d')!.placement };
}

function collector(): Output & { text: () => string } {
  let text = '';
  return { write: (s: string) => (text += s), text: () => text };
}

describe('state hash and device placement', () => {
  it('differs when the same device sits at another address and interrupt line', async () => {
    const a = await hashAfter(VIA_DELETED);
    const b = await hashAfter(DIRECT);
    expect(a.placement).not.toEqual(b.placement);
    expect(a.hash).not.toBe(b.hash);
  });

  it('format 1 (logs written before) did not see placement', async () => {
    expect((await hashAfter(VIA_DELETED, 1)).hash).toBe((await hashAfter(DIRECT, 1)).hash);
  });

  it('a new log records the state-hash format it was written with', async () => {
    vms.newFolder();
    const store = SqliteLogStore.open(vms.tmp.path('vm.db'));
    await kernel({ log: store });
    expect(store.header()?.stateHashFormat).toBe(STATE_HASH_FORMAT);
  });

  it('a log written before format 2 still replays, every state hash matching', async () => {
    vms.newFolder();
    const path = stateHash1Log(vms.tmp);
    const store = SqliteLogStore.open(path, { readonly: true });
    expect(store.header()?.stateHashFormat).toBeUndefined();
    const replay = await createKernel({ plugins: [...DEFAULT_PLUGINS], mode: 'replay', stateHashFormat: 1 });
    vms.kernels.push(replay);
    const result = await replayLog(store, replay);
    store.close();
    expect(result).toMatchObject({ ok: true, executed: 8 });

    const out = collector();
    const err = collector();
    const code = await runLogCommand(['replay', path], { plugins: [...DEFAULT_PLUGINS], stdout: out, stderr: err });
    expect(err.text()).not.toContain('diverged');
    expect(code).toBe(0);
  });

  it('the same old log does not replay when hashed as format 2: its format is what makes it replay', async () => {
    vms.newFolder();
    const store = SqliteLogStore.open(stateHash1Log(vms.tmp), { readonly: true });
    const replay = await createKernel({ plugins: [...DEFAULT_PLUGINS], mode: 'replay', stateHashFormat: 2 });
    vms.kernels.push(replay);
    const result = await replayLog(store, replay);
    store.close();
    expect(result.ok).toBe(false);
  });

  it('log diff shows the placement that differs between two logs with the same objects', async () => {
    vms.newFolder();
    const paths: string[] = [];
    for (const [name, steps] of [['a.db', VIA_DELETED], ['b.db', DIRECT]] as const) {
      const k = await createKernel({ plugins: [...DEFAULT_PLUGINS], log: SqliteLogStore.open(vms.tmp.path(name)) });
      for (const [command, args] of steps) await k.execute(command, args, API);
      await k.close();
      paths.push(vms.tmp.path(name));
    }
    const out = collector();
    const code = await runLogCommand(['diff', ...paths], { plugins: [...DEFAULT_PLUGINS], stdout: out, stderr: collector() });
    expect(code).toBe(1);
    expect(out.text()).toMatch(/^~ \/machine\/peripheral\/d: placement: \{"irqs":\[7\],"regions":\[\{"base":268464128,.*\}\]\} -> \{"irqs":\[8\],"regions":\[\{"base":268468224,.*\}\]\}\n$/);
  });

  it('a kernel refuses a state-hash format it does not compute', async () => {
    await expect(createKernel({ plugins: [...DEFAULT_PLUGINS], stateHashFormat: 9 })).rejects.toThrow('Unknown state-hash format 9 (this program computes 1, 2)');
  });
});

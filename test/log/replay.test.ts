import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKernel, type Kernel } from '../../kernel/kernel.js';
import { replayLog, type ReplayTarget } from '../../kernel/log/replay.js';
import { SqliteLogStore } from '../../kernel/log/sqlite-log-store.js';
import type { Origin } from '../../kernel/origin.js';
import { drafts, tempDir } from './fixtures/drafts.js';
import { counterPlugin } from './fixtures/plugins.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

const qmp: Origin = { transport: 'qmp', client: '1' };

/** Records a session through a live kernel: objects, bumps, a failure, a query, machine phases. Returns the log path. */
async function recordSession(path: string): Promise<{ finalHash: string; objects: string[] }> {
  const kernel = await createKernel({ plugins: [counterPlugin()], log: SqliteLogStore.open(path) });
  await kernel.execute('object-add', { 'qom-type': 'test-counter', id: 'c1' }, qmp);
  await kernel.execute('object-add', { 'qom-type': 'test-counter', id: 'c2', value: 10 }, qmp);
  await kernel.execute('x-counter-bump', { id: 'c1' }, qmp);
  await expect(kernel.execute('x-counter-bump', { id: 'missing' }, qmp)).rejects.toThrow(/not found/);
  await kernel.execute('query-status', {}, qmp);
  await kernel.execute('machine-set', { type: 'test-board', memory: 4096 }, qmp);
  await kernel.execute('x-counter-bump', { id: 'c2' }, qmp);
  await kernel.execute('until-phase', { phase: 'machine-initialized' }, qmp);
  await kernel.execute('qom-set', { path: '/objects/c1', property: 'value', value: 41 }, qmp);
  await kernel.execute('until-phase', { phase: 'machine-ready' }, qmp);
  await kernel.execute('object-del', { id: 'c2' }, qmp);
  const result = { finalHash: kernel.stateHash(), objects: describeTree(kernel) };
  await kernel.close();
  return result;
}

function describeTree(kernel: Kernel): string[] {
  return [...kernel.objects.walk()].map((o) => `${o.path} ${o.type} ${JSON.stringify(o.values())}`);
}

/** Wraps a kernel to record every state hash replay observes. */
function observing(kernel: Kernel): ReplayTarget & { seen: Array<{ client: string | undefined; hash: string }> } {
  const seen: Array<{ client: string | undefined; hash: string }> = [];
  let last: string | undefined;
  return {
    seen,
    execute: async (command, args, origin) => {
      expect(origin.transport).toBe('replay');
      last = origin.client;
      return kernel.execute(command, args, origin);
    },
    stateHash: () => {
      const hash = kernel.stateHash();
      seen.push({ client: last, hash });
      return hash;
    },
  };
}

describe('replayLog', () => {
  it('reproduces every logged state hash and the final configuration in a fresh kernel', async () => {
    const path = tmp.path('log.db');
    const recorded = await recordSession(path);
    const store = SqliteLogStore.open(path, { readonly: true });
    const logged = [...store.entries()];
    const kernel = await createKernel({ plugins: [counterPlugin()], mode: 'replay' });
    const target = observing(kernel);
    const result = await replayLog(store, target);
    expect(result).toEqual({ ok: true, executed: 9, skipped: 1, lastSeq: 10, stoppedBy: 'end' });
    // Every applied change was replayed with its original seq as client, and matched.
    const applied = logged.filter((e) => e.applied && e.kind === 'change');
    expect(target.seen).toEqual(applied.map((e) => ({ client: String(e.seq), hash: e.stateHash })));
    expect(kernel.stateHash()).toBe(recorded.finalHash);
    expect(kernel.phase).toBe('machine-ready');
    expect(describeTree(kernel)).toEqual(recorded.objects);
    store.close();
    await kernel.close();
  });

  it('replays a log longer than one read of the store, every entry once and in order, and stops at --to wherever it falls', async () => {
    const path = tmp.path('long.db');
    const writer = SqliteLogStore.open(path);
    const total = 10_000;
    writer.append(drafts(total));
    writer.close();
    const store = SqliteLogStore.open(path, { readonly: true });
    const replayTo = async (to?: number) => {
      const clients: string[] = [];
      const target: ReplayTarget = {
        execute: async (_c, _a, origin) => void clients.push(origin.client!),
        // The drafts' state hash after entry n is n in hex.
        stateHash: () => clients.length.toString(16).padStart(64, '0'),
      };
      return { result: await replayLog(store, target, to === undefined ? {} : { to }), clients };
    };
    const all = await replayTo();
    expect(all.result).toEqual({ ok: true, executed: total, skipped: 0, lastSeq: total, stoppedBy: 'end' });
    expect(all.clients).toEqual(Array.from({ length: total }, (_, i) => String(i + 1)));
    const part = await replayTo(8193);
    expect(part.result).toEqual({ ok: true, executed: 8193, skipped: 0, lastSeq: 8193, stoppedBy: 'to' });
    store.close();
  });

  it('skips commands that failed originally: they changed nothing', async () => {
    const path = tmp.path('log.db');
    await recordSession(path);
    const store = SqliteLogStore.open(path, { readonly: true });
    const failed = [...store.entries()].filter((e) => !e.applied);
    expect(failed.map((e) => [e.seq, e.command, e.error?.class])).toEqual([[4, 'x-counter-bump', 'DeviceNotFound']]);
    const executed: string[] = [];
    const kernel = await createKernel({ plugins: [counterPlugin()], mode: 'replay' });
    await replayLog(store, { execute: (c, a, o) => (executed.push(o.client!), kernel.execute(c, a, o)), stateHash: () => kernel.stateHash() });
    expect(executed).not.toContain('4');
    store.close();
  });

  it('stops after --to and at a phase', async () => {
    const path = tmp.path('log.db');
    await recordSession(path);
    const store = SqliteLogStore.open(path, { readonly: true });
    const k1 = await createKernel({ plugins: [counterPlugin()], mode: 'replay' });
    expect(await replayLog(store, k1, { to: 3 })).toEqual({ ok: true, executed: 3, skipped: 0, lastSeq: 3, stoppedBy: 'to' });
    expect(k1.phase).toBe('no-machine');
    expect(k1.stateHash()).toBe([...store.entries({ from: 3, to: 3 })][0]!.stateHash);
    const k2 = await createKernel({ plugins: [counterPlugin()], mode: 'replay' });
    const r2 = await replayLog(store, k2, { untilPhase: 'machine-initialized' });
    expect(r2).toMatchObject({ ok: true, lastSeq: 7, stoppedBy: 'phase' });
    expect(k2.phase).toBe('machine-initialized');
    store.close();
  });

  it('names the first diverging entry when a plugin behaves differently', async () => {
    const path = tmp.path('log.db');
    await recordSession(path);
    const store = SqliteLogStore.open(path, { readonly: true });
    const bump = [...store.entries()].find((e) => e.command === 'x-counter-bump' && e.applied)!;
    const kernel = await createKernel({ plugins: [counterPlugin({ step: 2 })], mode: 'replay' });
    const result = await replayLog(store, kernel);
    expect(result.ok).toBe(false);
    expect(result.stoppedBy).toBe('mismatch');
    expect(result.mismatch).toEqual({ seq: bump.seq, command: 'x-counter-bump', expected: bump.stateHash, actual: kernel.stateHash() });
    expect(result.executed).toBe(3);
    store.close();
  });

  it('names the entry whose replay fails outright', async () => {
    const path = tmp.path('log.db');
    await recordSession(path);
    const db = new Database(path);
    db.exec('DROP TRIGGER entries_no_update');
    db.prepare(`UPDATE entries SET args = '{"id":"nope"}' WHERE seq = 3`).run();
    db.close();
    const store = SqliteLogStore.open(path, { readonly: true });
    const kernel = await createKernel({ plugins: [counterPlugin()], mode: 'replay' });
    const result = await replayLog(store, kernel);
    expect(result.mismatch).toMatchObject({ seq: 3, command: 'x-counter-bump', actual: '', error: { class: 'DeviceNotFound' } });
    store.close();
  });

  it('reports progress with the last seq it will reach', async () => {
    const path = tmp.path('log.db');
    await recordSession(path);
    const store = SqliteLogStore.open(path, { readonly: true });
    const kernel = await createKernel({ plugins: [counterPlugin()], mode: 'replay' });
    const seen: number[] = [];
    await replayLog(store, kernel, { progressInterval: 4, onProgress: (p) => (expect(p.lastSeq).toBe(10), seen.push(p.seq)) });
    expect(seen).toEqual([4, 8, 10]);
    store.close();
  });
});

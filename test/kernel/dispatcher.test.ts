import { describe, expect, it } from 'vitest';
import type { CommandLogStore, LogEntry, LogEntryDraft, LogHeader } from '../../kernel/index.js';
import { API, errorOf, fixtureKernel } from './fixtures.js';

/** Records what the dispatcher appends, and in which batches. */
class MemoryStore implements CommandLogStore {
  batches: LogEntryDraft[][] = [];
  private h: LogHeader | undefined;
  append(drafts: readonly LogEntryDraft[]): LogEntry[] {
    this.batches.push([...drafts]);
    return drafts.map((d, i) => ({ ...d, seq: i, prevHash: '', hash: '' }));
  }
  writeHeader(header: LogHeader): void {
    this.h = header;
  }
  header(): LogHeader | undefined {
    return this.h;
  }
  *entries(): IterableIterator<LogEntry> {}
  tail(): LogEntry[] {
    return [];
  }
  close(): void {}
  all(): LogEntryDraft[] {
    return this.batches.flat();
  }
}

async function readyKernel(store?: MemoryStore) {
  const k = await fixtureKernel({ log: store });
  await k.execute('machine-set', { type: 'toy-machine' }, API);
  await k.execute('device_add', { driver: 'toy-dev', id: 'd0' }, API);
  return k;
}

describe('dispatcher', () => {
  it("answers an error that quotes a client's name on one line, its control characters escaped (found by the fuzz campaign)", async () => {
    const k = await readyKernel();
    expect(await errorOf(k, 'qom-get', { path: '/no\nwhere\u0007', property: 'x' })).toEqual({ class: 'DeviceNotFound', desc: "Device '/no\\nwhere\\u0007' not found" });
  });

  it('runs commands one at a time in arrival order even when handlers are async', async () => {
    const k = await readyKernel();
    const path = '/machine/peripheral/d0';
    const results = await Promise.all([
      k.execute('x-slow-set', { path, label: 'first', delay: 30 }, { transport: 'qmp', client: 'a' }),
      k.execute('x-slow-set', { path, label: 'second', delay: 1 }, { transport: 'qmp', client: 'b' }),
      k.execute('x-slow-set', { path, label: 'third', delay: 10 }, { transport: 'hmp', client: 'c' }),
    ]);
    const orders = results.map((r) => (r as { order: number }).order);
    expect(orders[1]).toBe(orders[0] + 1);
    expect(orders[2]).toBe(orders[1] + 1);
    expect(k.objects.get(path).get('label')).toBe('third');
  });

  it('a failed command changes nothing: properties, objects and run state are rolled back', async () => {
    const store = new MemoryStore();
    const k = await readyKernel(store);
    const before = k.stateHash();
    const e = await errorOf(k, 'x-half-apply', { path: '/machine/peripheral/d0' });
    expect(e.desc).toBe('failed halfway');
    expect(k.stateHash()).toBe(before);
    expect(k.objects.get('/machine/peripheral/d0').get('label')).toBeUndefined();
    expect(k.objects.has('/objects/leftover')).toBe(false);
    expect(k.runState).toBe('prelaunch');
  });

  it('a device that fails to realize while phases advance leaves the phase where it was', async () => {
    const k = await readyKernel();
    await k.execute('device_add', { driver: 'fragile-dev', id: 'f' }, API);
    const before = k.stateHash();
    expect((await errorOf(k, 'cont')).desc).toBe('fragile-dev refuses to realize');
    expect(k.phase).toBe('machine-created');
    expect(k.runState).toBe('prelaunch');
    expect(k.stateHash()).toBe(before);
    expect(k.objects.get('/machine/peripheral/d0').realized).toBe(false);
  });

  it('logs failed change commands as not applied, with their error', async () => {
    const store = new MemoryStore();
    const k = await readyKernel(store);
    await errorOf(k, 'device_add', { driver: 'toy-dev', id: 'd0' });
    const last = store.all().at(-1)!;
    expect(last).toMatchObject({ command: 'device_add', applied: false, error: { class: 'GenericError' } });
  });

  it('does not log queries unless asked', async () => {
    const quiet = new MemoryStore();
    const k = await readyKernel(quiet);
    await k.execute('query-status', {}, API);
    expect(quiet.all().map((d) => d.command)).toEqual(['machine-set', 'device_add']);
    const loud = new MemoryStore();
    const k2 = await fixtureKernel({ log: loud, logQueries: true });
    await k2.execute('query-status', {}, API);
    expect(loud.all().map((d) => d.command)).toEqual(['query-status']);
  });

  it('commits queued commands in one batch (group commit) and records before/after phases', async () => {
    const store = new MemoryStore();
    const k = await readyKernel(store);
    store.batches = [];
    await Promise.all(Array.from({ length: 20 }, (_, i) => k.execute('qom-set', { path: '/machine/peripheral/d0', property: 'label', value: `v${i}` }, API)));
    expect(store.batches.length).toBe(1);
    expect(store.batches[0]).toHaveLength(20);
    expect(store.batches[0][0]).toMatchObject({ phaseBefore: 'machine-created', phaseAfter: 'machine-created', runStateBefore: 'prelaunch' });
  });

  it('releases no reply before its entry is committed', async () => {
    const store = new MemoryStore();
    const k = await readyKernel(store);
    let committed = 0;
    const append = store.append.bind(store);
    store.append = (d) => {
      committed += d.length;
      return append(d);
    };
    const seen: number[] = [];
    await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        k.execute('qom-set', { path: '/machine/peripheral/d0', property: 'label', value: `v${i}` }, API).then(() => seen.push(committed)),
      ),
    );
    expect(seen.every((c) => c >= 5)).toBe(true);
  });

  it('publishes a command events only when it succeeds', async () => {
    const k = await readyKernel();
    await k.execute('cont', {}, API);
    const events: string[] = [];
    k.host.events.subscribe((e) => events.push(e.event));
    await k.execute('device_del', { id: 'd0' }, API);
    await errorOf(k, 'device_del', { id: 'd0' });
    expect(events).toEqual(['DEVICE_DELETED']);
  });

  it('the state hash is the same for the same configuration built the same way', async () => {
    const a = await readyKernel();
    const b = await readyKernel();
    expect(a.stateHash()).toBe(b.stateHash());
    await a.execute('qom-set', { path: '/machine/peripheral/d0', property: 'label', value: 'x' }, API);
    expect(a.stateHash()).not.toBe(b.stateHash());
  });
});

describe('executeNow (the replay fast path)', () => {
  it('runs a synchronous command at once, returning its value without a promise', async () => {
    const k = await readyKernel();
    const value = k.executeNow('qom-get', { path: '/machine/peripheral/d0', property: 'size' }, API);
    expect(value).toBe(1);
    k.executeNow('qom-set', { path: '/machine/peripheral/d0', property: 'label', value: 'now' }, API);
    expect(k.objects.get('/machine/peripheral/d0').get('label')).toBe('now');
  });

  it('throws the QmpError of a failing command and changes nothing', async () => {
    const k = await readyKernel();
    const before = k.stateHash();
    expect(() => k.executeNow('qom-set', { path: '/machine/peripheral/d0', property: 'size', value: 'big' }, API)).toThrow("Invalid parameter type for 'size'");
    expect(k.stateHash()).toBe(before);
  });

  it('gives a promise for an async handler, and commands queued meanwhile still run in order', async () => {
    const k = await readyKernel();
    const path = '/machine/peripheral/d0';
    const first = k.executeNow('x-slow-set', { path, label: 'first', delay: 20 }, API) as Promise<{ order: number }>;
    expect(first).toBeInstanceOf(Promise);
    const second = k.execute('x-slow-set', { path, label: 'second', delay: 1 }, API) as Promise<{ order: number }>;
    const [a, b] = await Promise.all([first, second]);
    expect(b.order).toBe(a.order + 1);
    expect(k.objects.get(path).get('label')).toBe('second');
  });

  it('joins the queue instead of jumping it when commands are waiting', async () => {
    const k = await readyKernel();
    const path = '/machine/peripheral/d0';
    const queued = k.execute('qom-set', { path, property: 'label', value: 'queued' }, API);
    const now = k.executeNow('qom-set', { path, property: 'label', value: 'later' }, API);
    expect(now).toBeInstanceOf(Promise);
    await Promise.all([queued, now]);
    expect(k.objects.get(path).get('label')).toBe('later');
  });
});

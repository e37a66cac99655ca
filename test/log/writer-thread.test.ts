import Database from 'better-sqlite3';
import { readdirSync, statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createKernel, type Kernel } from '../../kernel/kernel.js';
import { QmpError } from '../../kernel/errors.js';
import { CHECKPOINT_EVERY_ENTRIES, SqliteLogStore } from '../../kernel/log/sqlite-log-store.js';
import { hashFields, storedFields } from '../../kernel/log/record-hash.js';
import { verifyLog } from '../../kernel/log/verify.js';
import { drafts, tempDir } from './fixtures/drafts.js';
import { counterPlugin } from './fixtures/plugins.js';

const origin = { transport: 'qmp', client: 'writer-test' };
let tmp: ReturnType<typeof tempDir>;
let kernel: Kernel | undefined;

afterEach(async () => {
  await kernel?.close();
  kernel = undefined;
  tmp?.cleanup();
});

async function counterKernel(path: string, logQueries = false): Promise<Kernel> {
  kernel = await createKernel({ plugins: [counterPlugin()], log: SqliteLogStore.open(path), logQueries });
  await kernel.execute('object-add', { 'qom-type': 'test-counter', id: 'c1' }, origin);
  return kernel;
}

const set = (k: Kernel, value: number) => k.execute('qom-set', { path: '/objects/c1', property: 'value', value }, origin);

/** The process's OS threads (Linux): a worker thread is one more. */
const threads = () => readdirSync('/proc/self/task').length;

describe('the command log written on its own thread', () => {
  it('starts no thread when the log opens, only when asked to or at the first appendAsync', async () => {
    tmp = tempDir();
    const before = threads();
    const store = SqliteLogStore.open(tmp.path('vm.db'));
    expect(threads()).toBe(before);
    store.prepareWriter();
    expect(threads()).toBe(before + 1);
    store.prepareWriter();
    expect(threads()).toBe(before + 1);
    await store.appendAsync(drafts(2));
    expect(store.lastSeq).toBe(2);
    store.close();
  });

  it('chains appendAsync batches exactly as append would, in the order they were submitted', async () => {
    tmp = tempDir();
    const threaded = SqliteLogStore.open(tmp.path('threaded.db'));
    // Failures (an error, no result) and text that needs escaping (multi-byte too) take the other paths through the hash input.
    const all = drafts(300).map((d, i) =>
      i % 7 === 3 ? { ...d, applied: false, result: undefined, error: { class: 'GenericError', desc: `nö "${i}"\n` }, args: { label: 'ä\u0001😀' } } : d,
    );
    await Promise.all([0, 100, 200].map((from) => threaded.appendAsync(all.slice(from, from + 100))));
    // What the kernel's own hashing (the direct append, verify) makes of the same drafts on the same chain.
    let prev = threaded.logRecord()!.hash;
    const expected = all.map((d, i) => (prev = hashFields(storedFields(d, i + 1, prev))));
    expect(threaded.lastSeq).toBe(300);
    expect(threaded.lastHash).toBe(expected[299]);
    expect([...threaded.entries()].map((e) => e.hash)).toEqual(expected);
    threaded.close();
    expect(verifyLog(tmp.path('threaded.db')).ok).toBe(true);
  });

  it('commits a backlog of many batches, far more rows than one SQL statement may bind, into one valid chain', async () => {
    tmp = tempDir();
    const store = SqliteLogStore.open(tmp.path('backlog.db'));
    const all = drafts(6000);
    // Sixty batches submitted at once queue up behind the first commit and share transactions.
    await Promise.all(Array.from({ length: 60 }, (_, b) => store.appendAsync(all.slice(b * 100, b * 100 + 100))));
    expect(store.lastSeq).toBe(6000);
    store.close();
    const result = verifyLog(tmp.path('backlog.db'));
    expect(result.ok).toBe(true);
    expect(result.lastSeq).toBe(6000);
  });

  it('checkpoints in the background while the log stays open, so the WAL does not grow without bound', async () => {
    tmp = tempDir();
    const path = tmp.path('checkpointed.db');
    const store = SqliteLogStore.open(path);
    const all = drafts(CHECKPOINT_EVERY_ENTRIES + 5000);
    for (let from = 0; from < all.length; from += 500) await store.appendAsync(all.slice(from, from + 500));
    // In WAL mode the database file itself only grows when a checkpoint copies pages into it.
    const deadline = Date.now() + 10_000;
    while (statSync(path).size < 4 * 1024 * 1024 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(statSync(path).size).toBeGreaterThan(4 * 1024 * 1024);
    store.close();
    expect(verifyLog(path).lastSeq).toBe(all.length);
  });

  it('releases a reply only after its entry is committed: another connection already sees it', async () => {
    tmp = tempDir();
    const path = tmp.path('vm.db');
    const k = await counterKernel(path);
    const reader = new Database(path, { readonly: true });
    const logged = reader.prepare("SELECT count(*) FROM entries WHERE command = 'qom-set' AND json_extract(args, '$.value') = ?").pluck();
    const unseen: number[] = [];
    await Promise.all(
      Array.from({ length: 400 }, (_, i) =>
        set(k, i).then(() => {
          if (logged.get(i) !== 1) unseen.push(i);
        }),
      ),
    );
    reader.close();
    expect(unseen).toEqual([]);
  });

  it('answers in submission order across commit batches, and a later query never overtakes changes still being committed', async () => {
    tmp = tempDir();
    const k = await counterKernel(tmp.path('vm.db'));
    const answered: string[] = [];
    const changes = Array.from({ length: 300 }, (_, i) => set(k, i).then(() => answered.push(`set ${i}`)));
    // Two microtask hops: the changes have run and their batches are on their way to the writer thread.
    await Promise.resolve();
    await Promise.resolve();
    const query = k.execute('query-status', {}, origin).then(() => answered.push('query'));
    await Promise.all([...changes, query]);
    expect(answered).toEqual([...Array.from({ length: 300 }, (_, i) => `set ${i}`), 'query']);
  });

  it('when a commit fails, its changes are undone and get the error, nothing later is recorded or accepted, queries still answer and the log stays valid', async () => {
    tmp = tempDir();
    const path = tmp.path('vm.db');
    const k = await counterKernel(path, true);
    await set(k, 1000);
    // A trigger added behind the kernel's back stands in for a disk that stops taking writes.
    const other = new Database(path);
    other.exec(
      "CREATE TRIGGER refuse_40 BEFORE INSERT ON entries WHEN json_extract(NEW.args, '$.value') = 40 BEGIN SELECT RAISE(ABORT, 'simulated write error'); END",
    );
    other.close();
    // A burst, so batches are in flight on the writer thread when one fails (batches
    // that queued up meanwhile share its transaction, and so its fate).
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, (_, value) => set(k, value).then(() => 'ok', (e: unknown) => (e as QmpError).desc)),
    );
    const firstFailure = outcomes.indexOf('Command log write failed: simulated write error; the command was undone');
    expect(firstFailure).toBeGreaterThanOrEqual(0);
    expect(firstFailure).toBeLessThanOrEqual(40);
    expect(outcomes.slice(0, firstFailure).every((o) => o === 'ok')).toBe(true);
    expect(outcomes.slice(firstFailure).every((o) => o !== 'ok')).toBe(true);
    // The value is the last acknowledged one: every change after it was undone.
    expect(k.objects.get('/objects/c1').get('value')).toBe(firstFailure === 0 ? 1000 : firstFailure - 1);
    const later = await set(k, 1001).catch((e: unknown) => e);
    expect((later as QmpError).desc).toBe('Changes are refused: the command log could not be written (simulated write error)');
    expect(await k.execute('query-status', {}, origin)).toMatchObject({ status: 'prelaunch' });
    await k.close();
    kernel = undefined;
    const result = verifyLog(path);
    expect(result.ok).toBe(true);
    // object-add, the first set, then the changes acknowledged before the failure; not the later query.
    expect(result.lastSeq).toBe(2 + firstFailure);
  });
});

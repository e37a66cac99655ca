/**
 * When the log cannot be written, a command and its entry take effect
 * together or not at all: every command whose entry was not committed is
 * undone (from the dispatcher's undo journal) and its caller gets the error.
 * Afterwards queries, `stop` and `quit` still run; other changes are refused;
 * `-log-on-error stop` also pauses the guest.
 *
 * The write errors here are real SQLite errors, raised by a trigger added
 * behind the kernel's back at the exact entry a test wants to fail;
 * test/e2e/log-full.test.ts fills a real file-size limit instead.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { defineCommand, definePlugin, t, type Kernel, type KernelEvent, type LogErrorAction, type QmpError } from '../../kernel/index.js';
import { replayLog } from '../../kernel/log/replay.js';
import { SqliteLogStore } from '../../kernel/log/sqlite-log-store.js';
import { verifyLog } from '../../kernel/log/verify.js';
import { API, fixtureKernel } from '../kernel/fixtures.js';
import { tempDir } from './fixtures/drafts.js';

let tmp: ReturnType<typeof tempDir>;
const kernels: Kernel[] = [];
afterEach(async () => {
  for (const k of kernels.splice(0)) await k.close();
  tmp?.cleanup();
});

/** Resolves when the kernel has announced a log failure; the command below waits for it while being rolled back. */
let logErrorSeen: Promise<void> = Promise.resolve();

/** A command that fails at once but whose rollback takes a while (an undo step that awaits, as an unrealize can). */
const slowUndoPlugin = definePlugin({
  name: 'slow-undo',
  version: '1.0.0',
  setup(host) {
    host.command(
      defineCommand({
        name: 'x-fail-slow-undo',
        args: t.empty(),
        returns: t.empty(),
        phases: 'any',
        kind: 'change',
        effects: ['configuration'],
        doc: 'Fails; its rollback waits until the log has failed',
        handler(_args, ctx) {
          ctx.onRollback(() => logErrorSeen);
          throw new Error('failed on purpose');
        },
      }),
    );
  },
});

async function loggedKernel(logOnError?: LogErrorAction): Promise<{ kernel: Kernel; path: string; events: KernelEvent[] }> {
  tmp = tempDir();
  const path = tmp.path('vm.db');
  const kernel = await fixtureKernel({ log: SqliteLogStore.open(path), logOnError, plugins: [slowUndoPlugin] });
  kernels.push(kernel);
  const events: KernelEvent[] = [];
  kernel.bus.events.subscribe((e) => events.push(e));
  return { kernel, path, events };
}

/** From now on SQLite refuses to insert an entry matching `when` (an SQL condition on NEW). */
function failWrites(path: string, when: string): void {
  const db = new Database(path);
  db.exec(`CREATE TRIGGER disk_full BEFORE INSERT ON entries WHEN ${when} BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
  db.close();
}

const errorOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e as QmpError).desc);
const name = (k: Kernel) => k.objects.get('/settings').get('name');
const UNDONE = 'Command log write failed: database or disk is full; the command was undone';
const REFUSED = 'Changes are refused: the command log could not be written (database or disk is full)';

/** The log verifies, its last state hash is the live one, and a replay of it arrives there too. */
async function logMatches(kernel: Kernel, path: string): Promise<void> {
  const live = kernel.stateHash();
  await kernel.close();
  kernels.splice(kernels.indexOf(kernel), 1);
  expect(verifyLog(path).ok).toBe(true);
  const store = SqliteLogStore.open(path, { readonly: true });
  const target = await fixtureKernel({ mode: 'replay', plugins: [slowUndoPlugin] });
  kernels.push(target);
  const result = await replayLog(store, target);
  const last = store.tail(1)[0];
  store.close();
  expect(result.ok).toBe(true);
  // An empty log (the whole burst shared the failed transaction) stands for the fresh kernel's state.
  expect(last?.stateHash ?? target.stateHash()).toBe(live);
  expect(target.stateHash()).toBe(live);
}

describe('a command whose log entry cannot be written', () => {
  it('is undone: set-name answers the error and query-name still shows the old name', async () => {
    const { kernel, path } = await loggedKernel();
    await kernel.execute('set-name', { name: 'before' }, API);
    failWrites(path, "NEW.command = 'set-name'");
    expect(await errorOf(kernel.execute('set-name', { name: 'lost' }, API))).toBe(UNDONE);
    expect(await kernel.execute('query-name', {}, API)).toEqual({ name: 'before' });
    await logMatches(kernel, path);
  });

  it('in a burst, every command whose entry was not committed is undone, newest first', async () => {
    const { kernel, path } = await loggedKernel();
    failWrites(path, `json_extract(NEW.args, '$.name') = 'n40'`);
    const outcomes = await Promise.all(Array.from({ length: 100 }, (_, i) => errorOf(kernel.execute('set-name', { name: `n${i}` }, API))));
    const first = outcomes.indexOf(UNDONE);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThanOrEqual(40);
    expect(outcomes.slice(0, first).every((o) => o === 'ok')).toBe(true);
    expect(outcomes.slice(first).every((o) => o === UNDONE || o === REFUSED)).toBe(true);
    expect(name(kernel)).toBe(first === 0 ? undefined : `n${first - 1}`);
    await logMatches(kernel, path);
  });

  it('also undoes commands not yet handed to the log when the failure arrives during the rollback of another command', async () => {
    const { kernel, path, events } = await loggedKernel();
    logErrorSeen = new Promise<void>((resolve) => kernel.bus.events.subscribe((e) => e.event === 'COMMAND_LOG_ERROR' && resolve()));
    failWrites(path, `json_extract(NEW.args, '$.name') = 'n5'`);
    // 32 names go to the log's thread as one batch (which fails); 3 more wait for the next batch
    // while x-fail-slow-undo is rolled back, and the failure arrives meanwhile.
    const names = Array.from({ length: 35 }, (_, i) => errorOf(kernel.execute('set-name', { name: `n${i}` }, API)));
    const slow = errorOf(kernel.execute('x-fail-slow-undo', {}, API));
    expect(await Promise.all(names)).toEqual(Array.from({ length: 35 }, () => UNDONE));
    expect(await slow).toBe('failed on purpose');
    expect(events.map((e) => e.event)).toContain('COMMAND_LOG_ERROR');
    expect(name(kernel)).toBeUndefined();
    await logMatches(kernel, path);
  });

  it('unplugs a hot-plugged device again (an undo step that awaits its unrealize)', async () => {
    const { kernel, path } = await loggedKernel();
    await kernel.execute('machine-set', { type: 'toy-machine' }, API);
    await kernel.execute('cont', {}, API);
    const before = kernel.stateHash();
    failWrites(path, "NEW.command = 'device_add'");
    expect(await errorOf(kernel.execute('device_add', { driver: 'toy-dev', id: 'd1' }, API))).toBe(UNDONE);
    expect(kernel.objects.has('/machine/peripheral/d1')).toBe(false);
    expect(kernel.stateHash()).toBe(before);
    await logMatches(kernel, path);
  });
});

describe('after the log failed', () => {
  it('queries, stop and quit still run, unrecorded; every other change is refused', async () => {
    const { kernel, path } = await loggedKernel();
    await kernel.execute('machine-set', { type: 'toy-machine' }, API);
    await kernel.execute('cont', {}, API);
    failWrites(path, "NEW.command = 'set-name'");
    expect(await errorOf(kernel.execute('set-name', { name: 'lost' }, API))).toBe(UNDONE);
    // refuse-changes, the default: the guest goes on.
    expect(await kernel.execute('query-status', {}, API)).toMatchObject({ status: 'running' });
    expect(await errorOf(kernel.execute('device_add', { driver: 'toy-dev', id: 'd1' }, API))).toBe(REFUSED);
    expect(await errorOf(kernel.execute('stop', {}, API))).toBe('ok');
    expect(kernel.runState).toBe('paused');
    expect(await errorOf(kernel.execute('cont', {}, API))).toBe(REFUSED);
    const exits: number[] = [];
    kernel.onExit((code) => exits.push(code));
    expect(await errorOf(kernel.execute('quit', {}, API))).toBe('ok');
    expect(exits).toEqual([0]);
    const store = SqliteLogStore.open(path, { readonly: true });
    const commands = [...store.entries()].map((e) => e.command);
    store.close();
    expect(commands).toEqual(['machine-set', 'cont']);
  });

  it('a quit whose own entry cannot be written still quits', async () => {
    const { kernel, path } = await loggedKernel();
    failWrites(path, "NEW.command = 'quit'");
    const exits: number[] = [];
    kernel.onExit((code) => exits.push(code));
    expect(await errorOf(kernel.execute('quit', {}, API))).toBe('ok');
    expect(exits).toEqual([0]);
    expect(kernel.runState).toBe('shutdown');
  });

  it('with -log-on-error stop the guest is paused at once, and COMMAND_LOG_ERROR says why', async () => {
    const { kernel, path, events } = await loggedKernel('stop');
    await kernel.execute('machine-set', { type: 'toy-machine' }, API);
    await kernel.execute('cont', {}, API);
    failWrites(path, "NEW.command = 'set-name'");
    expect(await errorOf(kernel.execute('set-name', { name: 'lost' }, API))).toBe(UNDONE);
    expect(await kernel.execute('query-status', {}, API)).toMatchObject({ status: 'paused' });
    const seen = events.map((e) => e.event);
    expect(seen.slice(seen.indexOf('COMMAND_LOG_ERROR'))).toEqual(['COMMAND_LOG_ERROR', 'STOP']);
    expect(events.find((e) => e.event === 'COMMAND_LOG_ERROR')!.data).toEqual({ reason: 'database or disk is full', action: 'stop' });
    await logMatches(kernel, path);
  });
});

/**
 * Replay rate of the command log.
 *
 * 1. Log level, on a 1,000,000-entry log: `replayLog` reading, parsing and
 *    hash-checking every entry against a minimal target (a counter whose state
 *    hash is a precomputed string, run synchronously as a kernel runs replayed
 *    commands), so the figure is the log's own cost.
 *    Baseline in the same run: a bare `SELECT` over the same rows.
 * 2. Kernel level, on a smaller log recorded through a real kernel: a fresh
 *    kernel replays it (`x-counter-bump` commands, full state hashing).
 *
 *   npx tsx bench/log-replay.ts [entries, default 1000000] [kernel entries, default 50000]
 * The big log is cached in the OS temp dir between runs (vmledger-bench-replay-<n>.db).
 */
import Database from 'better-sqlite3';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKernel } from '../kernel/kernel.js';
import { replayLog, type ReplayTarget } from '../kernel/log/replay.js';
import { SqliteLogStore } from '../kernel/log/sqlite-log-store.js';
import { counterPlugin } from '../test/log/fixtures/plugins.js';
import { benchDraft, perSecond, scratch } from './log-common.js';

const entries = Number(process.argv[2] ?? 1_000_000);
const kernelEntries = Number(process.argv[3] ?? 50_000);

// The state hash the minimal target reports after `n` commands (a cheap, distinct string per n).
const stateHashAt = (n: number): string => n.toString(16).padStart(64, '0');

function buildLog(path: string): void {
  if (existsSync(path)) {
    const existing = SqliteLogStore.open(path, { readonly: true });
    const ok = existing.lastSeq === entries;
    existing.close();
    if (ok) return;
    for (const s of ['', '-wal', '-shm']) rmSync(path + s, { force: true });
  }
  const t0 = performance.now();
  const store = SqliteLogStore.open(path);
  for (let i = 0; i < entries; ) {
    const drafts = [];
    for (let k = 0; k < 10_000 && i < entries; k++) drafts.push(benchDraft(++i, stateHashAt(i)));
    store.append(drafts);
  }
  store.close();
  console.log(`built ${entries.toLocaleString('en-US')}-entry log in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

async function logLevel(): Promise<void> {
  const path = join(tmpdir(), `vmledger-bench-replay-${entries}.db`);
  buildLog(path);

  const db = new Database(path, { readonly: true });
  let t0 = performance.now();
  let n = 0;
  for (const row of db.prepare('SELECT seq, command, args, kind, applied, state_hash FROM entries').raw(true).iterate()) n += (row as unknown[]).length > 0 ? 1 : 0;
  const bare = n / ((performance.now() - t0) / 1000);
  db.close();

  let count = 0;
  // Synchronous like a kernel's own fast path (`executeNow`), so no promise per entry counts against the log.
  const target: ReplayTarget = {
    execute: async () => void count++,
    executeNow: () => void count++,
    stateHash: () => stateHashAt(count),
  };
  const store = SqliteLogStore.open(path, { readonly: true });
  t0 = performance.now();
  const result = await replayLog(store, target);
  const seconds = (performance.now() - t0) / 1000;
  store.close();
  if (!result.ok) throw new Error(`replay failed: ${JSON.stringify(result.mismatch)}`);
  const replay = result.executed / seconds;
  console.log(`log level: replayed ${result.executed.toLocaleString('en-US')} entries in ${seconds.toFixed(2)} s: ${perSecond(replay)} (target >= 200,000/s)`);
  console.log(`  baseline bare SELECT of the same columns: ${perSecond(bare)}; replay/bare ${(replay / bare).toFixed(2)}`);
}

async function kernelLevel(): Promise<void> {
  const tmp = scratch();
  try {
    const path = tmp.path('kernel.db');
    const origin = { transport: 'api', client: 'bench' };
    const live = await createKernel({ plugins: [counterPlugin()], log: SqliteLogStore.open(path) });
    await live.execute('object-add', { 'qom-type': 'test-counter', id: 'c1' }, origin);
    let sent = 1;
    const submitter = async (): Promise<void> => {
      while (sent < kernelEntries) {
        sent++;
        await live.execute('x-counter-bump', { id: 'c1' }, origin);
      }
    };
    await Promise.all(Array.from({ length: 64 }, submitter));
    await live.close();

    const store = SqliteLogStore.open(path, { readonly: true });
    const kernel = await createKernel({ plugins: [counterPlugin()], mode: 'replay' });
    const t0 = performance.now();
    const result = await replayLog(store, kernel);
    const seconds = (performance.now() - t0) / 1000;
    store.close();
    await kernel.close();
    if (!result.ok) throw new Error(`replay failed: ${JSON.stringify(result.mismatch)}`);
    console.log(`kernel level: replayed ${result.executed.toLocaleString('en-US')} commands into a fresh kernel in ${seconds.toFixed(2)} s: ${perSecond(result.executed / seconds)}`);
  } finally {
    tmp.cleanup();
  }
}

await logLevel();
if (kernelEntries > 0) await kernelLevel();

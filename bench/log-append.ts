/**
 * Store-level append rate of the command log: group commit (batches of 64)
 * against one transaction per entry, in `normal` and `full` sync modes.
 * Baseline, measured in the same run: bare better-sqlite3 inserts of the same
 * pre-serialized rows (no hashing, no serialization), so the ratio shows what
 * the chain and the canonical encoding cost on top of SQLite itself.
 *
 *   npx tsx bench/log-append.ts [seconds-per-case, default 1.5]
 */
import Database from 'better-sqlite3';
import type { SyncMode } from '../kernel/log/log-entry.js';
import { SqliteLogStore, WAL_AUTOCHECKPOINT_PAGES } from '../kernel/log/sqlite-log-store.js';
import { benchDraft, perSecond, rate, scratch } from './log-common.js';

const ms = Number(process.argv[2] ?? 1.5) * 1000;
const tmp = scratch();
const hash = 'ab'.repeat(32);

function storeRate(sync: SyncMode, batch: number): number {
  const store = SqliteLogStore.open(tmp.path(`store-${sync}-${batch}.db`), { sync });
  let i = 0;
  const r = rate(() => {
    const drafts = new Array(batch);
    for (let k = 0; k < batch; k++) drafts[k] = benchDraft(++i, hash);
    store.append(drafts);
    return batch;
  }, ms);
  store.close();
  return r;
}

function bareRate(sync: SyncMode, batch: number): number {
  const db = new Database(tmp.path(`bare-${sync}-${batch}.db`));
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${sync === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  db.exec('CREATE TABLE entries (seq INTEGER PRIMARY KEY, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o)');
  const insert = db.prepare('INSERT INTO entries VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)');
  const row = [0, Date.now(), '{"client":"1","endpoint":"unix:/run/vm.sock","transport":"qmp"}', 'qom-set',
    '{"path":"/objects/c1","property":"value","value":1}', 'change', 1, '{}', null, 'machine-ready', 'machine-ready',
    'prelaunch', 'prelaunch', hash, hash, hash];
  let seq = 0;
  const tx = db.transaction((n: number) => {
    for (let k = 0; k < n; k++) {
      row[0] = ++seq;
      insert.run(row);
    }
  });
  const r = rate(() => (tx(batch), batch), ms);
  db.close();
  return r;
}

try {
  const results: Record<string, { store: number; bare: number }> = {};
  for (const sync of ['normal', 'full'] as const) {
    for (const batch of [64, 1]) {
      const key = `${sync} batch ${batch}`;
      results[key] = { bare: bareRate(sync, batch), store: storeRate(sync, batch) };
      const { store, bare } = results[key]!;
      console.log(`${key.padEnd(16)} log ${perSecond(store).padStart(12)}   bare SQLite ${perSecond(bare).padStart(12)}   log/bare ${(store / bare).toFixed(2)}`);
    }
  }
  const s = (k: string) => results[k]!.store;
  console.log(`group commit gain (batch 64 / batch 1): normal ${(s('normal batch 64') / s('normal batch 1')).toFixed(1)}x, full ${(s('full batch 64') / s('full batch 1')).toFixed(1)}x`);
  console.log(`full / normal: batch 64 ${(s('full batch 64') / s('normal batch 64')).toFixed(2)}, batch 1 ${(s('full batch 1') / s('normal batch 1')).toFixed(2)}`);
} finally {
  tmp.cleanup();
}

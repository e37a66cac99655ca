import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashFields } from '../../kernel/log/entry-hash.js';
import type { CommandLogStore, LogEntry, LogEntryDraft, LogHeader } from '../../kernel/log/log-entry.js';
import { SqliteLogStore, type StoredRow } from '../../kernel/log/sqlite-log-store.js';
import { verifyLog } from '../../kernel/log/verify.js';
import { drafts, tempDir } from './fixtures/drafts.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

/**
 * A log of `n` entries, closed (sealed) or left open as after a crash, and a
 * raw connection with the append-only triggers dropped.
 */
function tamperable(n = 10, { seal = true } = {}): { path: string; db: Database.Database } {
  const path = tmp.path('log.db');
  const store = SqliteLogStore.open(path);
  store.append(drafts(n));
  if (seal) store.close();
  const db = new Database(path);
  db.exec('DROP TRIGGER entries_no_update; DROP TRIGGER entries_no_delete; DROP TRIGGER seals_no_delete;');
  return { path, db };
}

describe('verifyLog', () => {
  it('accepts an untouched log and reports its last seq and hash', () => {
    const path = tmp.path('log.db');
    const store = SqliteLogStore.open(path);
    const out = store.append(drafts(20));
    store.close();
    const result = verifyLog(path);
    expect(result).toMatchObject({ ok: true, entries: 20, lastSeq: 20, lastHash: out[19]!.hash, sealedSeq: 20, warnings: [] });
    expect(result.problem).toBeUndefined();
  });

  it('accepts an empty log', () => {
    SqliteLogStore.open(tmp.path('log.db')).close();
    expect(verifyLog(tmp.path('log.db'))).toMatchObject({ ok: true, entries: 0, lastSeq: 0 });
  });

  it('names an edited entry (altered content, hash mismatch)', () => {
    const { path, db } = tamperable();
    db.prepare(`UPDATE entries SET args = '{"path":"/objects/c1","property":"value","value":999}' WHERE seq = 4`).run();
    db.close();
    const result = verifyLog(path);
    expect(result.ok).toBe(false);
    expect(result.problem).toMatchObject({ kind: 'altered', seq: 4 });
    expect(result.problem!.message).toMatch(/entry 4 \(qom-set\) was altered/);
    expect(result.lastSeq).toBe(3);
  });

  it('names an entry edited in its outcome only (applied flag)', () => {
    const { path, db } = tamperable();
    db.prepare('UPDATE entries SET applied = 0 WHERE seq = 7').run();
    db.close();
    expect(verifyLog(path).problem).toMatchObject({ kind: 'altered', seq: 7 });
  });

  it('names a deleted entry (sequence gap)', () => {
    const { path, db } = tamperable();
    db.prepare('DELETE FROM entries WHERE seq = 5').run();
    db.close();
    const result = verifyLog(path);
    expect(result.problem).toMatchObject({ kind: 'removed', seq: 5 });
    expect(result.problem!.message).toBe('entry 5 is missing: entry 6 follows entry 4');
  });

  it('names a run of deleted entries', () => {
    const { path, db } = tamperable();
    db.prepare('DELETE FROM entries WHERE seq BETWEEN 2 AND 4').run();
    db.close();
    expect(verifyLog(path).problem).toMatchObject({ kind: 'removed', seq: 2, message: 'entries 2..4 are missing: entry 5 follows entry 1' });
  });

  it('names a deleted first entry', () => {
    const { path, db } = tamperable();
    db.prepare('DELETE FROM entries WHERE seq = 1').run();
    db.close();
    expect(verifyLog(path).problem).toMatchObject({ kind: 'removed', seq: 1 });
  });

  it('names reordered entries (two rows swapped)', () => {
    const { path, db } = tamperable();
    db.exec('UPDATE entries SET seq = -6 WHERE seq = 6; UPDATE entries SET seq = 6 WHERE seq = 7; UPDATE entries SET seq = 7 WHERE seq = -6;');
    db.close();
    const result = verifyLog(path);
    expect(result.problem).toMatchObject({ kind: 'reordered', seq: 6 });
    expect(result.problem!.message).toMatch(/entry at position 6 \(qom-set\) was recorded as entry 7/);
  });

  it('names an entry rewritten with a freshly computed hash by the broken chain after it', () => {
    const { path, db } = tamperable();
    const row = db.prepare('SELECT * FROM entries WHERE seq = 3').get() as Record<string, unknown>;
    const forged: StoredRow = {
      seq: 3, time: row.time as number, origin: row.origin as string, command: 'quit', args: '{}', kind: 'change', applied: true,
      result: '{}', error: undefined, phaseBefore: row.phase_before as string, phaseAfter: row.phase_after as string,
      runStateBefore: row.run_state_before as string, runStateAfter: row.run_state_after as string,
      stateHash: row.state_hash as string, prevHash: row.prev_hash as string, hash: '',
    };
    db.prepare("UPDATE entries SET command = 'quit', args = '{}', hash = ? WHERE seq = 3").run(hashFields(forged));
    db.close();
    const result = verifyLog(path);
    expect(result.problem).toMatchObject({ kind: 'chain-broken', seq: 4 });
    expect(result.problem!.message).toMatch(/entry 3 was rewritten/);
  });

  it('names a tail removed after the log was sealed', () => {
    const { path, db } = tamperable(10);
    db.prepare('DELETE FROM entries WHERE seq > 7').run();
    db.close();
    const result = verifyLog(path);
    expect(result.problem).toMatchObject({ kind: 'truncated', seq: 8 });
    expect(result.problem!.message).toMatch(/sealed at entry 10 but ends at entry 7: entries 8..10 were removed/);
  });

  it('cannot see a removed tail that was never sealed (the documented limit)', () => {
    const { path, db } = tamperable(10, { seal: false });
    db.prepare('DELETE FROM entries WHERE seq > 7').run();
    db.close();
    expect(verifyLog(path)).toMatchObject({ ok: true, lastSeq: 7, sealedSeq: 0 });
  });

  it('warns when the append-only triggers are gone even if the entries are intact', () => {
    const { path, db } = tamperable();
    db.close();
    const result = verifyLog(path);
    expect(result.ok).toBe(true);
    expect(result.warnings).toEqual(['append-only triggers missing: entries_no_update, entries_no_delete, seals_no_delete']);
  });

  it('checks any CommandLogStore, not only SQLite', () => {
    const path = tmp.path('log.db');
    const sqlite = SqliteLogStore.open(path);
    const entries = sqlite.append(drafts(5));
    sqlite.close();
    const memory = (list: LogEntry[]): CommandLogStore => ({
      append: (_: readonly LogEntryDraft[]) => [],
      writeHeader: (_: LogHeader) => undefined,
      header: () => undefined,
      entries: () => list[Symbol.iterator](),
      tail: (n) => list.slice(-n),
      close: () => undefined,
    });
    expect(verifyLog(memory(entries)).ok).toBe(true);
    const edited = entries.map((e) => (e.seq === 2 ? { ...e, args: { tampered: true } } : e));
    expect(verifyLog(memory(edited)).problem).toMatchObject({ kind: 'altered', seq: 2 });
  });
});

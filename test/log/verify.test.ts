import Database from 'better-sqlite3';
import { closeSync, openSync, writeSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { format1Hash } from '../../kernel/log/format-1.js';
import type { CommandLogStore, LogEntry, LogEntryDraft, LogHeader } from '../../kernel/log/log-entry.js';
import { generateLogKey, readLogKey, readPublicKey, type LogKey } from '../../kernel/log/log-key.js';
import { entryLeaf, rootOf } from '../../kernel/log/merkle.mjs';
import { hashFields, headerHash } from '../../kernel/log/record-hash.js';
import { SqliteLogStore, type StoredRow } from '../../kernel/log/sqlite-log-store.js';
import { verifyLog } from '../../kernel/log/verify.js';
import { draft, drafts, tempDir } from './fixtures/drafts.js';
import { format1Log } from './fixtures/format-1.js';
import { dropTriggers, rechain } from './fixtures/tamper.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

const header: LogHeader = { programVersion: 'vmledger 0.1.0', plugins: [{ name: 'kernel', version: '0.1.0' }], createdAt: 1_700_000_000_000, files: [] };

/**
 * A log of `n` entries with a header recorded before the first and another
 * after entry 5, closed (sealed) or left open as after a crash, and a raw
 * connection with the append-only triggers dropped.
 */
function tamperable(n = 10, { seal = true, key }: { seal?: boolean; key?: LogKey } = {}): { path: string; db: Database.Database; store: SqliteLogStore } {
  const path = tmp.path('log.db');
  const store = SqliteLogStore.open(path, key ? { checkpoints: { key, entries: 4 } } : {});
  store.writeHeader(header);
  store.append(drafts(Math.min(n, 5)));
  store.writeHeader({ ...header, files: [{ path: '/srv/fw.bin', sha256: 'ab'.repeat(32), size: 4096 }] });
  if (n > 5) store.append(drafts(n - 5, 6));
  if (seal) store.close();
  const db = new Database(path);
  dropTriggers(db);
  return { path, db, store };
}

function logKey(): LogKey {
  generateLogKey(tmp.path('log.key'));
  return readLogKey(tmp.path('log.key'));
}

const storedRow = (db: Database.Database, seq: number): StoredRow => {
  const r = db.prepare('SELECT * FROM entries WHERE seq = ?').get(seq) as Record<string, unknown>;
  return {
    seq, time: r.time as number, origin: r.origin as string, command: r.command as string, args: r.args as string, kind: r.kind as string,
    applied: r.applied === 1, result: (r.result as string | null) ?? undefined, error: (r.error as string | null) ?? undefined,
    phaseBefore: r.phase_before as string, phaseAfter: r.phase_after as string, runStateBefore: r.run_state_before as string,
    runStateAfter: r.run_state_after as string, stateHash: r.state_hash as string, prevHash: r.prev_hash as string, hash: r.hash as string,
  };
};

/** `size:root` of the first `size` entries, as `verify` prints it to be kept elsewhere. */
function checkpointOf(path: string): { size: number; root: string; source: string } {
  const r = verifyLog(path);
  return { size: r.size, root: r.root, source: `--checkpoint ${r.size}:${r.root.slice(0, 12)}…` };
}

describe('verifyLog', () => {
  it('accepts an untouched log and reports its last entry, size and Merkle root', () => {
    const path = tmp.path('log.db');
    const store = SqliteLogStore.open(path);
    const out = store.append(drafts(20));
    store.close();
    const result = verifyLog(path);
    expect(result).toMatchObject({ ok: true, format: 2, entries: 20, lastSeq: 20, lastHash: out[19]!.hash, size: 20, sealedSeq: 20, problems: [], warnings: [] });
    expect(result.root).toBe(rootOf(out.map((e) => entryLeaf(e.hash))).toString('hex'));
    expect(result.problem).toBeUndefined();
  });

  it('accepts an empty log', () => {
    SqliteLogStore.open(tmp.path('log.db')).close();
    expect(verifyLog(tmp.path('log.db'))).toMatchObject({ ok: true, entries: 0, lastSeq: 0, sealed: true });
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

  it('names every edited entry, not only the first', () => {
    const { path, db } = tamperable();
    db.exec('UPDATE entries SET applied = 0 WHERE seq IN (3, 8)');
    db.close();
    expect(verifyLog(path).problems.map((p) => [p.kind, p.seq])).toEqual([['altered', 3], ['altered', 8]]);
  });

  it('names text moved from one field into the next, which format 1 could not see', () => {
    const path = tmp.path('log.db');
    const store = SqliteLogStore.open(path);
    // Arguments whose keys sort like the fields after them: format 1 spliced their text unquoted into its input.
    store.append([draft(1), draft(2, { args: { a: 1, command: 'quit', error: { class: 'GenericError' } } }), draft(3)]);
    store.close();
    const db = new Database(path);
    dropTriggers(db);
    const before = storedRow(db, 2);
    const moved = { ...before, args: '{"a":1', command: 'quit', error: '{"class":"GenericError"}},"command":"qom-set"' };
    // The same format-1 input: the entry would now claim `quit` failed, and format 1 would not notice.
    expect(format1Hash(moved)).toBe(format1Hash(before));
    db.prepare('UPDATE entries SET args = ?, command = ?, error = ? WHERE seq = 2').run(moved.args, moved.command, moved.error);
    db.close();
    expect(verifyLog(path).problem).toMatchObject({ kind: 'altered', seq: 2, message: 'entry 2 (quit) was altered: its content no longer matches its hash' });
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

  it('names entries deleted with the ones after them renumbered to close the gap', () => {
    const { path, db } = tamperable();
    db.exec('DELETE FROM entries WHERE seq IN (7, 8); UPDATE entries SET seq = seq - 2 WHERE seq > 8;');
    db.close();
    expect(verifyLog(path).problem).toMatchObject({
      kind: 'removed',
      seq: 7,
      message: 'entries 7..8 were removed and the entries after renumbered: the entry now at 7 was recorded as entry 9',
    });
  });

  it('names reordered entries (two rows swapped)', () => {
    const { path, db } = tamperable();
    db.exec('UPDATE entries SET seq = -6 WHERE seq = 6; UPDATE entries SET seq = 6 WHERE seq = 7; UPDATE entries SET seq = 7 WHERE seq = -6;');
    db.close();
    const result = verifyLog(path);
    expect(result.problem).toMatchObject({ kind: 'reordered', seq: 6 });
    expect(result.problem!.message).toMatch(/entry at position 6 \(qom-set\) was recorded as entry 7/);
  });

  /** Moves entries `at`.. one place up and puts a forged `quit` at `at`, chained onto its predecessor with a valid hash. */
  function insertForged(db: Database.Database, at: number, { validHash }: { validHash: boolean }): void {
    const last = db.prepare('SELECT max(seq) FROM entries').pluck().get() as number;
    for (let seq = last; seq >= at; seq--) db.prepare('UPDATE entries SET seq = seq + 1 WHERE seq = ?').run(seq);
    const before = storedRow(db, at - 1);
    const forged: StoredRow = { ...before, seq: at, command: 'quit', args: '{}', prevHash: before.hash, hash: '' };
    db.prepare(
      `INSERT INTO entries (seq, time, origin, command, args, kind, applied, result, error, phase_before, phase_after, run_state_before, run_state_after, state_hash, prev_hash, hash)
       SELECT ?, time, origin, 'quit', '{}', kind, applied, result, error, phase_before, phase_after, run_state_before, run_state_after, state_hash, ?, ? FROM entries WHERE seq = ?`,
    ).run(at, before.hash, validHash ? hashFields(forged) : 'f'.repeat(64), at - 1);
  }

  it('names a forged entry slipped in with a valid hash as inserted, not as reordered', () => {
    const { path, db } = tamperable();
    insertForged(db, 4, { validHash: true });
    db.close();
    const result = verifyLog(path);
    expect(result.problem).toMatchObject({ kind: 'inserted', seq: 4, message: 'entry 4 (quit) was inserted: the entry after it was recorded as entry 4' });
    expect(result.lastSeq).toBe(3);
  });

  it('names a forged entry slipped in without a valid hash as inserted, not as altered', () => {
    const { path, db } = tamperable();
    insertForged(db, 4, { validHash: false });
    db.close();
    expect(verifyLog(path).problem).toMatchObject({ kind: 'inserted', seq: 4 });
  });

  it('names an entry rewritten with a freshly computed hash by the broken chain after it', () => {
    const { path, db } = tamperable();
    const forged: StoredRow = { ...storedRow(db, 3), command: 'quit', args: '{}', result: '{}' };
    db.prepare("UPDATE entries SET command = 'quit', args = '{}', hash = ? WHERE seq = 3").run(hashFields(forged));
    db.close();
    const result = verifyLog(path);
    expect(result.problem).toMatchObject({ kind: 'chain-broken', seq: 4 });
    expect(result.problem!.message).toMatch(/entry 4 \(qom-set\) does not follow entry 3: entry 3 was rewritten/);
  });

  it('names an edited header version', () => {
    const { path, db } = tamperable();
    db.prepare("UPDATE header SET header = replace(header, '/srv/fw.bin', '/srv/other.bin') WHERE id = 2").run();
    db.close();
    expect(verifyLog(path).problem).toMatchObject({
      kind: 'altered',
      seq: 5,
      message: 'header version 2 (recorded after entry 5) was altered: its content no longer matches its hash',
    });
  });

  it('names a header version rewritten with a fresh hash, and one removed, by the entry after it', () => {
    const { path, db } = tamperable();
    db.prepare("UPDATE header SET header = '{}' WHERE id = 2").run();
    const h = db.prepare('SELECT * FROM header WHERE id = 2').get() as { at_seq: number; prev_hash: string; time: number };
    db.prepare('UPDATE header SET hash = ? WHERE id = 2').run(headerHash({ atSeq: h.at_seq, prevHash: h.prev_hash, time: h.time, header: '{}' }));
    db.close();
    expect(verifyLog(path).problem).toMatchObject({ kind: 'chain-broken', seq: 6, message: expect.stringMatching(/^entry 6 \(qom-set\) does not follow header version 2 \(recorded after entry 5\): header version 2 was rewritten/) });
    const again = new Database(path);
    again.prepare('DELETE FROM header WHERE id = 2').run();
    again.close();
    expect(verifyLog(path).problem).toMatchObject({ kind: 'chain-broken', seq: 6, message: expect.stringMatching(/^entry 6 \(qom-set\) does not follow entry 5: .*a record between them was removed/) });
  });

  it("names an edited first record (a signing key swapped in)", () => {
    const { path, db } = tamperable();
    db.prepare("UPDATE log SET key = 'AAAA'").run();
    db.close();
    expect(verifyLog(path).problem).toMatchObject({ kind: 'altered', seq: 0, message: expect.stringMatching(/^the log's first record .* was altered/) });
  });

  it('names a tail removed after the log was sealed', () => {
    const { path, db } = tamperable(10);
    db.prepare('DELETE FROM entries WHERE seq > 7').run();
    db.close();
    const result = verifyLog(path);
    expect(result.problem).toMatchObject({ kind: 'truncated', seq: 8 });
    expect(result.problem!.message).toMatch(/sealed after entry 10 but ends at entry 7: entries 8..10 were removed/);
  });

  it('names an entry appended after the seal, with a valid hash', () => {
    const { path, db } = tamperable(10);
    const last = storedRow(db, 10);
    const appended: StoredRow = { ...last, seq: 11, command: 'quit', args: '{}', prevHash: last.hash, hash: '' };
    db.prepare(
      `INSERT INTO entries SELECT 11, time, origin, 'quit', '{}', kind, applied, result, error, phase_before, phase_after, run_state_before, run_state_after, state_hash, ?, ? FROM entries WHERE seq = 10`,
    ).run(last.hash, hashFields(appended));
    db.close();
    expect(verifyLog(path).problem).toMatchObject({ kind: 'after-seal', seq: 11, message: 'entry 11 was appended after the log was sealed after entry 10' });
  });

  it('names a tail removed together with its seal, against a checkpoint kept elsewhere', () => {
    const { path, db } = tamperable(10);
    db.close();
    const kept = checkpointOf(path);
    const again = new Database(path);
    again.exec('DELETE FROM entries WHERE seq > 7; DELETE FROM seals;');
    again.close();
    expect(verifyLog(path).ok).toBe(true);
    expect(verifyLog(path, { checkpoints: [kept] }).problem).toMatchObject({
      kind: 'truncated',
      seq: 8,
      message: expect.stringMatching(/^--checkpoint 10:[0-9a-f]{12}… shows the log had 10 entries, but it ends at entry 7: entries 8..10 were removed$/),
    });
  });

  it('names a tail removed from a log never sealed, against a checkpoint kept elsewhere', () => {
    const { path, db, store } = tamperable(10, { seal: false });
    const kept = checkpointOf(path);
    db.prepare('DELETE FROM entries WHERE seq > 6').run();
    db.close();
    expect(verifyLog(path, { checkpoints: [kept] }).problem).toMatchObject({ kind: 'truncated', seq: 7 });
    // Nothing in the file itself can tell such a log from one that crashed after entry 6.
    expect(verifyLog(path)).toMatchObject({ ok: true, lastSeq: 6, sealed: false });
    store.close();
  });

  it('names an entry rewritten with every later hash recomputed, against a checkpoint kept elsewhere', () => {
    const { path, db } = tamperable(10);
    const kept = checkpointOf(path);
    db.prepare(`UPDATE entries SET args = '{"path":"/objects/c1","property":"value","value":999}' WHERE seq = 4`).run();
    rechain(db);
    db.close();
    expect(verifyLog(path).ok).toBe(true);
    expect(verifyLog(path, { checkpoints: [kept] }).problem).toMatchObject({
      kind: 'rewritten',
      seq: 1,
      message: expect.stringMatching(/^the first 10 entries do not match --checkpoint 10:.*an entry among 1..10 was changed and the hashes after it recomputed$/),
    });
  });

  it('with the log key: names the entries between the last signed checkpoint that matches and the first that does not', () => {
    const key = logKey();
    const { path, db } = tamperable(10, { key });
    const pub = readPublicKey(tmp.path('log.key.pub'));
    expect(verifyLog(path, { key: pub })).toMatchObject({ ok: true, signedThrough: 10, keyId: key.id });
    db.prepare(`UPDATE entries SET args = '{"path":"/objects/c1","property":"value","value":999}' WHERE seq = 6`).run();
    rechain(db);
    db.close();
    // Checkpoints at 4 and 8, and the seal at 10, were signed before the edit.
    const result = verifyLog(path, { key: pub });
    expect(result.problems.map((p) => p.kind)).toEqual(['rewritten', 'bad-signature']);
    expect(result.problem).toMatchObject({
      kind: 'rewritten',
      seq: 5,
      message: expect.stringMatching(/^the first 8 entries do not match the checkpoint made after entry 8 at .*: an entry among 5..8 was changed/),
    });
  });

  it('with the log key: names a log that lost its end together with its seal, and what the signatures still vouch for', () => {
    const key = logKey();
    const { path, db } = tamperable(10, { key });
    db.exec('DELETE FROM entries WHERE seq > 9; DELETE FROM seals; DELETE FROM checkpoints WHERE size > 4;');
    db.close();
    expect(verifyLog(path).ok).toBe(true);
    expect(verifyLog(path, { key: readPublicKey(tmp.path('log.key.pub')) }).problem).toMatchObject({
      kind: 'unsealed',
      message: 'the log has no seal: it was not closed cleanly, or its end was removed together with the seal; signatures vouch for entries 1..4',
    });
  });

  it('with the log key: names a checkpoint whose signature was forged, and a log signed by another key', () => {
    const key = logKey();
    const { path, db } = tamperable(10, { key });
    db.prepare("UPDATE checkpoints SET signature = 'AAAA' WHERE size = 4").run();
    db.close();
    expect(verifyLog(path).problem).toMatchObject({ kind: 'bad-signature', seq: 4, message: expect.stringMatching(/^the checkpoint made after entry 4 at .* does not carry a valid signature by key [0-9a-f]{16}$/) });
    generateLogKey(tmp.path('other.key'));
    const other = readPublicKey(tmp.path('other.key.pub'));
    expect(verifyLog(path, { key: other }).problems[0]).toMatchObject({ kind: 'bad-signature', seq: 0, message: expect.stringMatching(/^the log names signing key [0-9a-f]{16}, not the key given/) });
  });

  it('names a damaged page outside the entries, with what the damaged table holds', () => {
    const { path, db } = tamperable(10);
    const page = db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'header'").pluck().get() as number;
    db.close();
    // Garbage over the header of the header table's page.
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(64, 0xa5), 0, 64, (page - 1) * 4096);
    closeSync(fd);
    const result = verifyLog(path);
    expect(result.problems).toEqual([
      {
        kind: 'damaged',
        seq: 0,
        message: 'the database file is damaged where it keeps the header versions (table header): its pages cannot be read (SQLite: database disk image is malformed)',
      },
    ]);
  });

  it('warns when the append-only triggers are gone even if the entries are intact', () => {
    const { path, db } = tamperable();
    db.close();
    const result = verifyLog(path);
    expect(result.ok).toBe(true);
    expect(result.warnings).toEqual([
      'append-only triggers missing: log_no_update, log_no_delete, header_no_update, header_no_delete, entries_no_update, entries_no_delete, seals_no_update, seals_no_delete, checkpoints_no_update, checkpoints_no_delete',
    ]);
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

describe('verifyLog on a log of format 1', () => {
  it('verifies it under format 1', () => {
    expect(verifyLog(format1Log(tmp))).toMatchObject({ ok: true, format: 1, entries: 7, lastSeq: 7, sealedSeq: 7, problems: [] });
  });

  it('names an altered entry and a removed tail as before', () => {
    const path = format1Log(tmp);
    const db = new Database(path);
    db.exec("DROP TRIGGER entries_no_update; DROP TRIGGER entries_no_delete; UPDATE entries SET command = 'quit' WHERE seq = 3;");
    db.close();
    expect(verifyLog(path).problem).toMatchObject({ kind: 'altered', seq: 3 });
    const again = new Database(path);
    again.exec("UPDATE entries SET command = 'qom-set' WHERE seq = 3; DELETE FROM entries WHERE seq > 5;");
    again.close();
    expect(verifyLog(path).problem).toMatchObject({ kind: 'truncated', seq: 6 });
  });
});

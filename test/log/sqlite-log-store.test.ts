import Database from 'better-sqlite3';
import { copyFileSync, statSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../kernel/canonical-json.js';
import { canonicalMapText, canonicalText } from '../../kernel/log/canonical-text.js';
import { entryHash } from '../../kernel/log/record-hash.js';
import type { LogHeader } from '../../kernel/log/log-entry.js';
import { APPEND_ONLY_MESSAGE, LogStoreError, SqliteLogStore } from '../../kernel/log/sqlite-log-store.js';
import { verifyLog } from '../../kernel/log/verify.js';
import { draft, drafts, tempDir } from './fixtures/drafts.js';
import { format1Log } from './fixtures/format-1.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

const header: LogHeader = {
  programVersion: 'vmledger 0.1.0',
  plugins: [{ name: 'kernel', version: '0.1.0' }, { name: 'virt', version: '1.2.3' }],
  createdAt: 1_700_000_000_000,
  files: [{ path: '/srv/fw.bin', sha256: 'ab'.repeat(32), size: 4096 }],
};

describe('SqliteLogStore', () => {
  it("numbers entries from 1 and chains them from the log's first record", () => {
    const store = SqliteLogStore.open(tmp.path('log.db'));
    const out = store.append(drafts(3));
    expect(out.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(out[0]!.prevHash).toBe(store.logRecord()!.hash);
    expect(out[1]!.prevHash).toBe(out[0]!.hash);
    expect(out[2]!.prevHash).toBe(out[1]!.hash);
    for (const e of out) expect(e.hash).toBe(entryHash(e));
    store.close();
  });

  it('returns stored entries equal to what append returned, optional fields included', () => {
    const store = SqliteLogStore.open(tmp.path('log.db'));
    const failed = draft(2, { applied: false, result: undefined, error: { class: 'GenericError', desc: 'no' } });
    const appended = store.append([draft(1), failed, draft(3, { result: null })]);
    expect([...store.entries()]).toEqual(appended);
    expect([...store.entries({ from: 2, to: 2 })]).toEqual([appended[1]]);
    expect(store.tail(2)).toEqual(appended.slice(1));
    expect('result' in [...store.entries({ from: 2, to: 2 })][0]!).toBe(false);
    store.close();
  });

  it('serializes arguments exactly as canonicalJson does', () => {
    const values: unknown[] = [
      null, 0, -1.25, 'x', '\u0000"\\', [], {}, [undefined, 1], { b: undefined, a: 1 }, { z: { y: [1, { x: 'é' }] } },
      { '': 1, ' ': 2, B: 3, a: 4, 'ä': 5 }, Number.NaN, true,
      { path: '/objects/c1', property: 'value', value: 3 }, { a: 1, c: undefined, b: 'x' }, { a: null, b: Number.NaN, c: -0 },
      { a: () => 1, b: 2 }, { b: 1, a: 1 }, { a: 1, a0: [2] },
    ];
    for (const v of values) expect(canonicalText(v)).toBe(canonicalJson(v));
  });

  it('serializes an object\'s property map exactly as canonicalJson does its object, in any key order', () => {
    const maps: Array<Array<[string, unknown]>> = [
      [], [['value', 3]], [['a', 1], ['b', 'x'], ['c', true]], [['b', 1], ['a', 2]], [['a', 1], ['b', undefined], ['c', null]],
      [['a', { z: 1, y: [2] }], ['b', 2]], [['', 0], ['ä', '\u0000"'], ['B', -0]], [['a', undefined]], [['x', Number.NaN], ['a', 1]],
    ];
    for (const entries of maps) expect(canonicalMapText(new Map(entries))).toBe(canonicalJson(Object.fromEntries(entries)));
  });

  it('writes a whole batch in one transaction: a draft that cannot be serialized leaves no entry behind', () => {
    const store = SqliteLogStore.open(tmp.path('log.db'));
    store.append(drafts(2));
    const bad = draft(4, { args: { big: 1n } as unknown as Record<string, unknown> });
    expect(() => store.append([draft(3), bad])).toThrow();
    expect(store.lastSeq).toBe(2);
    expect([...store.entries()].map((e) => e.seq)).toEqual([1, 2]);
    expect(store.append([draft(3)])[0]!.seq).toBe(3);
    store.close();
  });

  it('continues the chain when a log left open by a crash is reopened', () => {
    const path = tmp.path('log.db');
    const first = SqliteLogStore.open(path);
    const before = first.append(drafts(5));
    // What a crash leaves: the database and its WAL, no seal.
    copyFileSync(path, tmp.path('crashed.db'));
    copyFileSync(`${path}-wal`, tmp.path('crashed.db-wal'));
    first.close();
    const second = SqliteLogStore.open(tmp.path('crashed.db'));
    expect(second.lastSeq).toBe(5);
    const after = second.append(drafts(2, 6));
    expect(after[0]!.seq).toBe(6);
    expect(after[0]!.prevHash).toBe(before[4]!.hash);
    second.close();
    expect(verifyLog(tmp.path('crashed.db'))).toMatchObject({ ok: true, lastSeq: 7, sealedSeq: 7 });
  });

  it('refuses to append to a sealed log: it was closed for good', () => {
    const path = tmp.path('log.db');
    const store = SqliteLogStore.open(path);
    store.append(drafts(3));
    store.close();
    expect(() => SqliteLogStore.open(path)).toThrow(/was sealed \(closed cleanly\) after entry 3; a sealed log is never appended to/);
    expect(SqliteLogStore.open(path, { readonly: true }).lastSeq).toBe(3);
  });

  it('creates the log and its -wal and -shm files readable by their owner only', () => {
    const path = tmp.path('log.db');
    const store = SqliteLogStore.open(path);
    store.append(drafts(3));
    for (const file of [path, `${path}-wal`, `${path}-shm`]) expect((statSync(file).mode & 0o777).toString(8), file).toBe('600');
    store.close();
  });

  it('reads a log of format 1 (written before format 2) and refuses to append to it', () => {
    const path = format1Log(tmp);
    const store = SqliteLogStore.open(path, { readonly: true });
    expect(store.format).toBe(1);
    expect([...store.entries()].map((e) => e.command)).toEqual(['object-add', 'qom-set', 'qom-set', 'query-name', 'qom-set', 'qom-set', 'qom-set']);
    expect(store.header()?.files).toHaveLength(1);
    store.close();
    expect(() => SqliteLogStore.open(path)).toThrow(/is in format 1, written by an older vmledger: it can be verified, replayed and audited, not appended to/);
  });

  it('round-trips the header, the latest version winning', () => {
    const path = tmp.path('log.db');
    const store = SqliteLogStore.open(path);
    expect(store.header()).toBeUndefined();
    store.writeHeader(header);
    expect(store.header()).toEqual(header);
    const updated = { ...header, files: [...header.files, { path: '/srv/disk.img', sha256: '', size: 1 << 20 }] };
    store.writeHeader(updated);
    store.writeHeader(updated);
    store.close();
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare('SELECT count(*) FROM header').pluck().get()).toBe(2);
    raw.close();
    const reopened = SqliteLogStore.open(path, { readonly: true });
    expect(reopened.header()).toEqual(updated);
    reopened.close();
  });

  it('uses WAL with synchronous=NORMAL by default and FULL when asked', () => {
    const normal = SqliteLogStore.open(tmp.path('normal.db'));
    expect(normal.settings()).toEqual({ journalMode: 'wal', synchronous: 1 });
    normal.close();
    const full = SqliteLogStore.open(tmp.path('full.db'), { sync: 'full' });
    expect(full.settings()).toEqual({ journalMode: 'wal', synchronous: 2 });
    full.close();
  });

  it('refuses to append through a read-only store', () => {
    const path = tmp.path('log.db');
    SqliteLogStore.open(path).close();
    const ro = SqliteLogStore.open(path, { readonly: true });
    expect(() => ro.append([draft(1)])).toThrow(LogStoreError);
    ro.close();
  });

  it('refuses a file that is not a command log, and a missing one when read-only', () => {
    const other = new Database(tmp.path('other.db'));
    other.exec('CREATE TABLE t (x)');
    other.close();
    expect(() => SqliteLogStore.open(tmp.path('other.db'))).toThrow(/is not a vmledger command log/);
    expect(() => SqliteLogStore.open(tmp.path('missing.db'), { readonly: true })).toThrow(/No command log at/);
  });

  it('seals the log once when it is closed: the seal follows the last record of the chain', () => {
    const path = tmp.path('log.db');
    const store = SqliteLogStore.open(path);
    const out = store.append(drafts(3));
    store.close();
    store.close();
    const ro = SqliteLogStore.open(path, { readonly: true });
    expect(ro.seals().map(({ seq, prevHash }) => ({ seq, prevHash }))).toEqual([{ seq: 3, prevHash: out[2]!.hash }]);
    ro.close();
  });

  it('chains onto entries another writer appended meanwhile', () => {
    const path = tmp.path('log.db');
    const a = SqliteLogStore.open(path);
    const b = SqliteLogStore.open(path);
    a.append(drafts(2));
    const fromB = b.append([draft(3)]);
    expect(fromB[0]!.seq).toBe(3);
    expect(a.append([draft(4)])[0]!.prevHash).toBe(fromB[0]!.hash);
    a.close();
    b.close();
  });
});

describe('append-only triggers', () => {
  function logWithEntries(): string {
    const path = tmp.path('log.db');
    const store = SqliteLogStore.open(path);
    store.writeHeader(header);
    store.append(drafts(3));
    store.close();
    return path;
  }

  it('reject UPDATE of an entry', () => {
    const db = new Database(logWithEntries());
    expect(() => db.prepare("UPDATE entries SET command = 'quit' WHERE seq = 2").run()).toThrow(APPEND_ONLY_MESSAGE);
    db.close();
  });

  it('reject DELETE of an entry', () => {
    const db = new Database(logWithEntries());
    expect(() => db.prepare('DELETE FROM entries WHERE seq = 3').run()).toThrow(APPEND_ONLY_MESSAGE);
    db.close();
  });

  it("reject UPDATE and DELETE of the log's first record, the header, the seals and the checkpoints", () => {
    const db = new Database(logWithEntries());
    db.prepare("INSERT INTO checkpoints (size, time, root, chain, frontier) VALUES (3, 1, '', '', '')").run();
    for (const [table, column] of [['log', 'created'], ['header', 'time'], ['seals', 'time'], ['checkpoints', 'time']]) {
      expect(() => db.prepare(`UPDATE ${table} SET ${column} = 1`).run()).toThrow(APPEND_ONLY_MESSAGE);
      expect(() => db.prepare(`DELETE FROM ${table}`).run()).toThrow(APPEND_ONLY_MESSAGE);
    }
    db.close();
  });
});

describe('a log copied without its -wal file', () => {
  it('is named as such: its entries are still in the -wal file a killed VM left', () => {
    const store = SqliteLogStore.open(tmp.path('vm.db'));
    store.append(drafts(3));
    // The writer is still open, as a VM killed with kill -9 would leave it: nothing checkpointed into vm.db yet.
    copyFileSync(tmp.path('vm.db'), tmp.path('copy.db'));
    store.close();
    expect(() => SqliteLogStore.open(tmp.path('copy.db'), { readonly: true })).toThrow(
      `'${tmp.path('copy.db')}' holds no entries of its own: a log in WAL mode keeps them in '${tmp.path('copy.db')}-wal' until it is closed, and that file is missing or empty`,
    );
  });

  it('an empty file is still just empty', () => {
    writeFileSync(tmp.path('empty.db'), '');
    expect(() => SqliteLogStore.open(tmp.path('empty.db'), { readonly: true })).toThrow('is not a vmledger command log (it is empty)');
  });
});

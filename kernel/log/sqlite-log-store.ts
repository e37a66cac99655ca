import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { canonicalText } from './canonical-text.js';
import type { CommandKind } from '../command.js';
import type { Origin } from '../origin.js';
import type { Phase, RunState } from '../phase.js';
import { GENESIS_HASH, hashFields, storedFields, type StoredFields } from './entry-hash.js';
import { hashInputHead, hashInputMiddle, hashInputTail } from './hash-input.mjs';
import { LogWriter, SEP } from './log-writer.js';
import type { CommandLogStore, LogEntry, LogEntryDraft, LogHeader, SyncMode } from './log-entry.js';

/** Schema version stored in `PRAGMA user_version`; a file with another value is refused. */
export const LOG_SCHEMA_VERSION = 1;

/** WAL pages between automatic checkpoints (SQLite's default is 1000). */
export const WAL_AUTOCHECKPOINT_PAGES = 8192;

/**
 * Entries the writer thread commits between two background checkpoints:
 * about 4,000 pages of WAL at typical entry sizes, half the autocheckpoint.
 */
export const CHECKPOINT_EVERY_ENTRIES = 25_000;

/** The message every append-only trigger aborts with. */
export const APPEND_ONLY_MESSAGE = 'command log is append-only';

/** Why the store refused to open or write a file. */
export class LogStoreError extends Error {
  constructor(
    readonly code: 'not-a-log' | 'schema-version' | 'read-only',
    message: string,
  ) {
    super(message);
    this.name = 'LogStoreError';
  }
}

/** How to open a log: sync mode for writers, or read-only for tools (verify, replay, audit). */
export interface SqliteLogStoreOptions {
  /** Default `normal`. Ignored when `readonly`. */
  readonly sync?: SyncMode;
  /** Opens an existing log without writing anything to it (no seal on close). */
  readonly readonly?: boolean;
  /**
   * Starts the writer thread that `appendAsync` uses now rather than at the
   * first append, so its start-up (tens of milliseconds) overlaps the
   * program's own instead of delaying the first command's reply.
   */
  readonly startWriter?: boolean;
}

/** A seal: the last sequence number and hash, recorded when a writer closes the log cleanly. */
export interface LogSeal {
  readonly seq: number;
  readonly hash: string;
  readonly time: number;
}

/** One entry exactly as stored (canonical JSON text, not parsed), with its recorded hash; what `verify` reads. */
export interface StoredRow extends StoredFields {
  readonly hash: string;
}

/** The columns replay needs, as a positional row: seq, command, args JSON, kind, applied (0/1), state hash, phase after. */
export type ReplayRow = [number, string, string, string, number, string, string];

const ENTRY_COLUMNS =
  'seq, time, origin, command, args, kind, applied, result, error, phase_before, phase_after, run_state_before, run_state_after, state_hash, prev_hash, hash';

const INSERT_HEAD = `INSERT INTO entries (${ENTRY_COLUMNS}) VALUES `;
const ROW_PLACEHOLDERS = `(${ENTRY_COLUMNS.split(',').map(() => '?').join(',')})`;
const INSERT_SQL = INSERT_HEAD + ROW_PLACEHOLDERS;
const TAIL_SQL = 'SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1';

/** Rows `replayRows` reads per call into SQLite. */
const REPLAY_PAGE_ROWS = 4096;

type RawEntry = [
  number, number, string, string, string, string, number, string | null, string | null,
  string, string, string, string, string, string, string,
];

const SCHEMA = `
CREATE TABLE header (
  id INTEGER PRIMARY KEY,
  at_seq INTEGER NOT NULL,
  time INTEGER NOT NULL,
  header TEXT NOT NULL
);
CREATE TABLE entries (
  seq INTEGER PRIMARY KEY,
  time INTEGER NOT NULL,
  origin TEXT NOT NULL,
  command TEXT NOT NULL,
  args TEXT NOT NULL,
  kind TEXT NOT NULL,
  applied INTEGER NOT NULL,
  result TEXT,
  error TEXT,
  phase_before TEXT NOT NULL,
  phase_after TEXT NOT NULL,
  run_state_before TEXT NOT NULL,
  run_state_after TEXT NOT NULL,
  state_hash TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TABLE seals (
  id INTEGER PRIMARY KEY,
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL,
  time INTEGER NOT NULL
);
${['header', 'entries', 'seals']
  .flatMap((table) =>
    ['UPDATE', 'DELETE'].map(
      (op) => `CREATE TRIGGER ${table}_no_${op.toLowerCase()} BEFORE ${op} ON ${table}
BEGIN SELECT RAISE(ABORT, '${APPEND_ONLY_MESSAGE}'); END;`,
    ),
  )
  .join('\n')}
PRAGMA user_version = ${LOG_SCHEMA_VERSION};
`;

/** The names of the triggers that make the log append-only; `verify` warns when one is missing. */
export const APPEND_ONLY_TRIGGERS: readonly string[] = ['header', 'entries', 'seals'].flatMap((t) => [`${t}_no_update`, `${t}_no_delete`]);

function rowToEntry(r: RawEntry): LogEntry {
  const entry: {
    -readonly [K in keyof LogEntry]: LogEntry[K];
  } = {
    seq: r[0],
    time: r[1],
    origin: JSON.parse(r[2]) as Origin,
    command: r[3],
    args: JSON.parse(r[4]) as Record<string, unknown>,
    kind: r[5] as CommandKind,
    applied: r[6] === 1,
    phaseBefore: r[9] as Phase,
    phaseAfter: r[10] as Phase,
    runStateBefore: r[11] as RunState,
    runStateAfter: r[12] as RunState,
    stateHash: r[13],
    prevHash: r[14],
    hash: r[15],
  };
  if (r[7] !== null) entry.result = JSON.parse(r[7]);
  if (r[8] !== null) entry.error = JSON.parse(r[8]) as LogEntry['error'];
  return entry;
}

function rowToStored(r: RawEntry): StoredRow {
  return {
    seq: r[0],
    time: r[1],
    origin: r[2],
    command: r[3],
    args: r[4],
    kind: r[5],
    applied: r[6] === 1,
    result: r[7] ?? undefined,
    error: r[8] ?? undefined,
    phaseBefore: r[9],
    phaseAfter: r[10],
    runStateBefore: r[11],
    runStateAfter: r[12],
    stateHash: r[13],
    prevHash: r[14],
    hash: r[15],
  };
}

/**
 * The default command log: one SQLite file in WAL mode, opened through
 * better-sqlite3.
 *
 * Durability — what a successful `append` (one transaction) promises:
 * - `normal` (`journal_mode=WAL`, `synchronous=NORMAL`): the commit has been
 *   written to the WAL file with write(2) before `append` returns, so it is in
 *   the operating system's page cache and survives the process crashing or
 *   being killed (SIGKILL, OOM). It is not fsync'ed: a power loss or kernel
 *   panic may lose the most recent transactions (never corrupt or reorder
 *   earlier ones: the WAL is fsync'ed at every checkpoint).
 * - `full` (`synchronous=FULL`): additionally the WAL is fsync'ed at every
 *   commit, so an appended entry also survives power loss, as far as the disk
 *   honours fsync.
 *
 * Append-only: triggers abort every UPDATE and DELETE on `entries`, `header`
 * and `seals`; the hash chain (see `verifyLog`) detects edits made by someone
 * who drops the triggers first.
 *
 * Group commit: `append` takes any number of drafts and writes them in one
 * transaction, so the price of durability is paid once per batch.
 */
export class SqliteLogStore implements CommandLogStore {
  /** Opens (creating if needed) the log at `path`; `:memory:` works for tests, without WAL. */
  static open(path: string, options: SqliteLogStoreOptions = {}): SqliteLogStore {
    return new SqliteLogStore(path, options);
  }

  /** The file this store writes. */
  readonly path: string;
  /** `undefined` when opened read-only. */
  readonly sync: SyncMode | undefined;
  readonly readonly: boolean;
  private readonly db: Database.Database;
  private lastSeqValue = 0;
  private lastHashValue = GENESIS_HASH;
  private sealedSeq = 0;
  private closed = false;
  // Origins are usually one object per connection: serialize each once.
  private readonly originText = new WeakMap<Origin, string>();
  private readonly stmts: {
    insert: Database.Statement;
    last: Database.Statement;
    entriesRange: Database.Statement;
    replayRange: Database.Statement;
    tail: Database.Statement;
    headerLatest: Database.Statement;
    headerInsert: Database.Statement;
    sealLatest: Database.Statement;
    sealInsert: Database.Statement;
    sealAll: Database.Statement;
  };
  private readonly appendTx: (drafts: readonly LogEntryDraft[]) => LogEntry[];
  private writer: LogWriter | undefined;

  private constructor(path: string, options: SqliteLogStoreOptions) {
    this.path = path;
    this.readonly = options.readonly === true;
    this.sync = this.readonly ? undefined : (options.sync ?? 'normal');
    if (this.readonly && !existsSync(path)) throw new LogStoreError('not-a-log', `No command log at '${path}'`);
    this.db = new Database(path, this.readonly ? { readonly: true, fileMustExist: true } : {});
    try {
      this.prepareSchema();
    } catch (e) {
      this.db.close();
      throw e;
    }
    const db = this.db;
    this.stmts = {
      insert: db.prepare(INSERT_SQL),
      last: db.prepare(TAIL_SQL).raw(true),
      entriesRange: db.prepare(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE seq >= ? AND seq <= ? ORDER BY seq`).raw(true),
      replayRange: db
        .prepare('SELECT seq, command, args, kind, applied, state_hash, phase_after FROM entries WHERE seq >= ? AND seq <= ? ORDER BY seq LIMIT ?')
        .raw(true),
      tail: db.prepare(`SELECT ${ENTRY_COLUMNS} FROM entries ORDER BY seq DESC LIMIT ?`).raw(true),
      headerLatest: db.prepare('SELECT header FROM header ORDER BY id DESC LIMIT 1').pluck(true),
      headerInsert: db.prepare('INSERT INTO header (at_seq, time, header) VALUES (?, ?, ?)'),
      sealLatest: db.prepare('SELECT seq, hash, time FROM seals ORDER BY id DESC LIMIT 1'),
      sealInsert: db.prepare('INSERT INTO seals (seq, hash, time) VALUES (?, ?, ?)'),
      sealAll: db.prepare('SELECT seq, hash, time FROM seals ORDER BY id'),
    };
    this.refreshTail();
    this.sealedSeq = (this.stmts.sealLatest.get() as LogSeal | undefined)?.seq ?? 0;
    // IMMEDIATE takes the write lock up front, so the tail read inside the
    // transaction is still the tail when the rows are inserted.
    this.appendTx = db.transaction((drafts: readonly LogEntryDraft[]) => this.appendInTransaction(drafts)).immediate;
    if (options.startWriter && !this.readonly && !this.inMemory) this.startWriter();
  }

  /** The sequence number of the last entry (0 for an empty log). */
  get lastSeq(): number {
    return this.lastSeqValue;
  }

  /** The hash of the last entry (`GENESIS_HASH` for an empty log). */
  get lastHash(): string {
    return this.lastHashValue;
  }

  append(drafts: readonly LogEntryDraft[]): LogEntry[] {
    if (this.readonly) throw new LogStoreError('read-only', `Command log '${this.path}' is open read-only`);
    if (drafts.length === 0) return [];
    if (this.writer?.busy) throw new Error('append() called while appendAsync() batches are in flight; entries would be reordered');
    return this.appendTx(drafts);
  }

  /**
   * Appends in one transaction on the writer thread; resolves once committed.
   * The entries are serialized here and numbered and chained there, so
   * batches submitted one after another are committed in that order while
   * the caller goes on with its next commands. An in-memory log has no file
   * to share with a thread and appends synchronously.
   */
  appendAsync(drafts: readonly LogEntryDraft[]): Promise<void> {
    if (this.readonly) return Promise.reject(new LogStoreError('read-only', `Command log '${this.path}' is open read-only`));
    if (drafts.length === 0) return Promise.resolve();
    if (this.inMemory) {
      try {
        this.appendTx(drafts);
        return Promise.resolve();
      } catch (e) {
        return Promise.reject(e);
      }
    }
    // One string per batch: a worker message copies one string far faster than
    // an array of many. NUL separates values; no stored text contains a raw NUL
    // (JSON escapes it, names and phases are plain words). The thread numbers
    // and chains the entries, so each goes as its columns plus the parts of its
    // hash input around the sequence number and previous hash (hash-input.mjs),
    // built here, where names are quoted from a cache. Joined from an array:
    // concatenating would build a tree of hundreds of pieces to flatten.
    const values: Array<string | number> = [];
    for (const d of drafts) {
      const f = storedFields(d, 0, '', this.originTextOf(d.origin));
      values.push(f.time, f.origin, f.command, f.args, f.kind, f.applied ? 1 : 0, f.result ?? '', f.error ?? '',
        f.phaseBefore, f.phaseAfter, f.runStateBefore, f.runStateAfter, f.stateHash, hashInputHead(f), hashInputMiddle(f), hashInputTail(f));
    }
    const batch = values.join(SEP);
    return this.startWriter().submit(batch).then((tail) => {
      this.lastSeqValue = tail.seq;
      this.lastHashValue = tail.hash;
    });
  }

  private startWriter(): LogWriter {
    this.writer ??= new LogWriter({
      path: this.path,
      // Its checkpoints run on their own thread (log-checkpoint-thread.mjs), beside the commits.
      pragmas: this.writerPragmas(0),
      checkpointEvery: CHECKPOINT_EVERY_ENTRIES,
      insertHead: INSERT_HEAD,
      rowPlaceholders: ROW_PLACEHOLDERS,
      tailSql: TAIL_SQL,
      genesisHash: GENESIS_HASH,
    });
    return this.writer;
  }

  writeHeader(header: LogHeader): void {
    if (this.readonly) throw new LogStoreError('read-only', `Command log '${this.path}' is open read-only`);
    // The header is versioned, not updated: each call appends a row, the latest wins.
    // An unchanged header (the kernel rewrites it on every close) adds nothing.
    const text = canonicalText(header);
    if (this.stmts.headerLatest.get() === text) return;
    this.stmts.headerInsert.run(this.lastSeqValue, Date.now(), text);
  }

  header(): LogHeader | undefined {
    const text = this.stmts.headerLatest.get() as string | undefined;
    return text === undefined ? undefined : (JSON.parse(text) as LogHeader);
  }

  *entries(range: { from?: number; to?: number } = {}): IterableIterator<LogEntry> {
    for (const r of this.stmts.entriesRange.iterate(range.from ?? 1, range.to ?? Number.MAX_SAFE_INTEGER)) {
      yield rowToEntry(r as RawEntry);
    }
  }

  /** Entries as stored text, unparsed: what the verifier hashes. */
  *storedRows(range: { from?: number; to?: number } = {}): IterableIterator<StoredRow> {
    for (const r of this.stmts.entriesRange.iterate(range.from ?? 1, range.to ?? Number.MAX_SAFE_INTEGER)) {
      yield rowToStored(r as RawEntry);
    }
  }

  /**
   * The few columns replay needs, as positional rows, without per-row objects
   * or JSON parsing. Read a page at a time: one call into SQLite per page
   * instead of per row (20-30% faster than stepping a statement row by row),
   * and no statement stays open between pages.
   */
  *replayRows(range: { from?: number; to?: number } = {}): IterableIterator<ReplayRow> {
    const to = range.to ?? Number.MAX_SAFE_INTEGER;
    for (let from = range.from ?? 1; ; ) {
      const page = this.stmts.replayRange.all(from, to, REPLAY_PAGE_ROWS) as ReplayRow[];
      yield* page;
      if (page.length < REPLAY_PAGE_ROWS) return;
      from = page[page.length - 1]![0] + 1;
    }
  }

  tail(n: number): LogEntry[] {
    return (this.stmts.tail.all(n) as RawEntry[]).map(rowToEntry).reverse();
  }

  /** The SQLite settings in force on this connection, for tests and `--help` text: journal mode and `synchronous` (1 NORMAL, 2 FULL). */
  settings(): { journalMode: string; synchronous: number } {
    return {
      journalMode: this.db.pragma('journal_mode', { simple: true }) as string,
      synchronous: this.db.pragma('synchronous', { simple: true }) as number,
    };
  }

  /** Every seal ever recorded, oldest first. */
  seals(): LogSeal[] {
    return this.stmts.sealAll.all() as LogSeal[];
  }

  /** Names of the append-only triggers present in the file (all of `APPEND_ONLY_TRIGGERS` unless tampered with). */
  triggers(): string[] {
    return (this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name").pluck(true).all() as string[]);
  }

  /**
   * Records the current last seq and hash, so `verify` can tell a log that
   * lost its tail from one that simply ended there. Called by `close`.
   */
  seal(): void {
    if (this.readonly || this.closed) return;
    this.refreshTail();
    if (this.lastSeqValue <= this.sealedSeq) return;
    this.stmts.sealInsert.run(this.lastSeqValue, this.lastHashValue, Date.now());
    this.sealedSeq = this.lastSeqValue;
  }

  close(): void {
    if (this.closed) return;
    this.writer?.close();
    this.seal();
    this.closed = true;
    this.db.close();
  }

  private appendInTransaction(drafts: readonly LogEntryDraft[]): LogEntry[] {
    // Another writer may have appended since our last look; chain onto the real tail.
    this.refreshTail();
    let seq = this.lastSeqValue;
    let prev = this.lastHashValue;
    const out: LogEntry[] = new Array(drafts.length);
    const insert = this.stmts.insert;
    for (let i = 0; i < drafts.length; i++) {
      const d = drafts[i]!;
      const f = storedFields(d, ++seq, prev, this.originTextOf(d.origin));
      const hash = hashFields(f);
      insert.run(
        f.seq, f.time, f.origin, f.command, f.args, f.kind, f.applied ? 1 : 0, f.result ?? null, f.error ?? null,
        f.phaseBefore, f.phaseAfter, f.runStateBefore, f.runStateAfter, f.stateHash, f.prevHash, hash,
      );
      out[i] = { ...d, seq, prevHash: prev, hash };
      prev = hash;
    }
    // Only now, inside the transaction that is about to commit; if the commit
    // throws, refreshTail at the next append reads the truth again.
    this.lastSeqValue = seq;
    this.lastHashValue = prev;
    return out;
  }

  private originTextOf(origin: Origin): string {
    let text = this.originText.get(origin);
    if (text === undefined) {
      text = canonicalText(origin);
      this.originText.set(origin, text);
    }
    return text;
  }

  private refreshTail(): void {
    const last = this.stmts.last.get() as [number, string] | undefined;
    this.lastSeqValue = last?.[0] ?? 0;
    this.lastHashValue = last?.[1] ?? GENESIS_HASH;
  }

  /** An in-memory log (tests): no file, so no WAL and no writer thread. */
  private get inMemory(): boolean {
    return this.path === ':memory:' || this.path === '';
  }

  /**
   * Per-connection settings of a writing connection (this one, and the writer
   * thread's with `autocheckpointPages` 0). Checkpoints are where `normal` mode
   * fsyncs; at SQLite's default (1000 pages) they cost more than the appends
   * themselves. 8192 pages bounds the WAL at ~32 MB.
   */
  private writerPragmas(autocheckpointPages = WAL_AUTOCHECKPOINT_PAGES): string[] {
    return [`synchronous = ${this.sync === 'full' ? 'FULL' : 'NORMAL'}`, `wal_autocheckpoint = ${autocheckpointPages}`];
  }

  private prepareSchema(): void {
    const db = this.db;
    if (!this.readonly) {
      // WAL: readers (verify, audit) never block the writer; commits are appends to the WAL.
      if (!this.inMemory) db.pragma('journal_mode = WAL');
      for (const pragma of this.writerPragmas()) db.pragma(pragma);
    }
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck(true).all() as string[];
    const version = db.pragma('user_version', { simple: true }) as number;
    if (tables.length === 0 && version === 0) {
      if (this.readonly) throw new LogStoreError('not-a-log', `'${this.path}' is not a vmledger command log (it is empty)`);
      db.exec(`BEGIN; ${SCHEMA} COMMIT;`);
      return;
    }
    if (!['header', 'entries', 'seals'].every((t) => tables.includes(t))) {
      throw new LogStoreError('not-a-log', `'${this.path}' is not a vmledger command log (tables: ${tables.join(', ') || 'none'})`);
    }
    if (version !== LOG_SCHEMA_VERSION) {
      throw new LogStoreError('schema-version', `Command log '${this.path}' has schema version ${version}; this program reads version ${LOG_SCHEMA_VERSION}`);
    }
  }
}

import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { canonicalText } from './canonical-text.js';
import type { Origin } from '../origin.js';
import { checkpointBody, keyId, makeCheckpoint, signBody, type Checkpoint } from './checkpoint.mjs';
import { entryHashRest } from './hash-input.mjs';
import type { LogKey } from './log-key.js';
import { LogSigner } from './log-signer.js';
import { LogWriter, SEP } from './log-writer.js';
import { entryLeaf, Frontier } from './merkle.mjs';
import { openReadOnly } from './read-only-open.js';
import { hashFields, headerHash, logRecordHash, sealHash, storedFields } from './record-hash.js';
import { rowToEntry, rowToStored, type CheckpointRow, type HeaderRow, type LogRecord, type RawEntry, type SealRow, type StoredRow } from './stored-rows.js';
import type { CommandLogStore, LogEntry, LogEntryDraft, LogHeader, SyncMode } from './log-entry.js';
import { CHAIN_TAIL_SQL, ENTRY_COLUMNS, LOG_SCHEMA_VERSION, READABLE_SCHEMA_VERSIONS, SCHEMA, TABLES } from './sqlite-schema.js';

export { APPEND_ONLY_MESSAGE, LOG_SCHEMA_VERSION } from './sqlite-schema.js';
export type { CheckpointRow, HeaderRow, LogRecord, SealRow, StoredRow } from './stored-rows.js';

/** WAL pages between automatic checkpoints (SQLite's default is 1000). */
export const WAL_AUTOCHECKPOINT_PAGES = 8192;

/**
 * Entries the writer thread commits between two background checkpoints:
 * about 4,000 pages of WAL at typical entry sizes, half the autocheckpoint.
 */
export const CHECKPOINT_EVERY_ENTRIES = 25_000;

/** When the signer writes a checkpoint unless told otherwise: every 10,000 entries, or 10 s after the last when entries came since. */
export const DEFAULT_CHECKPOINTS = { entries: 10_000, seconds: 10 } as const;

/** Why the store refused to open or write a file. */
export class LogStoreError extends Error {
  constructor(
    readonly code: 'not-a-log' | 'schema-version' | 'read-only' | 'sealed' | 'key',
    message: string,
  ) {
    super(message);
    this.name = 'LogStoreError';
  }
}

/** Checkpoints of the Merkle tree of the entries: signed with `key` when given, sent to `onCheckpoint` listeners either way. */
export interface CheckpointOptions {
  readonly key?: LogKey;
  /** A checkpoint whenever the log reaches a multiple of this many entries. */
  readonly entries?: number;
  /** And this many seconds after the last one when entries came since. */
  readonly seconds?: number;
}

/** How to open a log: sync mode for writers, or read-only for tools (verify, replay, audit). */
export interface SqliteLogStoreOptions {
  /** Default `normal`. Ignored when `readonly`. */
  readonly sync?: SyncMode;
  /** Opens an existing log without writing anything to it (no seal on close). */
  readonly readonly?: boolean;
  /** Writes checkpoints as the log grows and a signed seal (with a key) when it is closed. */
  readonly checkpoints?: CheckpointOptions;
}

/** The columns replay needs, as a positional row: seq, command, args JSON, kind, applied (0/1), state hash, phase after. */
export type ReplayRow = [number, string, string, string, number, string, string];

const INSERT_HEAD = `INSERT INTO entries (${ENTRY_COLUMNS}) VALUES `;
const ROW_PLACEHOLDERS = `(${ENTRY_COLUMNS.split(',').map(() => '?').join(',')})`;
const INSERT_SQL = INSERT_HEAD + ROW_PLACEHOLDERS;

/** Rows `replayRows` reads per call into SQLite. */
const REPLAY_PAGE_ROWS = 4096;

/**
 * The default command log: one SQLite file in WAL mode, opened through
 * better-sqlite3, created readable by its owner only (0600).
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
 * The chain: the log's first record, each header version, each entry and the
 * seal are hashed in that order, each over the hash of the one before it
 * (format 2, docs/command-log.md). A sealed log is closed for good.
 *
 * Append-only: triggers abort every UPDATE and DELETE on every table; the
 * hash chain (see `verifyLog`) detects edits made by someone who drops the
 * triggers first, and checkpoints kept elsewhere detect a chain rewritten
 * from an edit onward.
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
  /** The hash format (and schema version) of the file: 2, or 1 for a log written before format 2. */
  readonly format: number;
  private readonly db: Database.Database;
  private readonly copyDir: string | undefined;
  private lastSeqValue = 0;
  private lastHashValue = '';
  private sealed = false;
  private closed = false;
  // Origins are usually one object per connection: serialize each once.
  private readonly originText = new WeakMap<Origin, string>();
  private readonly stmts: {
    insert: Database.Statement;
    chainTail: Database.Statement;
    entriesRange: Database.Statement;
    entriesPage: Database.Statement;
    entryHashes: Database.Statement;
    replayRange: Database.Statement;
    tail: Database.Statement;
    headerLatest: Database.Statement;
  };
  private readonly appendTx: (drafts: readonly LogEntryDraft[]) => LogEntry[];
  private writer: LogWriter | undefined;
  private signer: LogSigner | undefined;
  private readonly checkpointing: Required<Omit<CheckpointOptions, 'key'>> & { key?: LogKey } | undefined;
  private readonly listeners: Array<(c: Checkpoint) => void> = [];

  private constructor(path: string, options: SqliteLogStoreOptions) {
    this.path = path;
    this.readonly = options.readonly === true;
    this.sync = this.readonly ? undefined : (options.sync ?? 'normal');
    this.checkpointing = options.checkpoints && { ...DEFAULT_CHECKPOINTS, ...options.checkpoints };
    if (this.readonly && !existsSync(path)) throw new LogStoreError('not-a-log', `No command log at '${path}'`);
    if (this.readonly) {
      const opened = openReadOnly(path);
      this.db = opened.db;
      this.copyDir = opened.copyDir;
    } else {
      // Created by us, readable by the owner only: SQLite gives the -wal and -shm files the same mode.
      if (!this.inMemory && !existsSync(path)) closeSync(openSync(path, 'wx', 0o600));
      this.db = new Database(path);
    }
    try {
      this.format = this.prepareSchema(options.checkpoints?.key);
    } catch (e) {
      this.closeConnection();
      throw e;
    }
    const db = this.db;
    this.stmts = {
      insert: db.prepare(INSERT_SQL),
      chainTail: db.prepare(this.format === 1 ? 'SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1' : CHAIN_TAIL_SQL).raw(true),
      entriesRange: db.prepare(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE seq >= ? AND seq <= ? ORDER BY seq`).raw(true),
      entriesPage: db.prepare(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE seq >= ? AND seq <= ? ORDER BY seq`).raw(true),
      entryHashes: db.prepare('SELECT seq, hash FROM entries WHERE seq >= ? AND seq <= ? ORDER BY seq').raw(true),
      replayRange: db
        .prepare('SELECT seq, command, args, kind, applied, state_hash, phase_after FROM entries WHERE seq >= ? AND seq <= ? ORDER BY seq LIMIT ?')
        .raw(true),
      tail: db.prepare(`SELECT ${ENTRY_COLUMNS} FROM entries ORDER BY seq DESC LIMIT ?`).raw(true),
      headerLatest: db.prepare('SELECT header FROM header ORDER BY id DESC LIMIT 1').pluck(true),
    };
    try {
      this.refreshTail();
      this.sealed = db.prepare('SELECT count(*) FROM seals').pluck(true).get() !== 0;
    } catch (e) {
      // A reader of a damaged file goes on: verify names the damage, the other tools fail where they read it.
      if (!this.readonly) {
        this.closeConnection();
        throw e;
      }
    }
    // IMMEDIATE takes the write lock up front, so the tail read inside the
    // transaction is still the tail when the rows are inserted.
    this.appendTx = db.transaction((drafts: readonly LogEntryDraft[]) => this.appendInTransaction(drafts)).immediate;
    if (this.readonly || this.inMemory) return;
    if (this.checkpointing) this.startSigner();
  }

  /** The sequence number of the last entry (0 for an empty log). */
  get lastSeq(): number {
    return this.lastSeqValue;
  }

  /** The hash the next record chains onto: the last entry's, or of a header version written after it, or the log's first record. */
  get lastHash(): string {
    return this.lastHashValue;
  }

  append(drafts: readonly LogEntryDraft[]): LogEntry[] {
    if (this.readonly) throw this.readOnlyError();
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
    if (this.readonly) return Promise.reject(this.readOnlyError());
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
    // and chains the entries, so each goes as its columns plus its hash input
    // after the sequence number and previous hash (hash-input.mjs), built
    // here, where names come from a cache. Joined from an array: concatenating
    // would build a tree of hundreds of pieces to flatten.
    const values: Array<string | number> = [];
    for (const d of drafts) {
      const f = storedFields(d, 0, '', this.originTextOf(d.origin));
      values.push(f.time, f.origin, f.command, f.args, f.kind, f.applied ? 1 : 0, f.result ?? '', f.error ?? '',
        f.phaseBefore, f.phaseAfter, f.runStateBefore, f.runStateAfter, f.stateHash, entryHashRest(f));
    }
    const batch = values.join(SEP);
    return this.startWriter().submit(batch).then((tail) => {
      this.lastSeqValue = tail.seq;
      this.lastHashValue = tail.hash;
    });
  }

  /**
   * Starts the writer thread that `appendAsync` uses now rather than at the
   * first append, so its start-up (tens of milliseconds of CPU) does not
   * delay the first reply that needs it. The program calls it once its
   * monitors are up: started with the log, it competed with the program's
   * own start-up for the CPU (about 10% of the CPU time to the QMP greeting,
   * bench/cli-startup.ts) while every command before then commits directly.
   */
  prepareWriter(): void {
    if (!this.readonly && !this.inMemory && !this.closed) this.startWriter();
  }

  /** Calls `listener` with each checkpoint and the seal as they are made (the witnesses: stderr, a file, a QMP event). */
  onCheckpoint(listener: (checkpoint: Checkpoint) => void): void {
    this.listeners.push(listener);
  }

  private startWriter(): LogWriter {
    this.writer ??= new LogWriter({
      path: this.path,
      // Its checkpoints run on their own thread (log-checkpoint-thread.mjs), beside the commits.
      pragmas: this.writerPragmas(0),
      checkpointEvery: CHECKPOINT_EVERY_ENTRIES,
      insertHead: INSERT_HEAD,
      rowPlaceholders: ROW_PLACEHOLDERS,
      tailSql: CHAIN_TAIL_SQL,
    });
    return this.writer;
  }

  private startSigner(): void {
    const options = this.checkpointing!;
    const record = this.logRecord()!;
    this.signer = new LogSigner({
      path: this.path,
      // Its connection only adds a checkpoint row now and then; the writer thread's checkpointer copies the WAL.
      pragmas: this.writerPragmas(0),
      logId: record.id,
      key: options.key?.privateKey,
      keyId: options.key?.id ?? '',
      everyEntries: options.entries,
      everySeconds: options.seconds,
      onCheckpoint: (c) => this.announce(c),
    });
  }

  private announce(c: Checkpoint): void {
    for (const listener of this.listeners) listener(c);
  }

  writeHeader(header: LogHeader): void {
    if (this.readonly) throw this.readOnlyError();
    // The header is versioned, not updated: each call appends a row, the latest wins.
    // An unchanged header (the kernel rewrites it on every close) adds nothing.
    const text = canonicalText(header);
    if (this.stmts.headerLatest.get() === text) return;
    this.db.transaction(() => {
      const [atSeq, prevHash] = this.chainTail();
      const time = Date.now();
      this.db
        .prepare('INSERT INTO header (at_seq, time, header, prev_hash, hash) VALUES (?, ?, ?, ?, ?)')
        .run(atSeq, time, text, prevHash, headerHash({ atSeq, prevHash, time, header: text }));
    }).immediate();
    this.refreshTail();
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

  /** Entries `from..to` as stored, read at once: usable while `storedRows` is being iterated. */
  storedRowsBetween(from: number, to: number): StoredRow[] {
    return (this.stmts.entriesPage.all(from, to) as RawEntry[]).map(rowToStored);
  }

  /** `[seq, hash]` of each entry in the range, in order: the leaves of the Merkle tree. */
  *entryHashes(range: { from?: number; to?: number } = {}): IterableIterator<[number, string]> {
    yield* this.stmts.entryHashes.iterate(range.from ?? 1, range.to ?? Number.MAX_SAFE_INTEGER) as IterableIterator<[number, string]>;
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

  /** The rows of the log's first record (format 2): exactly one unless someone added or removed one; none in format 1. */
  logRecords(): LogRecord[] {
    if (this.format === 1) return [];
    return this.db.prepare('SELECT id, created, key, hash FROM log ORDER BY rowid').all() as LogRecord[];
  }

  /** The log's first record (format 2; undefined in format 1 or when it was removed). */
  logRecord(): LogRecord | undefined {
    return this.logRecords()[0];
  }

  /** Every header version, oldest first. */
  headerRows(): HeaderRow[] {
    const columns = this.format === 1 ? 'id, at_seq AS atSeq, time, header' : 'id, at_seq AS atSeq, time, header, prev_hash AS prevHash, hash';
    return this.db.prepare(`SELECT ${columns} FROM header ORDER BY id`).all() as HeaderRow[];
  }

  /** Every seal ever recorded, oldest first. */
  seals(): SealRow[] {
    const columns = this.format === 1 ? 'seq, time, hash' : 'seq, time, hash, prev_hash AS prevHash, root, signature';
    return (this.db.prepare(`SELECT ${columns} FROM seals ORDER BY id`).all() as SealRow[]).map(withoutNulls);
  }

  /** Every checkpoint stored in the log, oldest first (none in format 1). */
  checkpoints(): CheckpointRow[] {
    if (this.format === 1) return [];
    return (this.db.prepare('SELECT size, time, root, chain, frontier, signature FROM checkpoints ORDER BY id').all() as CheckpointRow[]).map(withoutNulls);
  }

  /** Names of the append-only triggers present in the file. */
  triggers(): string[] {
    return this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name").pluck(true).all() as string[];
  }

  /** What SQLite's `integrity_check` says about the file (or one table of it): `['ok']`, or one line per problem. */
  integrityCheck(table?: string): string[] {
    return this.db.prepare(table === undefined ? 'PRAGMA integrity_check' : `PRAGMA integrity_check(${JSON.stringify(table)})`).pluck(true).all() as string[];
  }

  /** The table (or index) each root page belongs to, to name where the file is damaged. */
  rootPages(): Map<number, string> {
    try {
      const rows = this.db.prepare("SELECT rootpage, tbl_name FROM sqlite_master WHERE rootpage > 0").raw(true).all() as Array<[number, string]>;
      return new Map(rows);
    } catch {
      return new Map();
    }
  }

  /** The Merkle root (hex) of the first `size` entries, from the latest stored checkpoint at or below it onward. */
  rootAt(size: number): string {
    const stored = this.db
      .prepare('SELECT size, frontier FROM checkpoints WHERE size <= ? ORDER BY size DESC, id DESC LIMIT 1')
      .get(size) as { size: number; frontier: string } | undefined;
    const frontier = (stored && Frontier.fromText(stored.size, stored.frontier)) ?? new Frontier();
    for (const [, hash] of this.entryHashes({ from: frontier.size + 1, to: size })) frontier.append(entryLeaf(hash));
    return frontier.root().toString('hex');
  }

  /**
   * Closes the chain with a seal after the last record, so `verify` can tell
   * a log that lost its tail from one that simply ended there. With
   * checkpoints it carries the Merkle root, signed with the log's key, and
   * goes to the witnesses too. Called by `close`.
   */
  seal(): void {
    if (this.readonly || this.closed || this.sealed || this.format === 1) return;
    const key = this.checkpointing?.key;
    let statement: Checkpoint | undefined;
    this.db.transaction(() => {
      const [seq, prevHash] = this.chainTail();
      const time = Date.now();
      const hash = sealHash({ seq, prevHash, time });
      const root = this.checkpointing ? this.rootAt(seq) : undefined;
      if (root !== undefined) {
        const fields = { kind: 'seal' as const, log: this.logRecord()!.id, size: seq, root, chain: hash, time };
        statement = makeCheckpoint(fields, key && { keyId: key.id, value: signBody(checkpointBody(fields), key.privateKey) });
      }
      this.db
        .prepare('INSERT INTO seals (seq, time, prev_hash, hash, root, signature) VALUES (?, ?, ?, ?, ?, ?)')
        .run(seq, time, prevHash, hash, root ?? null, statement?.signature?.value ?? null);
      this.sealed = true;
    }).immediate();
    if (statement) this.announce(statement);
  }

  close(): void {
    if (this.closed) return;
    try {
      this.signer?.close();
      this.writer?.close();
      this.seal();
    } finally {
      // Even when the seal cannot be written (a full disk), the connection is released.
      this.closed = true;
      this.closeConnection();
    }
  }

  private closeConnection(): void {
    this.db.close();
    if (this.copyDir) rmSync(this.copyDir, { recursive: true, force: true });
  }

  private readOnlyError(): LogStoreError {
    return new LogStoreError('read-only', `Command log '${this.path}' is open read-only`);
  }

  private appendInTransaction(drafts: readonly LogEntryDraft[]): LogEntry[] {
    // Another writer may have appended since our last look; chain onto the real tail.
    let [seq, prev] = this.chainTail();
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
    // throws, the next append reads the truth again.
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

  /** `[last seq, hash the next record chains onto]`, read from the file. */
  private chainTail(): [number, string] {
    const [seq, hash] = (this.stmts.chainTail.get() as [number | null, string | null] | undefined) ?? [0, ''];
    return [seq ?? 0, hash ?? ''];
  }

  private refreshTail(): void {
    [this.lastSeqValue, this.lastHashValue] = this.chainTail();
  }

  /** An in-memory log (tests): no file, so no WAL and no writer or signer thread. */
  private get inMemory(): boolean {
    return this.path === ':memory:' || this.path === '';
  }

  /**
   * Per-connection settings of a writing connection (this one, and the
   * threads' with `autocheckpointPages` 0). Checkpoints are where `normal`
   * mode fsyncs; at SQLite's default (1000 pages) they cost more than the
   * appends themselves. 8192 pages bounds the WAL at ~32 MB.
   */
  private writerPragmas(autocheckpointPages = WAL_AUTOCHECKPOINT_PAGES): string[] {
    return [`synchronous = ${this.sync === 'full' ? 'FULL' : 'NORMAL'}`, `wal_autocheckpoint = ${autocheckpointPages}`];
  }

  /** Creates the schema of a new log, or checks an existing one; returns its format. */
  private prepareSchema(key: LogKey | undefined): number {
    const db = this.db;
    if (!this.readonly) {
      // WAL: readers (verify, audit) never block the writer; commits are appends to the WAL.
      if (!this.inMemory) db.pragma('journal_mode = WAL');
      for (const pragma of this.writerPragmas()) db.pragma(pragma);
    }
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck(true).all() as string[];
    const version = db.pragma('user_version', { simple: true }) as number;
    if (tables.length === 0 && version === 0) {
      if (this.readonly) throw new LogStoreError('not-a-log', emptyLogMessage(this.path));
      const record = { id: randomBytes(16).toString('hex'), created: Date.now(), key: key ? key.publicKey.toString('base64') : '' };
      db.transaction(() => {
        db.exec(SCHEMA);
        db.prepare('INSERT INTO log (id, created, key, hash) VALUES (?, ?, ?, ?)').run(record.id, record.created, record.key, logRecordHash(record));
      }).immediate();
      return LOG_SCHEMA_VERSION;
    }
    if (version === 0) throw new LogStoreError('not-a-log', `'${this.path}' is not a vmledger command log (tables: ${tables.join(', ')})`);
    if (!READABLE_SCHEMA_VERSIONS.includes(version)) {
      throw new LogStoreError('schema-version', `Command log '${this.path}' has schema version ${version}; this program reads versions ${READABLE_SCHEMA_VERSIONS.join(' and ')}`);
    }
    const missing = TABLES[version]!.filter((t) => !tables.includes(t));
    if (missing.length > 0) {
      throw new LogStoreError('not-a-log', `'${this.path}' is not a vmledger command log (tables: ${tables.join(', ') || 'none'}; missing: ${missing.join(', ')})`);
    }
    if (this.readonly) return version;
    if (version !== LOG_SCHEMA_VERSION) {
      throw new LogStoreError('schema-version', `Command log '${this.path}' is in format ${version}, written by an older vmledger: it can be verified, replayed and audited, not appended to`);
    }
    const sealed = db.prepare('SELECT seq FROM seals ORDER BY id DESC LIMIT 1').pluck(true).get() as number | undefined;
    if (sealed !== undefined) {
      throw new LogStoreError('sealed', `Command log '${this.path}' was sealed (closed cleanly) after entry ${sealed}; a sealed log is never appended to: start a new one`);
    }
    const recorded = (db.prepare('SELECT key FROM log LIMIT 1').pluck(true).get() as string | undefined) ?? '';
    const given = key ? key.publicKey.toString('base64') : '';
    if (recorded !== given) {
      const name = (k: string): string => (k === '' ? 'no key' : `key ${keyId(Buffer.from(k, 'base64'))}`);
      throw new LogStoreError('key', `Command log '${this.path}' was started with ${name(recorded)}; it can only be continued with the same (given: ${name(given)})`);
    }
    return version;
  }
}

/** A row without its NULL columns, so optional fields are absent rather than null. */
function withoutNulls<T extends object>(row: T): T {
  for (const k of Object.keys(row) as Array<keyof T>) if (row[k] === null) delete row[k];
  return row;
}

/**
 * Why a log opened for reading holds nothing. A database in WAL mode keeps
 * every change in its `-wal` file until a checkpoint: the log of a VM that
 * was killed (kill -9) may have all its entries there, so a copy of the main
 * file alone looks empty.
 */
function emptyLogMessage(path: string): string {
  const header = Buffer.alloc(20);
  let read = 0;
  try {
    const fd = openSync(path, 'r');
    try {
      read = readSync(fd, header, 0, header.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Unreadable here means SQLite could not have read it either: the plain message below.
  }
  // Bytes 18 and 19 of the database header are 2 in WAL mode (sqlite.org/fileformat.html, 1.3.2).
  const walMode = read === header.length && header[18] === 2 && header[19] === 2;
  // Opening the copy may itself leave an empty -wal beside it (SQLite creates one), so empty counts as missing.
  if (walMode && !(existsSync(`${path}-wal`) && statSync(`${path}-wal`).size > 0))
    return `'${path}' holds no entries of its own: a log in WAL mode keeps them in '${path}-wal' until it is closed, and that file is missing or empty (a VM that was killed leaves its entries there); copy it along with the log`;
  return `'${path}' is not a vmledger command log (it is empty)`;
}

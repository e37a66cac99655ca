import type { KeyObject } from 'node:crypto';
import type { CommandLogStore } from './log-entry.js';
import { sealHash, storedFields } from './record-hash.js';
import { appendOnlyTriggers } from './sqlite-schema.js';
import { SqliteLogStore } from './sqlite-log-store.js';
import type { HeaderRow, SealRow, StoredRow } from './stored-rows.js';
import { checkAnchors, type ExternalCheckpoint } from './verify-anchors.js';
import { walkChain, type ChainWalk } from './verify-chain.js';
import { integrityProblems } from './verify-integrity.js';
import type { LogProblem } from './verify-problems.js';

export type { LogProblem, LogProblemKind } from './verify-problems.js';
export type { ExternalCheckpoint } from './verify-anchors.js';

/** The outcome of `verifyLog`. `ok` is false exactly when `problems` is not empty. */
export interface VerifyResult {
  readonly ok: boolean;
  /** The log's hash format: 2, or 1 for a log written before format 2. */
  readonly format: number;
  /** Entries found intact before the first problem (all of them when ok). */
  readonly entries: number;
  /** Seq and hash of the last intact entry. */
  readonly lastSeq: number;
  readonly lastHash: string;
  /** Entries in the log and the Merkle root over them: keep `size:root` elsewhere (`--checkpoint`) to detect a later rewrite or truncation. */
  readonly size: number;
  readonly root: string;
  /** The seq the log was sealed after, 0 when it was never closed cleanly. */
  readonly sealedSeq: number;
  readonly sealed: boolean;
  /** The most entries a valid signature vouches for, and the key checked. */
  readonly signedThrough: number;
  readonly keyId?: string;
  /** The first problem, and every one found, in the order found. */
  readonly problem?: LogProblem;
  readonly problems: readonly LogProblem[];
  /** Not proof of tampering, but worth a look: missing append-only triggers. */
  readonly warnings: readonly string[];
}

/** Options for `verifyLog`. */
export interface VerifyOptions {
  /** Called every `progressInterval` entries (default 100,000). */
  readonly onProgress?: (seq: number) => void;
  readonly progressInterval?: number;
  /** The log's public key as the user holds it: signatures must be by it, and the log must be sealed. */
  readonly key?: KeyObject;
  /** Checkpoints kept outside the file that the log must still match. */
  readonly checkpoints?: readonly ExternalCheckpoint[];
}

/** At most this many findings are listed; the rest are counted. */
const MAX_PROBLEMS = 100;

/**
 * Checks a log: SQLite's integrity check, then its chain from the first
 * record to the seal (format 2: the log's first record, every header
 * version, every entry, the seal; format 1: the entries), then the
 * checkpoints and seal signatures in it and the checkpoints given. Names
 * every problem found. `source` is a file path (opened read-only, through a
 * private copy when its folder is read-only) or an open store.
 */
export function verifyLog(source: string | CommandLogStore, options: VerifyOptions = {}): VerifyResult {
  if (typeof source === 'string') {
    const store = SqliteLogStore.open(source, { readonly: true });
    try {
      return verifySqlite(store, options);
    } finally {
      store.close();
    }
  }
  return source instanceof SqliteLogStore ? verifySqlite(source, options) : verifyEntries(source, options);
}

/**
 * Reads one part of the file (`table`); when the file is damaged there,
 * names it, unless the integrity check already did, and returns undefined.
 */
function readPart<T>(damaged: LogProblem[], known: ReadonlySet<string>, table: string, what: string, read: () => T): T | undefined {
  try {
    return read();
  } catch (e) {
    if (!known.has(table)) damaged.push({ kind: 'damaged', seq: 0, message: `${what} could not be read (${(e as Error).message}): the file is damaged there` });
    return undefined;
  }
}

/** Rows until the file cannot be read further; the failure becomes a finding. */
function* readableRows(rows: Iterable<StoredRow>, damaged: LogProblem[]): IterableIterator<StoredRow> {
  let last = 0;
  try {
    for (const row of rows) {
      last = row.seq;
      yield row;
    }
  } catch (e) {
    damaged.push({ kind: 'damaged', seq: last + 1, message: `the entries after entry ${last} could not be read (${(e as Error).message}): the file is damaged there` });
  }
}

function verifySqlite(store: SqliteLogStore, options: VerifyOptions): VerifyResult {
  const integrity = integrityProblems(store);
  const damaged: LogProblem[] = [...integrity.problems];
  const read = <T>(table: string, what: string, fn: () => T): T | undefined => readPart(damaged, integrity.tables, table, what, fn);
  const format = store.format;
  const logRecords = read('log', "the log's first record", () => store.logRecords());
  const logRecord = logRecords?.[0];
  const headers = read('header', 'the header versions', () => store.headerRows());
  const seals = read('seals', 'the seal', () => store.seals()) ?? [];
  const checkpoints = read('checkpoints', 'the checkpoints', () => store.checkpoints()) ?? [];
  const triggers = read('sqlite_master', 'the list of triggers', () => store.triggers()) ?? [];
  const external = options.checkpoints ?? [];

  const walk = walkChain({
    format,
    logRecords,
    headers,
    rows: readableRows(store.storedRows(), damaged),
    peek: (from, to) => read('entries', `entries ${from}..${to}`, () => store.storedRowsBetween(from, to)) ?? [],
    firstRecordKnown: true,
    sizes: new Set([...checkpoints.map((c) => c.size), ...seals.map((s) => s.seq), ...external.map((c) => c.size)]),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    progressInterval: options.progressInterval ?? 100_000,
  });

  const sealFindings = format === 1 ? format1Seals(walk, seals) : format2Seal(walk, seals, headers ?? []);
  const seal = format === 2 && seals.length > 0 ? seals[0] : undefined;
  const anchors = checkAnchors({
    walk,
    format,
    ...(logRecord ? { logRecord } : {}),
    checkpoints,
    ...(seal ? { seal } : {}),
    ...(options.key ? { key: options.key } : {}),
    external,
    truncationKnown: [...walk.problems, ...sealFindings.problems].some((p) => p.kind === 'truncated'),
  });

  const missing = appendOnlyTriggers(format).filter((t) => !triggers.includes(t));
  const warnings = [...sealFindings.warnings, ...(missing.length ? [`append-only triggers missing: ${missing.join(', ')}`] : [])];
  return result(
    walk,
    format,
    [...damaged, ...walk.problems, ...sealFindings.problems, ...anchors.problems],
    warnings,
    { sealed: seals.length > 0, sealedSeq: seals.reduce((m, s) => Math.max(m, s.seq), 0), signedThrough: anchors.signedThrough, ...(anchors.keyId ? { keyId: anchors.keyId } : {}) },
  );
}

/** A store that is not SQLite holds only entries: their hashes and links are checked, from the first entry on. */
function verifyEntries(store: CommandLogStore, options: VerifyOptions): VerifyResult {
  const all = [...store.entries()].map((e): StoredRow => ({ ...storedFields(e, e.seq, e.prevHash), hash: e.hash }));
  const walk = walkChain({
    format: 2,
    logRecords: [],
    headers: [],
    rows: all,
    peek: (from, to) => all.filter((r) => r.seq >= from && r.seq <= to),
    firstRecordKnown: false,
    sizes: new Set((options.checkpoints ?? []).map((c) => c.size)),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    progressInterval: options.progressInterval ?? 100_000,
  });
  const anchors = checkAnchors({ walk, format: 2, checkpoints: [], external: options.checkpoints ?? [], truncationKnown: false });
  return result(walk, 2, [...walk.problems, ...anchors.problems], [], { sealed: false, sealedSeq: 0, signedThrough: 0 });
}

interface SealFindings {
  readonly problems: LogProblem[];
  readonly warnings: string[];
}

/** Format 2: one seal, the chain's last record, after the last entry. */
function format2Seal(walk: ChainWalk, seals: readonly SealRow[], headers: readonly HeaderRow[]): SealFindings {
  const problems: LogProblem[] = [];
  const seal = seals[0];
  if (seal === undefined || walk.stopped) return { problems, warnings: [] };
  if (seals.length > 1) problems.push({ kind: 'inserted', seq: seals[1]!.seq, message: `the log has ${seals.length} seals; a log is sealed once, when it is closed` });
  if (seal.seq > walk.walkedTo) {
    problems.push({
      kind: 'truncated',
      seq: walk.walkedTo + 1,
      message: `the log was sealed after entry ${seal.seq} but ends at entry ${walk.walkedTo}: entries ${walk.walkedTo + 1}..${seal.seq} were removed`,
    });
    return { problems, warnings: [] };
  }
  if (seal.seq < walk.walkedTo) {
    const range = seal.seq + 1 === walk.walkedTo ? `entry ${walk.walkedTo} was` : `entries ${seal.seq + 1}..${walk.walkedTo} were`;
    problems.push({ kind: 'after-seal', seq: seal.seq + 1, message: `${range} appended after the log was sealed after entry ${seal.seq}` });
    return { problems, warnings: [] };
  }
  for (const [i, h] of headers.entries()) {
    if (h.time > seal.time) problems.push({ kind: 'after-seal', seq: h.atSeq, message: `header version ${i + 1} was recorded after the log was sealed` });
  }
  if (seal.prevHash === undefined || sealHashOf(seal) !== seal.hash) {
    problems.push({ kind: 'altered', seq: seal.seq, message: 'the seal was altered: its content no longer matches its hash' });
  } else if (walk.chainEnd !== undefined && seal.prevHash !== walk.chainEnd) {
    problems.push({
      kind: 'chain-broken',
      seq: seal.seq,
      message: `the seal does not follow ${walk.chainEndName}: ${walk.chainEndShort} was rewritten with a new hash, or a record between them was removed or inserted`,
    });
  }
  return { problems, warnings: [] };
}

/** Format 1: seals outside the chain, each naming the last entry's hash; the latest counts. */
function format1Seals(walk: ChainWalk, seals: readonly SealRow[]): SealFindings {
  const latest = seals.reduce<SealRow | undefined>((a, s) => (a === undefined || s.seq > a.seq ? s : a), undefined);
  if (latest === undefined || walk.stopped) return { problems: [], warnings: [] };
  if (latest.seq > walk.walkedTo) {
    return {
      problems: [{ kind: 'truncated', seq: walk.walkedTo + 1, message: `the log was sealed at entry ${latest.seq} but ends at entry ${walk.walkedTo}: entries ${walk.walkedTo + 1}..${latest.seq} were removed` }],
      warnings: [],
    };
  }
  if (walk.hashes.get(latest.seq) !== latest.hash) {
    return {
      problems: [{ kind: 'altered', seq: latest.seq, message: `entry ${latest.seq} differs from the seal recorded when the log was closed (the log was rewritten from here or earlier)` }],
      warnings: [],
    };
  }
  // Format 1 allowed reopening a sealed log, so entries after the last seal are not proof of tampering there.
  const after = latest.seq < walk.walkedTo ? [`entries ${latest.seq + 1}..${walk.walkedTo} come after the last seal (entry ${latest.seq}): nothing vouches for them`] : [];
  return { problems: [], warnings: after };
}

function sealHashOf(seal: SealRow): string {
  return sealHash({ seq: seal.seq, prevHash: seal.prevHash ?? '', time: seal.time });
}

function result(
  walk: ChainWalk,
  format: number,
  found: LogProblem[],
  warnings: string[],
  extra: Pick<VerifyResult, 'sealed' | 'sealedSeq' | 'signedThrough' | 'keyId'>,
): VerifyResult {
  // In the order of the log: what concerns the whole file first, then by entry.
  const problems = [...found].sort((a, b) => a.seq - b.seq).slice(0, MAX_PROBLEMS);
  const more = found.length - problems.length;
  return {
    ok: found.length === 0,
    format,
    entries: walk.entries,
    lastSeq: walk.lastSeq,
    lastHash: walk.lastHash,
    size: walk.walkedTo,
    root: walk.root,
    ...extra,
    ...(problems.length ? { problem: problems[0] } : {}),
    problems,
    warnings: more > 0 ? [...warnings, `${more} more problems not listed`] : warnings,
  };
}

import { GENESIS_HASH, hashFields, storedFields } from './entry-hash.js';
import type { CommandLogStore } from './log-entry.js';
import { APPEND_ONLY_TRIGGERS, SqliteLogStore, type LogSeal, type StoredRow } from './sqlite-log-store.js';

/**
 * What kind of tampering (or damage) verification found:
 * - `altered`: an entry's content no longer matches its own hash.
 * - `removed`: sequence numbers jump; the missing entries are named.
 * - `reordered`: an entry sits at a position it was not recorded at.
 * - `chain-broken`: an entry is self-consistent but does not follow its
 *   predecessor (the predecessor was rewritten with a fresh hash, or an entry
 *   was inserted).
 * - `truncated`: the log ends before the last seal written on a clean close.
 */
export type LogProblemKind = 'altered' | 'removed' | 'reordered' | 'chain-broken' | 'truncated';

/** The first problem found, with the sequence number it concerns and a sentence a user can act on. */
export interface LogProblem {
  readonly kind: LogProblemKind;
  readonly seq: number;
  readonly message: string;
}

/** The outcome of `verifyLog`. `ok` is false exactly when `problem` is set. */
export interface VerifyResult {
  readonly ok: boolean;
  /** Entries read before stopping (all of them when ok). */
  readonly entries: number;
  /** Seq and hash of the last good entry: publish these to detect a later truncation or rewrite. */
  readonly lastSeq: number;
  readonly lastHash: string;
  /** The seq of the latest seal, 0 when the log was never closed cleanly. */
  readonly sealedSeq: number;
  readonly problem?: LogProblem;
  /** Not proof of tampering, but worth a look: missing append-only triggers. */
  readonly warnings: readonly string[];
}

/** Options for `verifyLog`. */
export interface VerifyOptions {
  /** Called every `progressInterval` entries (default 100,000). */
  readonly onProgress?: (seq: number) => void;
  readonly progressInterval?: number;
}

// How far from its position a moved entry is looked for, to tell `reordered` from `altered`.
const REORDER_WINDOW = 1024;

/**
 * Checks a log's hash chain from the first entry to the last and names the
 * first problem. `source` is a file path (opened read-only) or an open store.
 *
 * Limits: the chain is unkeyed, so someone who rewrites every hash after an
 * edit is caught only against a copy of `lastHash` kept elsewhere; removing
 * entries from the end is caught only when the log was sealed (closed cleanly)
 * after them and the seal survived.
 */
export function verifyLog(source: string | CommandLogStore, options: VerifyOptions = {}): VerifyResult {
  if (typeof source === 'string') {
    const store = SqliteLogStore.open(source, { readonly: true });
    try {
      return verifyStore(store, options);
    } finally {
      store.close();
    }
  }
  return verifyStore(source, options);
}

function verifyStore(store: CommandLogStore, options: VerifyOptions): VerifyResult {
  const warnings: string[] = [];
  let seals: LogSeal[] = [];
  let rows: Iterable<StoredRow>;
  if (store instanceof SqliteLogStore) {
    const present = new Set(store.triggers());
    const missing = APPEND_ONLY_TRIGGERS.filter((t) => !present.has(t));
    if (missing.length) warnings.push(`append-only triggers missing: ${missing.join(', ')}`);
    seals = store.seals();
    rows = store.storedRows();
  } else {
    rows = storedRowsOf(store);
  }
  const lastSeal = seals.reduce<LogSeal | undefined>((a, s) => (a === undefined || s.seq > a.seq ? s : a), undefined);
  const interval = options.progressInterval ?? 100_000;

  let count = 0;
  let prevSeq = 0;
  let prevHash = GENESIS_HASH;
  let problem: LogProblem | undefined;
  for (const row of rows) {
    problem = checkRow(row, prevSeq, prevHash);
    if (problem) break;
    if (lastSeal && row.seq === lastSeal.seq && row.hash !== lastSeal.hash) {
      problem = {
        kind: 'altered',
        seq: row.seq,
        message: `entry ${row.seq} differs from the seal recorded when the log was closed (the log was rewritten from here or earlier)`,
      };
      break;
    }
    count++;
    prevSeq = row.seq;
    prevHash = row.hash;
    if (options.onProgress && count % interval === 0) options.onProgress(row.seq);
  }
  if (!problem && lastSeal && lastSeal.seq > prevSeq) {
    problem = {
      kind: 'truncated',
      seq: prevSeq + 1,
      message: `the log was sealed at entry ${lastSeal.seq} but ends at entry ${prevSeq}: entries ${prevSeq + 1}..${lastSeal.seq} were removed`,
    };
  }
  return {
    ok: problem === undefined,
    entries: count,
    lastSeq: prevSeq,
    lastHash: prevHash,
    sealedSeq: lastSeal?.seq ?? 0,
    ...(problem ? { problem } : {}),
    warnings,
  };
}

function checkRow(row: StoredRow, prevSeq: number, prevHash: string): LogProblem | undefined {
  const expected = prevSeq + 1;
  if (row.seq !== expected) {
    const range = row.seq - 1 === expected ? `entry ${expected} is` : `entries ${expected}..${row.seq - 1} are`;
    return { kind: 'removed', seq: expected, message: `${range} missing: entry ${row.seq} follows entry ${prevSeq}` };
  }
  if (hashFields(row) !== row.hash) {
    const recordedAs = findRecordedSeq(row);
    if (recordedAs !== undefined) {
      return { kind: 'reordered', seq: row.seq, message: `entry at position ${row.seq} (${row.command}) was recorded as entry ${recordedAs}: entries were reordered` };
    }
    return { kind: 'altered', seq: row.seq, message: `entry ${row.seq} (${row.command}) was altered: its content no longer matches its hash` };
  }
  if (row.prevHash !== prevHash) {
    return {
      kind: 'chain-broken',
      seq: row.seq,
      message: `entry ${row.seq} (${row.command}) does not follow entry ${prevSeq}: entry ${prevSeq} was rewritten with a new hash, or entries were inserted or reordered`,
    };
  }
  return undefined;
}

/** The seq a moved row's hash was computed with, searched near where it sits now. */
function findRecordedSeq(row: StoredRow): number | undefined {
  for (let d = 1; d <= REORDER_WINDOW; d++) {
    for (const seq of [row.seq + d, row.seq - d]) {
      if (seq >= 1 && hashFields({ ...row, seq }) === row.hash) return seq;
    }
  }
  return undefined;
}

function* storedRowsOf(store: CommandLogStore): IterableIterator<StoredRow> {
  for (const e of store.entries()) yield { ...storedFields(e, e.seq, e.prevHash), hash: e.hash };
}

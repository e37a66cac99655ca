import type { Origin } from '../origin.js';
import { PHASES, phaseIndex, type Phase } from '../phase.js';
import type { CommandLogStore } from './log-entry.js';
import { SqliteLogStore, type ReplayRow } from './sqlite-log-store.js';

/** What replay drives: a fresh kernel with the same plugins satisfies it. */
export interface ReplayTarget {
  /** Runs one command; rejects (with a QmpError) when it fails. */
  execute(command: string, args: Record<string, unknown>, origin: Origin): Promise<unknown>;
  /** Optional fast path: runs the command at once, returning (or throwing) synchronously when it can, else a promise. */
  executeNow?(command: string, args: Record<string, unknown>, origin: Origin): unknown;
  /** The configuration's state hash now, comparable with `LogEntry.stateHash`. */
  stateHash(): string;
}

/** Where replay stands, reported every `progressInterval` entries. */
export interface ReplayProgress {
  /** The seq of the entry just handled. */
  readonly seq: number;
  /** The last seq replay will reach (the log's end or `to`). */
  readonly lastSeq: number;
  readonly executed: number;
  readonly skipped: number;
}

/** Options for `replayLog`. */
export interface ReplayOptions {
  /** Stop after this seq (inclusive). */
  readonly to?: number;
  /** Stop after the first entry that leaves the configuration in this phase or a later one. */
  readonly untilPhase?: Phase;
  readonly onProgress?: (progress: ReplayProgress) => void;
  /** Stop after the first entry after which this returns true (`log bisect`); asked after every entry handled. */
  readonly until?: () => boolean;
  /** Entries between progress reports; default 50,000. */
  readonly progressInterval?: number;
}

/** The first entry whose replay did not reproduce the logged state. */
export interface ReplayMismatch {
  readonly seq: number;
  readonly command: string;
  /** The state hash the log recorded after this entry. */
  readonly expected: string;
  /** The state hash after replaying it (empty when the command failed). */
  readonly actual: string;
  /** Set when the command, applied originally, failed on replay. */
  readonly error?: { readonly class: string; readonly desc: string };
}

/** Why replay stopped: the log's end, `to`, `untilPhase`, `until`, or a mismatch. */
export type ReplayStop = 'end' | 'to' | 'phase' | 'until' | 'mismatch';

/** Counts and the outcome of a replay; `ok` is false exactly when `mismatch` is set. */
export interface ReplayResult {
  readonly ok: boolean;
  /** Entries executed (applied change commands). */
  readonly executed: number;
  /** Entries passed over: queries and commands that failed originally (they changed nothing). */
  readonly skipped: number;
  /** The seq of the last entry handled (0 if none). */
  readonly lastSeq: number;
  readonly stoppedBy: ReplayStop;
  readonly mismatch?: ReplayMismatch;
}

/**
 * Executes a log's applied change commands, in order, against `target` (a
 * fresh kernel), checking after each that the state hash equals the logged
 * one, and stops at the first that differs. Origin of each replayed command:
 * `{transport: 'replay', client: '<original seq>'}`.
 *
 * The chain itself is not checked here (`verifyLog` does that); replay trusts
 * the rows it reads. On a SQLite store it reads positional rows of only the
 * columns it needs, so its own cost per entry is a JSON.parse of the arguments.
 */
export async function replayLog(store: CommandLogStore, target: ReplayTarget, options: ReplayOptions = {}): Promise<ReplayResult> {
  const to = options.to ?? Number.MAX_SAFE_INTEGER;
  const untilPhase = options.untilPhase === undefined ? PHASES.length : phaseIndex(options.untilPhase);
  const interval = options.progressInterval ?? 50_000;
  const onProgress = options.onProgress;
  const lastSeq = Math.min(to, storeLastSeq(store));
  let executed = 0;
  let skipped = 0;
  let seq = 0;
  let handled = 0;
  const rows: Iterable<Row> = store instanceof SqliteLogStore ? store.replayRows({ to }) : rowsOf(store, to);
  // for-of closes the statement's iterator on an early return, releasing the connection.
  for (const row of rows) {
    seq = row[0];
    const command = row[1];
    if (row[4] !== 1 || row[3] !== 'change') {
      skipped++;
    } else {
      const args = typeof row[2] === 'string' ? (JSON.parse(row[2]) as Record<string, unknown>) : (row[2] as Record<string, unknown>);
      const expected = row[5];
      try {
        const origin = { transport: 'replay', client: String(seq) };
        const pending = target.executeNow ? target.executeNow(command, args, origin) : target.execute(command, args, origin);
        if (pending instanceof Promise) await pending;
      } catch (e) {
        return { ok: false, executed, skipped, lastSeq: seq, stoppedBy: 'mismatch', mismatch: { seq, command, expected, actual: '', error: errorOf(e) } };
      }
      executed++;
      const actual = target.stateHash();
      if (actual !== expected) {
        return { ok: false, executed, skipped, lastSeq: seq, stoppedBy: 'mismatch', mismatch: { seq, command, expected, actual } };
      }
    }
    if (onProgress && ++handled % interval === 0) onProgress({ seq, lastSeq, executed, skipped });
    if (options.until?.()) return { ok: true, executed, skipped, lastSeq: seq, stoppedBy: 'until' };
    if (untilPhase < PHASES.length && phaseIndex(row[6] as Phase) >= untilPhase) {
      return { ok: true, executed, skipped, lastSeq: seq, stoppedBy: 'phase' };
    }
  }
  if (onProgress) onProgress({ seq, lastSeq, executed, skipped });
  return { ok: true, executed, skipped, lastSeq: seq, stoppedBy: options.to !== undefined && seq >= options.to ? 'to' : 'end' };
}

// A SQLite `ReplayRow`, or the same shape with arguments already parsed (other stores).
type Row = ReplayRow | [number, string, Record<string, unknown>, string, number, string, string];

function storeLastSeq(store: CommandLogStore): number {
  if (store instanceof SqliteLogStore) return store.lastSeq;
  return store.tail(1)[0]?.seq ?? 0;
}

// Generic stores hand out parsed entries; shape them like the SQLite fast path's rows.
function* rowsOf(store: CommandLogStore, to: number): IterableIterator<Row> {
  for (const e of store.entries({ to })) {
    yield [e.seq, e.command, e.args, e.kind, e.applied ? 1 : 0, e.stateHash, e.phaseAfter];
  }
}

function errorOf(e: unknown): { class: string; desc: string } {
  if (e && typeof e === 'object') {
    const err = e as { errorClass?: unknown; desc?: unknown; message?: unknown };
    if (typeof err.errorClass === 'string' && typeof err.desc === 'string') return { class: err.errorClass, desc: err.desc };
    if (typeof err.message === 'string') return { class: 'GenericError', desc: err.message };
  }
  return { class: 'GenericError', desc: String(e) };
}

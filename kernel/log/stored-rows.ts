import type { CommandKind } from '../command.js';
import type { Origin } from '../origin.js';
import type { Phase, RunState } from '../phase.js';
import type { LogEntry } from './log-entry.js';
import type { StoredFields } from './record-hash.js';

/** The log's first record: its identity, creation time and signing key (raw Ed25519, base64; empty without one). */
export interface LogRecord {
  readonly id: string;
  readonly created: number;
  readonly key: string;
  readonly hash: string;
}

/** One header version as stored; `prevHash` and `hash` chain it (format 2 only). */
export interface HeaderRow {
  readonly id: number;
  readonly atSeq: number;
  readonly time: number;
  readonly header: string;
  readonly prevHash?: string;
  readonly hash?: string;
}

/**
 * A seal: the log was closed cleanly after entry `seq`. In format 2 it is a
 * record of the chain (`prevHash`, `hash`), with the Merkle root of the
 * entries and, with a key, a signature; in format 1 `hash` is the last
 * entry's hash.
 */
export interface SealRow {
  readonly seq: number;
  readonly time: number;
  readonly hash: string;
  readonly prevHash?: string;
  readonly root?: string;
  readonly signature?: string;
}

/** A checkpoint as stored, with the right edge of the tree it was computed from. */
export interface CheckpointRow {
  readonly size: number;
  readonly time: number;
  readonly root: string;
  readonly chain: string;
  readonly frontier: string;
  readonly signature?: string;
}

/** One entry exactly as stored (canonical JSON text, not parsed), with its recorded hash; what `verify` reads. */
export interface StoredRow extends StoredFields {
  readonly hash: string;
}

/** An entry's columns as read from SQLite, in `ENTRY_COLUMNS` order. */
export type RawEntry = [
  number, number, string, string, string, string, number, string | null, string | null,
  string, string, string, string, string, string, string,
];

// An absent result or error is NULL; an empty text means the same (the hash input cannot tell them apart).
const present = (text: string | null): text is string => text !== null && text !== '';

/** An entry row as values: the structured fields parsed. */
export function rowToEntry(r: RawEntry): LogEntry {
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
  if (present(r[7])) entry.result = JSON.parse(r[7]);
  if (present(r[8])) entry.error = JSON.parse(r[8]) as LogEntry['error'];
  return entry;
}

/** An entry row as stored text: what the verifier hashes. */
export function rowToStored(r: RawEntry): StoredRow {
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


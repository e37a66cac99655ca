import type { CommandKind } from '../command.js';
import type { Checkpoint } from './checkpoint.mjs';
import type { FileReference } from '../host-broker.js';
import type { Origin } from '../origin.js';
import type { Phase, RunState } from '../phase.js';

/** What the dispatcher records for one executed command, before the log numbers and chains it. */
export interface LogEntryDraft {
  /** Wall-clock time in milliseconds since the epoch. */
  readonly time: number;
  readonly origin: Origin;
  readonly command: string;
  readonly args: Record<string, unknown>;
  readonly kind: CommandKind;
  /** False for a command that failed and changed nothing. */
  readonly applied: boolean;
  readonly result?: unknown;
  readonly error?: { readonly class: string; readonly desc: string };
  readonly phaseBefore: Phase;
  readonly phaseAfter: Phase;
  readonly runStateBefore: RunState;
  readonly runStateAfter: RunState;
  /** The configuration's state hash after the command. */
  readonly stateHash: string;
}

/** One row of the command log: a draft with its sequence number and place in the hash chain. */
export interface LogEntry extends LogEntryDraft {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
}

/** Recorded once per log: enough to say why a replay elsewhere differs. */
export interface LogHeader {
  readonly programVersion: string;
  readonly plugins: ReadonlyArray<{ readonly name: string; readonly version: string }>;
  readonly createdAt: number;
  readonly files: readonly FileReference[];
  /** How state hashes are computed (kernel/objects/state-hash-format.ts); absent in logs written before format 2, which are format 1. */
  readonly stateHashFormat?: number;
}

/** How hard a commit tries: `normal` survives a process crash, `full` survives power loss. */
export type SyncMode = 'normal' | 'full';

/** Where the dispatcher writes entries. The SQLite store is the default. */
export interface CommandLogStore {
  /** Appends entries in one transaction; returns them numbered and chained. Durable on return. */
  append(drafts: readonly LogEntryDraft[]): LogEntry[];
  /**
   * Appends in one transaction without waiting for it here; resolves once the
   * entries are durable. Batches are committed in the order they were
   * submitted. The dispatcher prefers this when a store offers it.
   */
  appendAsync?(drafts: readonly LogEntryDraft[]): Promise<void>;
  /** Records the header (first call) or updates its file references (later calls). */
  writeHeader(header: LogHeader): void;
  header(): LogHeader | undefined;
  /** Entries in sequence order, optionally from/to a sequence number. */
  entries(range?: { from?: number; to?: number }): IterableIterator<LogEntry>;
  /** The most recent `n` entries, oldest first. */
  tail(n: number): LogEntry[];
  /** Calls `listener` with each checkpoint (and the seal) the store makes, when it makes any. */
  onCheckpoint?(listener: (checkpoint: Checkpoint) => void): void;
  close(): void;
}

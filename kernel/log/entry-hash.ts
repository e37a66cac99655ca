import { hash } from 'node:crypto';
import { canonicalText } from './canonical-text.js';
import { hashInput, type HashInputFields } from './hash-input.mjs';
import type { LogEntry, LogEntryDraft } from './log-entry.js';

/** The `prevHash` of the first entry of every log: 64 zeros (the header is versioned apart, see docs/command-log.md). */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * An entry's fields as stored: the structured ones (`origin`, `args`,
 * `result`, `error`) already in canonical JSON text, `undefined` when absent.
 * The hash is computed over exactly this text, so the store and the verifier
 * hash the same bytes without re-serializing anything.
 */
export type StoredFields = HashInputFields;

export { hashInput };

/** SHA-256 (hex) of an entry's canonical serialization; it includes `prevHash`, which chains the log. */
export function hashFields(f: StoredFields): string {
  return hash('sha256', hashInput(f), 'hex');
}

/** Serializes a draft's structured fields to canonical text, as the store keeps them. */
export function storedFields(draft: LogEntryDraft, seq: number, prevHash: string, originText?: string): StoredFields {
  return {
    seq,
    time: draft.time,
    origin: originText ?? canonicalText(draft.origin),
    command: draft.command,
    args: canonicalText(draft.args),
    kind: draft.kind,
    applied: draft.applied,
    result: draft.result === undefined ? undefined : canonicalText(draft.result),
    error: draft.error === undefined ? undefined : canonicalText(draft.error),
    phaseBefore: draft.phaseBefore,
    phaseAfter: draft.phaseAfter,
    runStateBefore: draft.runStateBefore,
    runStateAfter: draft.runStateAfter,
    stateHash: draft.stateHash,
    prevHash,
  };
}

/** Recomputes the hash of an entry held as values (any store); equal to what the SQLite store recorded. */
export function entryHash(entry: Omit<LogEntry, 'hash'>): string {
  return hashFields(storedFields(entry, entry.seq, entry.prevHash));
}

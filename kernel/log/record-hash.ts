import { hash } from 'node:crypto';
import { canonicalText } from './canonical-text.js';
import {
  entryHashInput,
  headerHashInput,
  logHashInput,
  sealHashInput,
  type EntryHashFields,
  type HeaderHashFields,
  type LogHashFields,
  type SealHashFields,
} from './hash-input.mjs';
import type { LogEntry, LogEntryDraft } from './log-entry.js';

/**
 * An entry's fields as stored: the structured ones (`origin`, `args`,
 * `result`, `error`) already in canonical JSON text, `undefined` when absent.
 * The hash is computed over exactly this text, so the store and the verifier
 * hash the same bytes without re-serializing anything.
 */
export type StoredFields = EntryHashFields;

const sha256 = (input: string): string => hash('sha256', input, 'hex');

/** SHA-256 (hex) of an entry's hash input; it includes the previous record's hash, which chains the log. */
export function hashFields(f: StoredFields): string {
  return sha256(entryHashInput(f));
}

/** SHA-256 (hex) of a header version. */
export function headerHash(f: HeaderHashFields): string {
  return sha256(headerHashInput(f));
}

/** SHA-256 (hex) of the seal. */
export function sealHash(f: SealHashFields): string {
  return sha256(sealHashInput(f));
}

/** SHA-256 (hex) of the log's first record, which every later record chains back to. */
export function logRecordHash(f: LogHashFields): string {
  return sha256(logHashInput(f));
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

import { hash } from 'node:crypto';
import { canonicalText, quoteName } from './canonical-text.js';
import type { LogEntry, LogEntryDraft } from './log-entry.js';

/** The `prevHash` of the first entry of every log: 64 zeros (the header is versioned apart, see docs/command-log.md). */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * An entry's fields as stored: the structured ones (`origin`, `args`,
 * `result`, `error`) already in canonical JSON text, `undefined` when absent.
 * The hash is computed over exactly this text, so the store and the verifier
 * hash the same bytes without re-serializing anything.
 */
export interface StoredFields {
  readonly seq: number;
  readonly time: number;
  readonly origin: string;
  readonly command: string;
  readonly args: string;
  readonly kind: string;
  readonly applied: boolean;
  readonly result: string | undefined;
  readonly error: string | undefined;
  readonly phaseBefore: string;
  readonly phaseAfter: string;
  readonly runStateBefore: string;
  readonly runStateAfter: string;
  readonly stateHash: string;
  readonly prevHash: string;
}

/** Hashes are hex and need no escaping; anything else (a tampered row) goes through JSON.stringify. */
function quoteHash(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return JSON.stringify(s);
  }
  return '"' + s + '"';
}

/**
 * An entry's canonical serialization cut around the two values only the
 * writer knows, because they come from the log's tail at commit time:
 * `head + quoteHash(prevHash) + middle + seq + tail`. The dispatcher's thread
 * builds the parts; the writer thread (or `hashInput`) joins them.
 */
export type HashInputParts = readonly [head: string, middle: string, tail: string];

/**
 * The parts of `hashInput` that do not depend on `seq` and `prevHash`.
 * Built by concatenation because this runs once per logged command; a test
 * pins `hashInput` to `canonicalJson` so the two cannot drift apart.
 */
export function hashInputParts(f: Omit<StoredFields, 'seq' | 'prevHash'>): HashInputParts {
  // Keys in sorted order: applied, args, command, error, kind, origin, phaseAfter,
  // phaseBefore, prevHash, result, runStateAfter, runStateBefore, seq, stateHash, time.
  return [
    '{"applied":' + (f.applied ? 'true' : 'false') +
      ',"args":' + f.args +
      ',"command":' + quoteName(f.command) +
      (f.error === undefined ? '' : ',"error":' + f.error) +
      ',"kind":' + quoteName(f.kind) +
      ',"origin":' + f.origin +
      ',"phaseAfter":' + quoteName(f.phaseAfter) +
      ',"phaseBefore":' + quoteName(f.phaseBefore) +
      ',"prevHash":',
    (f.result === undefined ? '' : ',"result":' + f.result) +
      ',"runStateAfter":' + quoteName(f.runStateAfter) +
      ',"runStateBefore":' + quoteName(f.runStateBefore) +
      ',"seq":',
    ',"stateHash":' + quoteHash(f.stateHash) + ',"time":' + JSON.stringify(f.time) + '}',
  ];
}

/** The canonical serialization an entry's hash covers: `canonicalJson` of the entry without its `hash` (keys sorted, absent `result`/`error` omitted). */
export function hashInput(f: StoredFields): string {
  const [head, middle, tail] = hashInputParts(f);
  return head + quoteHash(f.prevHash) + middle + String(f.seq) + tail;
}

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

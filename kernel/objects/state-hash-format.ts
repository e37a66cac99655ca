import type { LogHeader } from '../log/log-entry.js';

/**
 * What an object contributes to the state hash, by format:
 * 1. its type, whether it is realized, and its properties;
 * 2. also its placement (the addresses and interrupt lines a board gave a
 *    realized device), so two configurations the guest sees differently
 *    never hash the same; and containers (`/objects`, `/machine/peripheral`)
 *    contribute nothing: they only group, so a container left empty by a
 *    deletion is not a configuration of its own.
 * A log records the format it was written with in its header
 * (`stateHashFormat`; a header without one is format 1), and replay hashes
 * in the log's format, so older logs still replay and verify.
 */
export const STATE_HASH_FORMAT = 2;

/** The state-hash formats this program computes. */
export const STATE_HASH_FORMATS: readonly number[] = [1, 2];

/** The state-hash format a log was written with; a clear error for one this program does not know. */
export function stateHashFormatOf(header: LogHeader | undefined): number {
  const format = header?.stateHashFormat ?? 1;
  if (!STATE_HASH_FORMATS.includes(format))
    throw new Error(`the log's state hashes are format ${format}, which this program does not compute (it knows ${STATE_HASH_FORMATS.join(', ')}); use a newer vmledger`);
  return format;
}

import { hash } from 'node:crypto';
import type { EntryHashFields } from './hash-input.mjs';

/**
 * Format 1, the hash input of logs written before format 2 (schema version
 * 1): kept so those logs still verify. Only entries are chained, the first
 * from `FORMAT_1_GENESIS`; the header and the seals are outside the chain.
 * The input is `canonicalJson` of the entry without its `hash`, with the
 * stored JSON text of `args`, `origin`, `result` and `error` spliced in
 * unquoted: text can move between those fields without changing the input,
 * which is why format 2 replaced it (docs/command-log.md).
 */
export const FORMAT_1_GENESIS = '0'.repeat(64);

/** The format-1 input: keys sorted, absent `result`/`error` omitted. */
export function format1HashInput(f: EntryHashFields): string {
  return (
    `{"applied":${f.applied ? 'true' : 'false'},"args":${f.args},"command":${JSON.stringify(f.command)}` +
    (f.error === undefined ? '' : `,"error":${f.error}`) +
    `,"kind":${JSON.stringify(f.kind)},"origin":${f.origin},"phaseAfter":${JSON.stringify(f.phaseAfter)},"phaseBefore":${JSON.stringify(f.phaseBefore)}` +
    `,"prevHash":${JSON.stringify(f.prevHash)}` +
    (f.result === undefined ? '' : `,"result":${f.result}`) +
    `,"runStateAfter":${JSON.stringify(f.runStateAfter)},"runStateBefore":${JSON.stringify(f.runStateBefore)},"seq":${JSON.stringify(f.seq)}` +
    `,"stateHash":${JSON.stringify(f.stateHash)},"time":${JSON.stringify(f.time)}}`
  );
}

/** SHA-256 (hex) of a format-1 entry. */
export function format1Hash(f: EntryHashFields): string {
  return hash('sha256', format1HashInput(f), 'hex');
}

// @ts-check
// The hash input of every record of a format-2 log (docs/command-log.md,
// "Hash input"), in one place for both threads that build it: the kernel
// (entry-hash.ts: the direct append, the header and the seal, verify) and the
// log's writer thread, which chains the entries it commits. Plain JavaScript
// for the same reason as the writer thread: a worker loads it by file path.
// Types: hash-input.d.mts.
//
// Every value is a netstring (`<UTF-8 byte length>:<bytes>,`), so no value
// can run into the next: moving text from one field to another changes the
// input. Each record starts with its type and the format version (a tag such
// as `vmledger/entry/2`), so a record of one type never hashes like another.

/** `<UTF-8 byte length>:<s>,`, the unit every hash input is made of. */
export function netstring(/** @type {string} */ s) {
  return Buffer.byteLength(s, 'utf8') + ':' + s + ',';
}

// Names, phases and run states repeat endlessly in a log: build each netstring
// once. Bounded so a stream of unusual names cannot grow the cache forever.
const names = new Map();

/** `netstring(s)` for strings drawn from a small set (command names, phases), cached. */
export function nameNetstring(/** @type {string} */ s) {
  let n = names.get(s);
  if (n === undefined) {
    n = netstring(s);
    if (names.size < 4096) names.set(s, n);
  }
  return n;
}

/** The format every record of a new log is hashed in. Format 1 (format-1.ts) is only verified. */
export const HASH_FORMAT = 2;

const ENTRY_TAG = netstring(`vmledger/entry/${HASH_FORMAT}`);
const HEADER_TAG = netstring(`vmledger/header/${HASH_FORMAT}`);
const SEAL_TAG = netstring(`vmledger/seal/${HASH_FORMAT}`);
const LOG_TAG = netstring(`vmledger/log/${HASH_FORMAT}`);

// An absent result or error is the empty value: JSON text is never empty.
const ABSENT = '0:,';

/**
 * The entry's input after its sequence number and previous hash: time,
 * origin, command, args, kind, applied, result, error, phase before/after,
 * run state before/after, state hash. Only the log's writer knows the two
 * values in front, so the kernel builds this part with each entry and the
 * writer thread, which chains the entries, only prepends them
 * (`joinEntryHashInput`).
 *
 * @param {import('./hash-input.d.mts').EntryHashParts} f
 */
export function entryHashRest(f) {
  return (
    netstring(String(f.time)) +
    netstring(f.origin) +
    nameNetstring(f.command) +
    netstring(f.args) +
    nameNetstring(f.kind) +
    (f.applied ? '1:1,' : '1:0,') +
    (f.result === undefined ? ABSENT : netstring(f.result)) +
    (f.error === undefined ? ABSENT : netstring(f.error)) +
    nameNetstring(f.phaseBefore) +
    nameNetstring(f.phaseAfter) +
    nameNetstring(f.runStateBefore) +
    nameNetstring(f.runStateAfter) +
    netstring(f.stateHash)
  );
}

/** The whole entry input from its sequence number, the previous record's hash and `entryHashRest`. */
export function joinEntryHashInput(/** @type {number} */ seq, /** @type {string} */ prevHash, /** @type {string} */ rest) {
  return ENTRY_TAG + netstring(String(seq)) + netstring(prevHash) + rest;
}

/** An entry's hash input from its fields as stored. @param {import('./hash-input.d.mts').EntryHashFields} f */
export function entryHashInput(f) {
  return joinEntryHashInput(f.seq, f.prevHash, entryHashRest(f));
}

/** A header version's hash input: it follows the record before it in the chain, after entry `atSeq`. @param {import('./hash-input.d.mts').HeaderHashFields} f */
export function headerHashInput(f) {
  return HEADER_TAG + netstring(String(f.atSeq)) + netstring(f.prevHash) + netstring(String(f.time)) + netstring(f.header);
}

/** The seal's hash input: the log was closed after entry `seq`. @param {import('./hash-input.d.mts').SealHashFields} f */
export function sealHashInput(f) {
  return SEAL_TAG + netstring(String(f.seq)) + netstring(f.prevHash) + netstring(String(f.time));
}

/** The first record's hash input: the log's identity, creation time and signing key (empty without one). @param {import('./hash-input.d.mts').LogHashFields} f */
export function logHashInput(f) {
  return LOG_TAG + netstring(f.id) + netstring(String(f.created)) + netstring(f.key);
}

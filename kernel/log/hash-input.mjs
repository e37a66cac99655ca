// @ts-check
// The canonical serialization an entry's hash covers, in one place for both
// threads that build it: the kernel (entry-hash.ts: the direct append, verify)
// and the log's writer thread, which chains the entries it commits. Plain
// JavaScript for the same reason as the writer thread: a worker loads it by
// file path. Types: hash-input.d.mts.

// Object keys and short enum-like strings repeat endlessly in a log: quote each
// once. Bounded so a stream of unusual names cannot grow the cache forever.
const quoted = new Map();

/** `JSON.stringify(s)` for strings drawn from a small set (keys, command names, phases), cached. */
export function quoteName(/** @type {string} */ s) {
  let q = quoted.get(s);
  if (q === undefined) {
    q = JSON.stringify(s);
    if (quoted.size < 4096) quoted.set(s, q);
  }
  return q;
}

/** Hashes are hex and need no escaping; anything else (a tampered row) goes through JSON.stringify. */
function quoteHash(/** @type {string} */ s) {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return JSON.stringify(s);
  }
  return '"' + s + '"';
}

// The input in sorted key order: applied, args, command, error, kind, origin,
// phaseAfter, phaseBefore, PREVHASH, result, runStateAfter, runStateBefore,
// SEQ, stateHash, time. Only the log's writer knows the previous hash and the
// sequence number, so the three parts around them are built apart: the kernel
// prepares them with each entry and the writer thread, which chains the
// entries, only joins them (`joinHashInput`). Built by concatenation because
// this runs once per logged command; a test pins it to `canonicalJson`.

/** The input up to the previous hash. @param {import('./hash-input.d.mts').HashInputParts} f */
export function hashInputHead(f) {
  return (
    '{"applied":' + (f.applied ? 'true' : 'false') +
    ',"args":' + f.args +
    ',"command":' + quoteName(f.command) +
    (f.error === undefined ? '' : ',"error":' + f.error) +
    ',"kind":' + quoteName(f.kind) +
    ',"origin":' + f.origin +
    ',"phaseAfter":' + quoteName(f.phaseAfter) +
    ',"phaseBefore":' + quoteName(f.phaseBefore) +
    ',"prevHash":'
  );
}

/** The input between the previous hash and the sequence number. @param {import('./hash-input.d.mts').HashInputParts} f */
export function hashInputMiddle(f) {
  return (
    (f.result === undefined ? '' : ',"result":' + f.result) +
    ',"runStateAfter":' + quoteName(f.runStateAfter) +
    ',"runStateBefore":' + quoteName(f.runStateBefore) +
    ',"seq":'
  );
}

/** The input after the sequence number. @param {import('./hash-input.d.mts').HashInputParts} f */
export function hashInputTail(f) {
  return ',"stateHash":' + quoteHash(f.stateHash) + ',"time":' + JSON.stringify(f.time) + '}';
}

/** The whole input from its three parts and the two values between them. */
export function joinHashInput(/** @type {string} */ head, /** @type {string} */ prevHash, /** @type {string} */ middle, /** @type {number} */ seq, /** @type {string} */ tail) {
  return head + quoteHash(prevHash) + middle + JSON.stringify(seq) + tail;
}

/**
 * `canonicalJson` of an entry without its `hash` (keys sorted, absent
 * `result`/`error` omitted), from its fields as stored: structured ones
 * already canonical JSON text.
 *
 * @param {import('./hash-input.d.mts').HashInputFields} f
 */
export function hashInput(f) {
  return joinHashInput(hashInputHead(f), f.prevHash, hashInputMiddle(f), f.seq, hashInputTail(f));
}

// @ts-check
// The Merkle tree over a log's entries, in the style of RFC 9162 (Certificate
// Transparency 2.0, section 2.1): interior nodes are
//   node = SHA-256(0x01 || left || right)
// and the root of n > 1 leaves = node(root of the first k, root of the rest),
// k the largest power of two below n; the root of no leaves = SHA-256 of
// nothing. The leaves are the entries' hashes: each is SHA-256 of an input
// that begins with its netstring tag (`16:vmledger/entry/2,`), never with the
// byte 0x01, so a leaf can never pass for a node nor a node for a leaf, which
// is what RFC 9162's leaf prefix 0x00 ensures; an entry thus costs the tree
// one hash (amortized), not two. A checkpoint signs a root (checkpoint.mjs);
// an inclusion proof shows one entry is under it. Plain JavaScript: the log's
// signer thread uses it too.
import { hash } from 'node:crypto';

// The signer hashes about one node per entry: its input is written into a
// buffer kept for the purpose rather than concatenated anew each time. One
// per thread: each loads its own module.
const nodeInput = Buffer.alloc(65, 1);

/** The leaf of an entry: its hash, as 32 bytes (a damaged row's other text gives zeros where hex is missing). */
export function entryLeaf(/** @type {string} */ entryHash) {
  const leaf = Buffer.alloc(32);
  leaf.write(entryHash, 'hex');
  return leaf;
}

/** The hash of an interior node. */
export function nodeHash(/** @type {Buffer} */ left, /** @type {Buffer} */ right) {
  nodeInput.set(left, 1);
  nodeInput.set(right, 33);
  return hash('sha256', nodeInput, 'buffer');
}

/** The root of no leaves. */
export const EMPTY_ROOT = hash('sha256', '', 'buffer');

/**
 * The tree's right edge: the roots of its complete subtrees, largest (left)
 * first, one per bit set in `size`. Enough to append leaves and compute the
 * root at any size without keeping the leaves; stored with each checkpoint so
 * the next one starts where it ended.
 */
export class Frontier {
  constructor(size = 0, /** @type {Buffer[]} */ subtrees = []) {
    /** Leaves appended so far. */
    this.size = size;
    /** @type {Buffer[]} */
    this.subtrees = subtrees;
  }

  /** Appends a leaf (an `entryLeaf`). */
  append(/** @type {Buffer} */ leaf) {
    let h = leaf;
    // Sizes stay exact beyond 2^31, where bit operators would wrap.
    for (let n = this.size; n % 2 === 1; n = Math.floor(n / 2)) h = nodeHash(/** @type {Buffer} */ (this.subtrees.pop()), h);
    this.subtrees.push(h);
    this.size++;
  }

  /** The root of the leaves appended so far. */
  root() {
    const s = this.subtrees;
    if (s.length === 0) return EMPTY_ROOT;
    let r = s[s.length - 1];
    for (let i = s.length - 2; i >= 0; i--) r = nodeHash(s[i], r);
    return r;
  }

  /** The subtree roots as hex separated by spaces (the size is implied by the count of set bits). */
  toText() {
    return this.subtrees.map((h) => h.toString('hex')).join(' ');
  }

  /** Reads `toText()` back; undefined when it does not fit `size`. */
  static fromText(/** @type {number} */ size, /** @type {string} */ text) {
    const subtrees = text === '' ? [] : text.split(' ').map((h) => Buffer.from(h, 'hex'));
    let bits = 0;
    for (let n = size; n > 0; n = Math.floor(n / 2)) bits += n % 2;
    if (bits !== subtrees.length || subtrees.some((h) => h.length !== 32)) return undefined;
    return new Frontier(size, subtrees);
  }
}

/** Largest power of two strictly below `n` (n >= 2). */
function split(/** @type {number} */ n) {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** The root of `leaves[from..to)` (RFC 9162 MTH). */
export function rootOf(/** @type {readonly Buffer[]} */ leaves, from = 0, to = leaves.length) {
  const n = to - from;
  if (n === 0) return EMPTY_ROOT;
  if (n === 1) return leaves[from];
  const k = split(n);
  return nodeHash(rootOf(leaves, from, from + k), rootOf(leaves, from + k, to));
}

/**
 * The inclusion proof of leaf `index` in the tree of the first `size` leaves
 * (RFC 9162 PATH): the sibling hashes from the leaf up to the root.
 */
export function inclusionPath(/** @type {readonly Buffer[]} */ leaves, /** @type {number} */ index, /** @type {number} */ size) {
  /** @type {Buffer[]} */
  const path = [];
  const walk = (/** @type {number} */ m, /** @type {number} */ from, /** @type {number} */ to) => {
    const n = to - from;
    if (n <= 1) return;
    const k = split(n);
    if (m < k) {
      walk(m, from, from + k);
      path.push(rootOf(leaves, from + k, to));
    } else {
      walk(m - k, from + k, to);
      path.push(rootOf(leaves, from, from + k));
    }
  };
  walk(index, 0, size);
  return path;
}

/**
 * The root an inclusion proof leads to from `leaf` at `index` in a tree of
 * `size` leaves (RFC 9162 section 2.1.3.2), or undefined when the path has
 * the wrong length for that position.
 */
export function rootFromInclusionPath(/** @type {number} */ index, /** @type {number} */ size, /** @type {Buffer} */ leaf, /** @type {readonly Buffer[]} */ path) {
  if (index < 0 || index >= size) return undefined;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return undefined;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : undefined;
}

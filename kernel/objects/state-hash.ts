import { hash } from 'node:crypto';

const LANES = 8;

/** Two hex digits per byte value, for writing the lane sums without a Buffer. */
const HEX_BYTE = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** Lane `i` of a digest given as a 32-character latin1 string: its bytes 4i..4i+3, little-endian. */
function lane(digest: string, i: number): number {
  const j = i * 4;
  return (digest.charCodeAt(j) | (digest.charCodeAt(j + 1) << 8) | (digest.charCodeAt(j + 2) << 16) | (digest.charCodeAt(j + 3) << 24)) >>> 0;
}

/**
 * An incremental multiset hash (AdHash): the configuration's hash is the
 * lane-wise sum, modulo 2^32 per lane, of one SHA-256 per object. Adding,
 * changing or removing an object costs one digest of that object alone, so
 * the cost per command does not grow with the size of the configuration.
 *
 * Digests are kept as latin1 strings (one character per byte): Node returns
 * those about twice as fast as a Buffer, and a string needs no allocation of
 * its own when stored. This runs for every change command.
 */
export class StateHash {
  private readonly sum = new Uint32Array(LANES);
  private readonly parts = new Map<string, string>();

  /** Sets (or replaces) the contribution of the item named `key`. */
  set(key: string, canonicalText: string): void {
    this.delete(key);
    const digest = hash('sha256', `${key}\0${canonicalText}`, 'latin1');
    for (let i = 0; i < LANES; i++) this.sum[i] += lane(digest, i);
    this.parts.set(key, digest);
  }

  delete(key: string): void {
    const old = this.parts.get(key);
    if (old === undefined) return;
    this.parts.delete(key);
    for (let i = 0; i < LANES; i++) this.sum[i] -= lane(old, i);
  }

  /** The hash of everything set: the lane sums themselves (little-endian bytes, in hex), already a digest of every part. */
  value(): string {
    let out = '';
    for (let i = 0; i < LANES; i++) {
      const v = this.sum[i]!;
      out += HEX_BYTE[v & 0xff]! + HEX_BYTE[(v >>> 8) & 0xff]! + HEX_BYTE[(v >>> 16) & 0xff]! + HEX_BYTE[v >>> 24]!;
    }
    return out;
  }
}

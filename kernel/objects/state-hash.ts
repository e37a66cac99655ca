import { hash } from 'node:crypto';

const LANES = 8;

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
 * Digests are kept as 'binary' (latin1) strings, one character per byte,
 * which Node returns about twice as fast as a Buffer: this runs for every
 * change command.
 */
export class StateHash {
  private readonly sum = new Uint32Array(LANES);
  /** The sums' bytes, viewed once: `value` runs for every logged command. */
  private readonly bytes = Buffer.from(this.sum.buffer, this.sum.byteOffset, this.sum.byteLength);
  private readonly parts = new Map<string, string>();

  /** Sets (or replaces) the contribution of the item named `key`. */
  set(key: string, canonicalText: string): void {
    this.delete(key);
    const digest = hash('sha256', `${key}\0${canonicalText}`, 'binary');
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
    return this.bytes.toString('hex');
  }
}

import { hash } from 'node:crypto';

const LANES = 8;

/**
 * An incremental multiset hash (AdHash): the configuration's hash is the
 * lane-wise sum, modulo 2^32 per lane, of one SHA-256 per object. Adding,
 * changing or removing an object costs one digest of that object alone, so
 * the cost per command does not grow with the size of the configuration.
 */
export class StateHash {
  private readonly sum = new Uint32Array(LANES);
  private readonly parts = new Map<string, Uint32Array>();

  /** Sets (or replaces) the contribution of the item named `key`. */
  set(key: string, canonicalText: string): void {
    this.delete(key);
    const d = hash('sha256', `${key}\0${canonicalText}`, 'buffer');
    const part = new Uint32Array(LANES);
    for (let i = 0; i < LANES; i++) {
      part[i] = d.readUInt32LE(i * 4);
      this.sum[i] += part[i];
    }
    this.parts.set(key, part);
  }

  delete(key: string): void {
    const old = this.parts.get(key);
    if (old === undefined) return;
    this.parts.delete(key);
    for (let i = 0; i < LANES; i++) this.sum[i] -= old[i];
  }

  /** The hash of everything set: the lane sums themselves, already a digest of every part. */
  value(): string {
    return Buffer.from(this.sum.buffer, this.sum.byteOffset, this.sum.byteLength).toString('hex');
  }
}

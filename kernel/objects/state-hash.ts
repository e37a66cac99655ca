import { createHash } from 'node:crypto';

const MOD = 1n << 256n;

function digest(text: string): bigint {
  return BigInt('0x' + createHash('sha256').update(text).digest('hex'));
}

/**
 * An incremental multiset hash (AdHash): the configuration's hash is the
 * sum, modulo 2^256, of one SHA-256 per object. Adding, changing or
 * removing an object costs one digest of that object alone, so the cost per
 * command does not grow with the size of the configuration.
 */
export class StateHash {
  private sum = 0n;
  private readonly parts = new Map<string, bigint>();

  /** Sets (or replaces) the contribution of the item named `key`. */
  set(key: string, canonicalText: string): void {
    this.delete(key);
    const d = digest(`${key}\0${canonicalText}`);
    this.parts.set(key, d);
    this.sum = (this.sum + d) % MOD;
  }

  delete(key: string): void {
    const old = this.parts.get(key);
    if (old === undefined) return;
    this.parts.delete(key);
    this.sum = (this.sum - old + MOD) % MOD;
  }

  /** The hash of everything set, bound to `extra` (the phase). */
  value(extra: string): string {
    return createHash('sha256').update(this.sum.toString(16)).update('\0').update(extra).digest('hex');
  }
}

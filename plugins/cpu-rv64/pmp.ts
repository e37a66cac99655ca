/**
 * Physical memory protection (privileged spec 3.7): 16 entries, 4-byte
 * granularity, the layout OpenSBI probes ("PMP Count 16, Granularity 4,
 * Address Bits 54"). The CSRs stay plain storage in `HartState.c64`; this
 * file turns them into address ranges whenever one is written, and answers
 * the two questions the MMU asks: may this access go ahead, and do the
 * permissions hold for a whole page (only then may a TLB entry cache them).
 */
import { C64, PRIV_M, type HartState } from './state.js';

/** Permission bits of a pmpcfg byte, also the access kinds asked about. */
export const PMP_R = 1;
export const PMP_W = 2;
export const PMP_X = 4;
const A_SHIFT = 3;
const LOCK = 0x80;
const enum Match { OFF = 0, TOR = 1, NA4 = 2, NAPOT = 3 }

const ENTRIES = 16;

/** The decoded entries of one hart: [start, end) per entry (end 0 for an entry that matches nothing). */
export class Pmp {
  private readonly start = new Float64Array(ENTRIES);
  private readonly end = new Float64Array(ENTRIES);
  private readonly cfg = new Uint8Array(ENTRIES);
  /** Some entry matches something: S and U are limited to what entries grant. */
  private anyActive = false;

  /** pmpcfg byte of entry `i`, from pmpcfg0 (entries 0-7) or pmpcfg2 (8-15). */
  static cfgOf(h: HartState, i: number): number {
    const reg = i < 8 ? C64.pmpcfg0 : C64.pmpcfg2;
    const k = i & 7;
    return (h.c64[2 * reg + (k >> 2)]! >>> ((k & 3) * 8)) & 0xff;
  }

  /** pmpaddr `i` (54 bits), exactly. */
  static addrOf(h: HartState, i: number): bigint {
    return (BigInt(h.c64[2 * (C64.pmpaddr0 + i) + 1]! >>> 0) << 32n) | BigInt(h.c64[2 * (C64.pmpaddr0 + i)]! >>> 0);
  }

  /** Whether a write to pmpcfg byte `i` or pmpaddr `i` is ignored because of a lock (3.7.1.1, 3.7.1.2). */
  static locked(h: HartState, i: number, isAddr: boolean): boolean {
    if ((Pmp.cfgOf(h, i) & LOCK) !== 0) return true;
    if (!isAddr || i + 1 >= ENTRIES) return false;
    const next = Pmp.cfgOf(h, i + 1);
    return (next & LOCK) !== 0 && ((next >>> A_SHIFT) & 3) === Match.TOR;
  }

  /** Rebuilds the ranges from the CSRs (after any pmpcfg/pmpaddr write). */
  update(h: HartState): void {
    this.anyActive = false;
    for (let i = 0; i < ENTRIES; i++) {
      const c = Pmp.cfgOf(h, i);
      const a = Pmp.addrOf(h, i) << 2n;
      let s = 0n, e = 0n;
      switch (((c >>> A_SHIFT) & 3) as Match) {
        case Match.TOR: s = i === 0 ? 0n : Pmp.addrOf(h, i - 1) << 2n; e = a; break;
        case Match.NA4: s = a; e = s + 4n; break;
        case Match.NAPOT: {
          // yyyy0111: t trailing ones make a 2^(t+3)-byte region.
          let t = 0n;
          while (t < 54n && ((a >> (t + 2n)) & 1n) === 1n) t++;
          const size = 1n << (t + 3n);
          s = a & ~(size - 1n);
          e = s + size;
          break;
        }
        default: break;
      }
      this.cfg[i] = c;
      // Numbers from here: exact below 2^53, where all memory is; only the very top of a range rounds.
      this.start[i] = Number(s);
      this.end[i] = e > s ? Number(e) : 0;
      if (e > s) this.anyActive = true;
    }
  }

  /**
   * The permissions (PMP_R|W|X) that hold for every byte of [addr, addr+size)
   * at privilege `priv`, or -1 when the range straddles an entry's edge (some
   * bytes match and others do not, which fails every access, M-mode's too,
   * whatever the entry's L, R, W and X bits, 3.7.1.3).
   */
  permissions(addr: number, size: number, priv: number): number {
    if (this.anyActive) {
      const last = addr + size;
      for (let i = 0; i < ENTRIES; i++) {
        const s = this.start[i]!, e = this.end[i]!;
        if (e === 0 || last <= s || addr >= e) continue;
        if (addr < s || last > e) return -1;
        const c = this.cfg[i]!;
        if (priv === PRIV_M && (c & LOCK) === 0) return PMP_R | PMP_W | PMP_X;
        return c & (PMP_R | PMP_W | PMP_X);
      }
    }
    // No entry matches: M-mode may, S and U may not (3.7.1.3).
    return priv === PRIV_M ? PMP_R | PMP_W | PMP_X : 0;
  }

  /** Whether an access of kind `perm` to [addr, addr+size) at `priv` is allowed. */
  allows(addr: number, size: number, priv: number, perm: number): boolean {
    const p = this.permissions(addr, size, priv);
    return p >= 0 && (p & perm) !== 0;
  }
}

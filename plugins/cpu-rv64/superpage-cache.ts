/**
 * The last superpage leaf each MMU index's page walk reached. The TLB holds
 * 4 KiB entries only, so every 4 KiB page of a 2 MiB or 1 GiB mapping (the
 * Linux kernel's linear map, its text) needed a walk of its own: three or
 * four PTE reads and their checks, 5% of a Linux boot's main thread. A miss
 * inside the last superpage now costs an add instead. Entries are trusted
 * only in the TLB generation and MXR setting they were made in, so a
 * flush, an address-space switch or an MXR change drops them, as it drops
 * the TLB's.
 */
import type { MmuIdx } from './tlb.js';

const IDXS = 4;

export class SuperpageCache {
  /** Per MMU index: the TLB generation the entry was made in (-1: none), and MXR then. */
  private readonly gen = new Float64Array(IDXS).fill(-1);
  private readonly mxr = new Uint8Array(IDXS);
  /** Per MMU index: the superpage's virtual range [start, end) as sign-extended numbers, exact below 2^53. */
  private readonly start = new Float64Array(IDXS);
  private readonly end = new Float64Array(IDXS);
  /** Per MMU index: the physical address of the superpage's first byte, the accesses it allows and its level. */
  private readonly base = new Float64Array(IDXS);
  private readonly perms = new Uint8Array(IDXS);
  private readonly levels = new Uint8Array(IDXS);

  /** What `lookup` found besides the address. */
  foundPerms = 0;
  foundLevel = 0;

  /** The physical address of `va` under `idx` from the cached leaf, or -1 when it has none covering `va` that allows `need`. */
  lookup(idx: MmuIdx, va: number, gen: number, mxr: number, need: number): number {
    if (this.gen[idx] !== gen || this.mxr[idx] !== mxr || va < this.start[idx]! || va >= this.end[idx]! || (this.perms[idx]! & need) === 0) return -1;
    this.foundPerms = this.perms[idx]!;
    this.foundLevel = this.levels[idx]!;
    return this.base[idx]! + (va - this.start[idx]!);
  }

  /** Remembers the leaf of `level` >= 1 the walk found translating `va` to `pa`. */
  remember(idx: MmuIdx, va: number, pa: number, gen: number, mxr: number, perms: number, level: number): void {
    const size = 2 ** (12 + 9 * level);
    const start = Math.floor(va / size) * size;
    const base = pa - (va - start);
    this.gen[idx] = gen;
    this.mxr[idx] = mxr;
    this.start[idx] = start;
    this.end[idx] = start + size;
    this.base[idx] = base;
    this.perms[idx] = perms;
    this.levels[idx] = level;
  }
}

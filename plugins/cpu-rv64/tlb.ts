/**
 * The translation lookaside buffer of one hart: which virtual pages map to
 * which RAM pages, for each kind of access, so loads, stores and fetches
 * skip the page walk (privileged spec 4.3.2 allows caching any valid
 * translation until an sfence.vma).
 *
 * Shape, chosen for the interpreter's and compiled code's fast path: one
 * Int32Array of direct-mapped tables, one table per (ASID slot, MMU index,
 * access kind), 4 words per entry: the virtual page's low word (its
 * address & -4096), its high word, the RAM offset of the physical page, and
 * what the entry came from (superpage level, for flushes). A hit is two
 * compares of the address's own words, so an entry can only hit for the
 * exact canonical address it was made for. An entry is made only when the
 * whole page is RAM with uniform PMP permissions and the access is allowed
 * there; everything else (MMIO, faults, sub-page PMP) always takes the
 * slow path.
 *
 * MMU indexes separate what privilege and mstatus change without a flush
 * (as QEMU's mmu_idx): U, S, S with SUM, and M. The X tables of S are
 * filled for fetches only, which SUM never affects.
 *
 * ASIDs: four slots, each keyed by (ASID, root page table); a satp write
 * selects the slot with its key, or recycles the least recently selected
 * one. Switching between up to four address spaces so keeps their entries.
 * sfence.vma flushes a page or everything, in one slot or all of them.
 */

export const TLB_BITS = 10;
export const TLB_SIZE = 1 << TLB_BITS;
export const TLB_MASK = TLB_SIZE - 1;
/** int32 words per entry; the fast path computes `base + ((addr >>> 12) & TLB_MASK) * 4`. */
export const TLB_ENTRY = 4;
/** A tag no address has: real tags are multiples of 4096. */
const INVALID = 1;

/** Access kinds, one table each. */
export const enum Acc { R = 0, W = 1, X = 2 }
/** MMU indexes. */
export const enum MmuIdx { U = 0, S = 1, S_SUM = 2, M = 3 }

const SLOTS = 4;
const IDXS = 4;
const ACCS = 3;
const TABLE = TLB_SIZE * TLB_ENTRY;
const SLOT_WORDS = IDXS * ACCS * TABLE;

export class Tlb {
  /** Every table of every slot. */
  readonly e = new Int32Array(SLOTS * SLOT_WORDS);
  /** The slot in use. */
  private slot = 0;
  private readonly key = new Float64Array(SLOTS).fill(-1);
  private readonly stamp = new Float64Array(SLOTS);
  private clock = 0;
  /**
   * The virtual ranges of the superpages each slot made entries from
   * (merged where they touch, so a linear map of 2 MiB pages is one range):
   * a page flush inside one must also find the 4 KiB entries made from it,
   * which sit at any index; one outside (user pages, vmalloc) needs not.
   */
  private readonly supers: Array<Array<{ start: number; end: number }>> = Array.from({ length: SLOTS }, () => []);
  /**
   * Counts changes of what a virtual address may translate to (a slot
   * switch, any flush): caches keyed by virtual address (the hart's jump
   * cache) hold the generation they were filled in and trust only that one.
   */
  gen = 0;

  constructor() {
    this.flushAll();
  }

  /** Word offset of the table for (`idx`, `acc`) in the slot in use. */
  base(idx: MmuIdx, acc: Acc): number {
    return this.slot * SLOT_WORDS + (idx * ACCS + acc) * TABLE;
  }

  /**
   * Makes an entry: virtual page (`lo`, `hi`) -> RAM offset `ramOff` for
   * `acc` under `idx`; `level` > 0 for a page of a superpage, whose range
   * the walk that found it has recorded (`recordSuperpage`).
   */
  insert(idx: MmuIdx, acc: Acc, lo: number, hi: number, ramOff: number, level: number): void {
    const t = this.base(idx, acc) + ((lo >>> 12) & TLB_MASK) * TLB_ENTRY;
    const e = this.e;
    e[t] = lo & -4096;
    e[t + 1] = hi;
    e[t + 2] = ramOff;
    e[t + 3] = level;
  }

  /**
   * Selects the slot for address space `key` (ASID and root page table,
   * from satp), recycling the least recently used slot for a new one.
   */
  select(key: number): void {
    this.stamp[this.slot] = ++this.clock;
    let s = this.key.indexOf(key);
    if (s < 0) {
      s = 0;
      for (let i = 1; i < SLOTS; i++) if (this.stamp[i]! < this.stamp[s]!) s = i;
      this.flushSlot(s);
      this.key[s] = key;
    }
    this.slot = s;
    this.gen++;
  }

  /** Forgets everything (a satp mode change, a PMP change, sfence.vma x0, x0). */
  flushAll(): void {
    for (let s = 0; s < SLOTS; s++) this.flushSlot(s);
  }

  /** Forgets the entries of the address spaces with ASID `asid` (sfence.vma x0, asid). */
  flushAsid(asid: number): void {
    for (let s = 0; s < SLOTS; s++) if (this.key[s]! >= 0 && Tlb.asidOf(this.key[s]!) === asid) this.flushSlot(s);
  }

  /**
   * Forgets the translations of the page holding virtual address (`lo`,
   * `hi`): in every slot, or only in those of ASID `asid` when it is >= 0.
   */
  flushPage(lo: number, hi: number, asid: number): void {
    this.gen++;
    const e = this.e;
    const tag = lo & -4096;
    for (let s = 0; s < SLOTS; s++) {
      if (asid >= 0 && (this.key[s]! < 0 || Tlb.asidOf(this.key[s]!) !== asid)) continue;
      for (let k = 0; k < IDXS * ACCS; k++) {
        const t = s * SLOT_WORDS + k * TABLE + ((lo >>> 12) & TLB_MASK) * TLB_ENTRY;
        if (e[t] === tag && e[t + 1] === hi) e[t] = INVALID;
      }
      const va = hi * 4294967296 + (lo >>> 0);
      if (this.supers[s]!.some((r) => va >= r.start && va < r.end)) this.flushSuperpages(s, lo, hi);
    }
  }

  /** The key `select` takes: ASID (16 bits) above the root page number (44 bits). */
  static key(asid: number, rootPpn: number): number {
    return asid * 2 ** 44 + rootPpn;
  }

  private static asidOf(key: number): number {
    return Math.floor(key / 2 ** 44);
  }

  private flushSlot(s: number): void {
    this.gen++;
    const e = this.e;
    for (let t = s * SLOT_WORDS; t < (s + 1) * SLOT_WORDS; t += TLB_ENTRY) e[t] = INVALID;
    this.supers[s] = [];
  }

  /**
   * Records the superpage of `level` holding (`lo`, `hi`) in the slot in
   * use, merged with a range it touches, so that flushing one of its pages
   * drops the 4 KiB entries made from it.
   */
  recordSuperpage(lo: number, hi: number, level: number): void {
    const size = 2 ** (12 + 9 * level);
    const va = hi * 4294967296 + (lo >>> 0);
    const start = Math.floor(va / size) * size, end = start + size;
    const list = this.supers[this.slot]!;
    for (const r of list) {
      if (start >= r.start && end <= r.end) return;
      if (start <= r.end && end >= r.start) {
        r.start = Math.min(r.start, start);
        r.end = Math.max(r.end, end);
        return;
      }
    }
    list.push({ start, end });
  }

  /** Drops the 4 KiB entries made from a superpage that contains (`lo`, `hi`). */
  private flushSuperpages(s: number, lo: number, hi: number): void {
    const e = this.e;
    for (let t = s * SLOT_WORDS; t < (s + 1) * SLOT_WORDS; t += TLB_ENTRY) {
      const level = e[t + 3]!;
      if (level === 0 || e[t] === INVALID) continue;
      // 2 MiB (level 1) and 1 GiB (level 2) superpages differ from an address only in its low word;
      // a 512 GiB one (level 3, Sv48) covers bits 0-38, so the high word's bits 7 and up decide.
      const same = level >= 3 ? ((e[t + 1]! ^ hi) >>> 7) === 0 : e[t + 1] === hi && ((e[t]! ^ lo) >>> (12 + 9 * level)) === 0;
      if (same) e[t] = INVALID;
    }
  }
}

/**
 * Per-page cache of pre-decoded instructions over RAM, shared by every hart
 * of a cluster (they share RAM). A page of 4 KiB holds 2048 halfword slots
 * (RVC makes every halfword a possible instruction start); each slot is two
 * int32s: the packed op word (0 = not decoded yet) and the immediate.
 *
 * Invalidation is precise: a store into RAM clears the slots that could
 * hold an instruction overlapping the written bytes, so self-modifying code
 * works even before its fence.i (unprivileged spec chapter 3, Zifencei,
 * allows that stronger behaviour), and data written next to code does not
 * throw whole pages away. fence.i and loader/DMA writes drop pages.
 */

/** log2 of the cache page size. */
export const PAGE_SHIFT = 12;
const PAGE_SIZE = 1 << PAGE_SHIFT;
/** Int32 entries per cache page (two per halfword slot). */
export const PAGE_ENTRIES = PAGE_SIZE; // (PAGE_SIZE / 2 slots) * 2 words

/** The decoded-instruction cache for one RAM region. */
export class DecodeCache {
  /** Decoded pages by RAM page index; undefined until something is fetched there. */
  readonly pages: (Int32Array | undefined)[];
  /** 1 where `pages[i]` exists: the store fast path tests this byte only. */
  readonly codeMap: Uint8Array;
  private readonly live = new Set<number>();

  constructor(ramSize: number) {
    const n = Math.ceil(ramSize / PAGE_SIZE);
    this.pages = new Array<Int32Array | undefined>(n).fill(undefined);
    this.codeMap = new Uint8Array(n);
  }

  /** Returns the page for RAM offset `off`, creating an empty one. */
  page(off: number): Int32Array {
    const i = off >>> PAGE_SHIFT;
    let p = this.pages[i];
    if (p === undefined) {
      p = new Int32Array(PAGE_ENTRIES);
      this.pages[i] = p;
      this.codeMap[i] = 1;
      this.live.add(i);
    }
    return p;
  }

  /**
   * A store of `len` bytes at RAM offset `off` hit a page with decodes: clear
   * every slot whose instruction (up to 4 bytes) could overlap it.
   */
  invalidateStore(off: number, len: number): void {
    const first = off - 2 < 0 ? 0 : off - 2;
    const last = off + len - 1;
    for (let a = first & ~1; a <= last; a += 2) {
      const p = this.pages[a >>> PAGE_SHIFT];
      if (p !== undefined) p[(a & (PAGE_SIZE - 1))] = 0;
    }
  }

  /** Drops every page overlapping [off, off+len) (loader or DMA writes). */
  invalidateRange(off: number, len: number): void {
    if (len <= 0) return;
    const start = Math.max(0, off - 2) >>> PAGE_SHIFT;
    const end = Math.min(this.pages.length - 1, (off + len - 1) >>> PAGE_SHIFT);
    for (let i = start; i <= end; i++) {
      if (this.pages[i] !== undefined) { this.pages[i] = undefined; this.codeMap[i] = 0; }
    }
  }

  /** Drops everything (fence.i). */
  flush(): void {
    for (const i of this.live) { this.pages[i] = undefined; this.codeMap[i] = 0; }
    this.live.clear();
  }
}

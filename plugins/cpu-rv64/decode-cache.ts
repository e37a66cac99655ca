/**
 * Per-page cache of pre-decoded instructions over RAM, shared by every hart
 * of a cluster (they share RAM). A page of 4 KiB holds 2048 halfword slots
 * (RVC makes every halfword a possible instruction start); each slot is two
 * int32s: the packed op word (0 = not decoded yet) and the immediate.
 *
 * The pages live in one slab for the whole process, a module constant:
 * V8 then compiles the interpreter's fetch to one load at a fixed address,
 * where a page array of its own cost a map check and three field loads per
 * instruction. One cache uses the slab at a time: the first page a cache
 * creates drops the decodes of the cache that used it before (whose harts
 * then find no pages and create theirs again), and a full slab starts
 * over, as QEMU does with its translation buffer.
 *
 * Invalidation is precise: a store into RAM clears the slots that could
 * hold an instruction overlapping the written bytes and drops the compiled
 * blocks covering them, so self-modifying code works even before its
 * fence.i (unprivileged spec chapter 3, Zifencei, allows that stronger
 * behaviour), fence.i has nothing left to do, and data written next to
 * code does not throw whole pages away. Loader/DMA writes drop pages.
 *
 * Beside each slot, `heat` counts how often the interpreter arrived there
 * by a jump or a taken branch: the hart compiles a block where it reaches
 * a threshold.
 */
import { CodeCache } from './code-cache.js';

/** log2 of the cache page size. */
export const PAGE_SHIFT = 12;
const PAGE_SIZE = 1 << PAGE_SHIFT;
/** Int32 entries per cache page (two per halfword slot). */
export const PAGE_ENTRIES = PAGE_SIZE; // (PAGE_SIZE / 2 slots) * 2 words

/** Pages in the slab: 8 MiB of guest code (Linux runs a few MiB of it), 32 MiB of slab. */
const SLAB_PAGES = 2048;
/** Slab index of the empty page: all zeros, never written, read for RAM pages not decoded yet. */
export const EMPTY_PAGE = 0;
/** Slab index of the page holding one instruction fetched outside RAM, at its start (see `Rv64Hart.fill`). */
export const BUS_PAGE = PAGE_ENTRIES;
/** First slab page given to RAM pages. */
const FIRST_PAGE = 2;

/** The decoded pages of the cache that claimed the slab last. */
export const slab = new Int32Array(SLAB_PAGES * PAGE_ENTRIES);
/** Arrivals by jump at each slot of the slab: slot index (its slab index) / 2. */
export const heat = new Uint16Array(SLAB_PAGES * PAGE_ENTRIES / 2);
/** The next slab page to give out. */
let nextPage = FIRST_PAGE;
/** The cache whose decodes the slab holds. */
let owner: DecodeCache | undefined;

/** The decoded-instruction cache for one RAM region. */
export class DecodeCache {
  /** Slab index of each RAM page's decodes, EMPTY_PAGE where none. */
  readonly base: Int32Array;
  /** 1 where a RAM page has decodes: the store fast paths test this byte only. */
  readonly codeMap: Uint8Array;
  /** RAM pages with a codeMap entry, for `flush`. */
  private readonly live = new Set<number>();
  /** The compiled blocks over these decodes. */
  readonly code = new CodeCache();

  constructor(ramSize: number) {
    const n = Math.ceil(ramSize / PAGE_SIZE);
    this.base = new Int32Array(n);
    // A power of two long, so compiled code can mask any index into it (block-compiler.ts).
    this.codeMap = new Uint8Array(2 ** Math.ceil(Math.log2(n)));
  }

  /** Returns the slab index of the page for RAM offset `off`, giving it an empty slab page (starting over when full). */
  page(off: number): number {
    if (owner !== this) {
      owner?.flush();
      owner = this;
      nextPage = FIRST_PAGE;
    }
    const i = off >>> PAGE_SHIFT;
    let b = this.base[i]!;
    if (b === EMPTY_PAGE) {
      if (nextPage === SLAB_PAGES) this.flush();
      b = nextPage++ * PAGE_ENTRIES;
      slab.fill(0, b, b + PAGE_ENTRIES);
      heat.fill(0, b >>> 1, (b + PAGE_ENTRIES) >>> 1);
      this.base[i] = b;
      this.mark(off);
    }
    return b;
  }

  /** Gives the page of RAM offset `off` a codeMap entry, so stores there go through `invalidateStore`. */
  mark(off: number): void {
    const i = off >>> PAGE_SHIFT;
    this.codeMap[i] = 1;
    this.live.add(i);
  }

  /**
   * A store of `len` bytes at RAM offset `off` hit a page with decodes: clear
   * every slot whose instruction (up to 4 bytes) could overlap it.
   */
  invalidateStore(off: number, len: number): void {
    const first = off - 2 < 0 ? 0 : off - 2;
    const last = off + len - 1;
    for (let a = first & ~1; a <= last; a += 2) this.clearSlot(a);
    for (const entry of this.code.dropRange(first, last + 1 - first)) this.clearSlot(entry);
  }

  private clearSlot(off: number): void {
    const b = this.base[off >>> PAGE_SHIFT]!;
    if (b !== EMPTY_PAGE) slab[b + (off & (PAGE_SIZE - 1))] = 0;
  }

  /** Drops every page overlapping [off, off+len) (loader or DMA writes); their slab pages stay unused until a flush. */
  invalidateRange(off: number, len: number): void {
    if (len <= 0) return;
    const start = Math.max(0, off - 2) >>> PAGE_SHIFT;
    const end = Math.min(this.base.length - 1, (off + len - 1) >>> PAGE_SHIFT);
    for (let i = start; i <= end; i++) {
      this.base[i] = EMPTY_PAGE;
      this.codeMap[i] = 0;
      this.code.dropPage(i);
    }
  }

  /** Drops everything. */
  flush(): void {
    this.code.dropAll();
    for (const i of this.live) {
      this.base[i] = EMPTY_PAGE;
      this.codeMap[i] = 0;
    }
    this.live.clear();
    if (owner === this) nextPage = FIRST_PAGE;
  }
}

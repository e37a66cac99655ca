/**
 * The compiled blocks of one cluster. A block is entered through a site:
 * an instruction slot of the decode cache whose decode is replaced by an
 * Op.BLOCK marker naming the site, so the interpreter finds compiled code
 * with the fetch it does anyway. A site holds one compiled variant per
 * virtual pc it was entered at (the same physical code can be mapped at
 * two addresses, and a block's pc-relative values are constants).
 *
 * Sites are dropped with the code they cover: a store into their bytes, a
 * DMA or loader write to their page, or a flush of the decode cache. The
 * cache is bounded: past MAX_SITES it starts over, as QEMU does with a
 * full translation buffer.
 */
import type { BlockFn } from './block-compiler.js';

/** One compiled entry point. */
export interface BlockSite {
  /** RAM offset of the entry instruction. */
  readonly off: number;
  /** The RAM range [lo, end) any variant's instructions cover (all in the entry's page). */
  lo: number;
  end: number;
  /** Compiled code per virtual pc of the entry. */
  readonly variants: Array<{ readonly vpc: number; readonly fn: BlockFn }>;
  /** False once dropped: references held elsewhere (the hart's jump cache) must not run it. */
  live: boolean;
}

/** Most live sites before the cache starts over (each holds a few KiB of V8 code). */
const MAX_SITES = 30_000;

export class CodeCache {
  private sites: Array<BlockSite | undefined> = [];
  private free: number[] = [];
  private count = 0;
  /** Site ids by RAM page. */
  private readonly byPage = new Map<number, number[]>();
  /** Blocks compiled and sites dropped since the start (bench/ and `query-` statistics). */
  readonly stats = { compiled: 0, dropped: 0, resets: 0 };

  get size(): number {
    return this.count;
  }

  /** Whether the next `add` would exceed the bound (the caller then flushes the decode cache, which calls `dropAll`). */
  full(): boolean {
    return this.count >= MAX_SITES;
  }

  add(site: BlockSite): number {
    const id = this.free.pop() ?? this.sites.length;
    this.sites[id] = site;
    this.count++;
    const page = site.off >>> 12;
    const list = this.byPage.get(page);
    if (list) list.push(id);
    else this.byPage.set(page, [id]);
    return id;
  }

  get(id: number): BlockSite | undefined {
    return this.sites[id];
  }

  /** Drops the sites whose code overlaps RAM [off, off+len); returns their entry offsets. */
  dropRange(off: number, len: number): number[] {
    const out: number[] = [];
    const last = off + len;
    for (let page = off >>> 12; page <= (last - 1) >>> 12; page++) {
      const list = this.byPage.get(page);
      if (!list) continue;
      const keep: number[] = [];
      for (const id of list) {
        const s = this.sites[id]!;
        if (s.lo < last && s.end > off) {
          out.push(s.off);
          this.drop(id);
        } else {
          keep.push(id);
        }
      }
      if (keep.length) this.byPage.set(page, keep);
      else this.byPage.delete(page);
    }
    return out;
  }

  /** Drops every site of RAM page `page`. */
  dropPage(page: number): void {
    const list = this.byPage.get(page);
    if (!list) return;
    for (const id of list) this.drop(id);
    this.byPage.delete(page);
  }

  dropAll(): void {
    if (this.count === 0) return;
    this.stats.dropped += this.count;
    this.stats.resets++;
    for (const s of this.sites) if (s) s.live = false;
    this.sites = [];
    this.free = [];
    this.count = 0;
    this.byPage.clear();
  }

  private drop(id: number): void {
    this.sites[id]!.live = false;
    this.sites[id] = undefined;
    this.free.push(id);
    this.count--;
    this.stats.dropped++;
  }
}

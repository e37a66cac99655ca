import type { MmioHandlers, PhysicalBus } from './bus.js';

/** Optional 64-bit handlers for a region that wants 8-byte accesses whole (e.g. a 64-bit counter read atomically). */
export interface WideMmioHandlers extends MmioHandlers {
  read64(offset: number, out: Uint32Array): void;
  write64(offset: number, lo: number, hi: number): void;
}

/** One mapped range of the physical address space. */
export interface Region {
  readonly name: string;
  readonly base: number;
  readonly size: number;
  readonly kind: 'rom' | 'mmio';
  /** ROM contents (kind `rom`). */
  readonly data?: Uint8Array;
  /** Device handlers (kind `mmio`). */
  readonly handlers?: MmioHandlers | WideMmioHandlers;
}

/** Thrown by `map` when a board places two things at the same address: a configuration error, not a guest fault. */
export class MappingError extends Error {}

const scratch = new Uint32Array(2);

/**
 * The physical address space of one board: RAM as one typed array (the fast
 * path cores use directly), ROM, and MMIO regions kept sorted for a binary
 * search with a last-hit cache. Accesses to nothing, or straddling a region's
 * end, are bus errors (`false`), never exceptions.
 */
export class AddressSpace implements PhysicalBus {
  readonly ram: Uint8Array;
  private readonly ramView: DataView;
  private readonly ramEnd: number;
  private regions: Region[] = [];
  private last: Region | undefined;
  private readonly listeners: Array<(addr: number, length: number) => void> = [];

  constructor(
    readonly ramBase: number,
    ramSize: number,
  ) {
    this.ram = new Uint8Array(ramSize);
    this.ramView = new DataView(this.ram.buffer);
    this.ramEnd = ramBase + ramSize;
  }

  /** Maps a region; overlapping RAM or another region is refused with both names. */
  map(region: Region): void {
    const end = region.base + region.size;
    if (region.size <= 0) throw new MappingError(`region '${region.name}' has no size`);
    if (region.base < this.ramEnd && end > this.ramBase)
      throw new MappingError(`region '${region.name}' at ${hex(region.base)} overlaps RAM`);
    const clash = this.regions.find((r) => region.base < r.base + r.size && end > r.base);
    if (clash) throw new MappingError(`region '${region.name}' at ${hex(region.base)} overlaps '${clash.name}' at ${hex(clash.base)}`);
    this.regions = [...this.regions, region].sort((a, b) => a.base - b.base);
  }

  /** Removes a region (device unplug). */
  unmap(region: Region): void {
    this.regions = this.regions.filter((r) => r !== region);
    if (this.last === region) this.last = undefined;
  }

  /** Every mapped region, lowest address first. */
  mapped(): readonly Region[] {
    return this.regions;
  }

  /** The region containing `addr`, if any. */
  find(addr: number): Region | undefined {
    const last = this.last;
    if (last && addr >= last.base && addr < last.base + last.size) return last;
    let lo = 0;
    let hi = this.regions.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = this.regions[mid]!;
      if (addr < r.base) hi = mid - 1;
      else if (addr >= r.base + r.size) lo = mid + 1;
      else return (this.last = r);
    }
    return undefined;
  }

  read(addr: number, size: 1 | 2 | 4 | 8, out: Uint32Array): boolean {
    if (addr >= this.ramBase && addr + size <= this.ramEnd) {
      const off = addr - this.ramBase;
      const v = this.ramView;
      switch (size) {
        case 1: out[0] = this.ram[off]!; out[1] = 0; return true;
        case 2: out[0] = v.getUint16(off, true); out[1] = 0; return true;
        case 4: out[0] = v.getUint32(off, true); out[1] = 0; return true;
        case 8: out[0] = v.getUint32(off, true); out[1] = v.getUint32(off + 4, true); return true;
      }
    }
    const r = this.find(addr);
    if (!r || addr + size > r.base + r.size) return false;
    const off = addr - r.base;
    if (r.kind === 'rom') {
      const d = r.data!;
      out[0] = 0;
      out[1] = 0;
      for (let i = 0; i < size; i++) {
        const b = d[off + i] ?? 0;
        if (i < 4) out[0] = (out[0]! | (b << (8 * i))) >>> 0;
        else out[1] = (out[1]! | (b << (8 * (i - 4)))) >>> 0;
      }
      return true;
    }
    const h = r.handlers!;
    if (size === 8) {
      if ('read64' in h) h.read64(off, out);
      else {
        // Two 4-byte accesses, low word first, as bus.ts promises.
        const lo = h.read(off, 4) >>> 0;
        out[1] = h.read(off + 4, 4) >>> 0;
        out[0] = lo;
      }
      return true;
    }
    out[0] = h.read(off, size) >>> 0;
    out[1] = 0;
    return true;
  }

  write(addr: number, size: 1 | 2 | 4 | 8, lo: number, hi: number): boolean {
    if (addr >= this.ramBase && addr + size <= this.ramEnd) {
      const off = addr - this.ramBase;
      const v = this.ramView;
      switch (size) {
        case 1: this.ram[off] = lo; break;
        case 2: v.setUint16(off, lo, true); break;
        case 4: v.setUint32(off, lo >>> 0, true); break;
        case 8: v.setUint32(off, lo >>> 0, true); v.setUint32(off + 4, hi >>> 0, true); break;
      }
      return true;
    }
    const r = this.find(addr);
    if (!r || addr + size > r.base + r.size) return false;
    // Mask ROM ignores stores, as the board's ROM does; it is not a fault.
    if (r.kind === 'rom') return true;
    const off = addr - r.base;
    const h = r.handlers!;
    if (size === 8) {
      if ('write64' in h) h.write64(off, lo >>> 0, hi >>> 0);
      else {
        h.write(off, 4, lo >>> 0);
        h.write(off + 4, 4, hi >>> 0);
      }
      return true;
    }
    h.write(off, size, size === 4 ? lo >>> 0 : lo & (size === 1 ? 0xff : 0xffff));
    return true;
  }

  /** Reads `length` bytes of RAM or ROM for a loader or DMA; false if any byte is outside memory. */
  readBytes(addr: number, length: number): Uint8Array | undefined {
    if (addr >= this.ramBase && addr + length <= this.ramEnd) return this.ram.subarray(addr - this.ramBase, addr - this.ramBase + length);
    const r = this.find(addr);
    if (r?.kind === 'rom' && addr + length <= r.base + r.size) return r.data!.subarray(addr - r.base, addr - r.base + length);
    return undefined;
  }

  /** Copies bytes into RAM or ROM (loaders); false if they do not fit one of them. Tells cores about RAM changes. */
  writeBytes(addr: number, bytes: Uint8Array): boolean {
    const dest = this.readBytes(addr, bytes.length);
    if (!dest) return false;
    dest.set(bytes);
    if (addr >= this.ramBase && addr < this.ramEnd) this.notifyRamWritten(addr, bytes.length);
    return true;
  }

  onRamWritten(listener: (addr: number, length: number) => void): void {
    this.listeners.push(listener);
  }

  /** Tells cores that DMA or a loader changed RAM, so cached decodes of that range are dropped. */
  notifyRamWritten(addr: number, length: number): void {
    for (const l of this.listeners) l(addr, length);
  }

  /** Convenience 32-bit read for tests and devices; undefined on a bus error. */
  read32(addr: number): number | undefined {
    return this.read(addr, 4, scratch) ? scratch[0] : undefined;
  }
}

/** `0x10000000` formatting for messages. */
export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

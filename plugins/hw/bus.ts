/**
 * The physical bus as a CPU core sees it. RAM is one typed array (the fast
 * path: cores read and write it directly); everything else goes through
 * `read`/`write`, which dispatch to ROM or device MMIO and report a bus
 * error by returning false (the core turns that into an access fault).
 */
export interface PhysicalBus {
  /** Guest-physical address of `ram[0]`. */
  readonly ramBase: number;
  /** Main RAM, little-endian, shared with devices doing DMA. */
  readonly ram: Uint8Array;
  /**
   * Slow-path load of `size` bytes at `addr`. On success writes the value to
   * `out[0]` (low 32 bits, unsigned) and `out[1]` (high 32 bits) and returns
   * true; returns false for a bus error (nothing mapped there).
   */
  read(addr: number, size: 1 | 2 | 4 | 8, out: Uint32Array): boolean;
  /** Slow-path store of the value `lo` (low 32 bits) / `hi` (high 32 bits). False on a bus error. */
  write(addr: number, size: 1 | 2 | 4 | 8, lo: number, hi: number): boolean;
  /** Called by DMA and loaders after they write RAM, so cores can drop cached decodes of that range. */
  onRamWritten(listener: (addr: number, length: number) => void): void;
}

/** An MMIO device's access handlers. Offsets are relative to the region's base; 8-byte accesses arrive as two 4-byte ones (low first) unless the region sets `wide`. */
export interface MmioHandlers {
  read(offset: number, size: 1 | 2 | 4): number;
  write(offset: number, size: 1 | 2 | 4, value: number): void;
}

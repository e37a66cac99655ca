/**
 * Where a batch of generated sequences lives in physical memory, and the
 * context record through which the driver starts each sequence and keeps
 * what it left behind. Both machines get the same image at RAM_BASE and
 * are compared on the whole of [RAM_BASE, end of the batch).
 */
export const RAM_BASE = 0x80000000;
/** RAM of both machines (QEMU -m, the test bus). */
export const RAM_SIZE = 32 << 20;
export const PAGE = 4096;

/** The driver's code. */
export const DRIVER = RAM_BASE;
/** Context records, one per sequence, then a zero entry that ends the batch. */
export const CTX_BASE = RAM_BASE + 0x4000;
export const CTX_SIZE = 0x1000;
/** The 2 MiB region every sequence's 2 MiB and 1 GiB pages reach (shared, 2 MiB-aligned). */
export const SHARED = RAM_BASE + (16 << 20);
/** Traps recorded per sequence (all are counted). */
export const MAX_TRAPS = 32;

/** Offsets in a context record. Inputs first, then what the driver saves. */
export const CTX = {
  /** Address of the first instruction (0 ends the batch). */
  entry: 0x000,
  satp: 0x008,
  /** mstatus for the sequence: MPP (its privilege), SUM, MXR, FS. */
  mstatus: 0x010,
  fcsr: 0x018,
  /** x1..x31 at xIn + 8 * (n - 1). */
  xIn: 0x020,
  /** f0..f31 at fIn + 8 * n. */
  fIn: 0x118,
  xOut: 0x220,
  fOut: 0x318,
  fcsrOut: 0x418,
  mstatusOut: 0x420,
  trapCount: 0x428,
  /** The handler's own scratch: t4 and t5 of the sequence. */
  saveT4: 0x430,
  saveT5: 0x438,
  /** Trap records of 32 bytes: mcause, mtval, mepc (past the 12-bit offsets: the handler computes their address). */
  traps: 0x440,
} as const;
export const TRAP_SIZE = 32;

/**
 * The architectural state of one RV64 hart besides the integer registers
 * and pc, shared by the CSR file, the trap logic and the interpreter.
 */
import type { MachineTimer } from '../hw/cpu.js';
import type { Mmu } from './mmu.js';

/** Privilege levels (privileged spec 1.2, table 1.1). */
export const PRIV_U = 0;
export const PRIV_S = 1;
export const PRIV_M = 3;

/** Indexes of 64-bit CSRs kept as lo/hi pairs in `HartState.c64` (value at 2*i, 2*i+1). */
export const C64 = {
  mtvec: 0, stvec: 1, mepc: 2, sepc: 3, mcause: 4, scause: 5, mtval: 6, stval: 7,
  mscratch: 8, sscratch: 9, pmpcfg0: 10, pmpcfg2: 11, pmpaddr0: 12, // pmpaddr0..15 = 12..27
} as const;
export const C64_COUNT = 28;

/** mstatus bits (privileged spec 3.1.6). */
export const MSTATUS = {
  SIE: 1 << 1, MIE: 1 << 3, SPIE: 1 << 5, MPIE: 1 << 7, SPP: 1 << 8,
  MPP_SHIFT: 11, MPP: 3 << 11, FS_SHIFT: 13, FS: 3 << 13, MPRV: 1 << 17, SUM: 1 << 18, MXR: 1 << 19,
  TVM: 1 << 20, TW: 1 << 21, TSR: 1 << 22,
} as const;

/** mstatus.FS states (privileged spec 3.1.6.6). */
export const FS_OFF = 0;
export const FS_DIRTY = 3;

/** mstatus[63:32]: UXL = SXL = 2 (64-bit), read-only (privileged spec 3.1.6.2); SD (bit 63) is added when FS is Dirty. */
export const MSTATUS_HI = 0xa;
/** mstatus.SD in the high word. */
export const MSTATUS_SD_HI = 0x80000000 | 0;

/** Page fault causes (privileged spec table 3.6). */
export const CAUSE_FETCH_PAGE = 12;
export const CAUSE_LOAD_PAGE = 13;
export const CAUSE_STORE_PAGE = 15;

/** Interrupts this core implements: SSI, MSI, STI, MTI, SEI, MEI (privileged spec 3.1.9). */
export const IRQ_MASK = 0xaaa;
/** mip bits M-mode software may write: SSIP, STIP, SEIP (privileged spec 3.1.9). */
export const MIP_M_WRITABLE = (1 << 1) | (1 << 5) | (1 << 9);
/** Interrupts that may be delegated to S-mode. */
export const MIDELEG_WRITABLE = MIP_M_WRITABLE;
/** Exceptions that may be delegated: all defined causes except ecall from M (11), page faults included. */
export const MEDELEG_WRITABLE = 0xb3ff;

/** Everything the CSR file and trap logic read and write. */
export interface HartState {
  readonly hartId: number;
  readonly timer: MachineTimer;
  priv: number;
  mstatus: number;
  medeleg: number;
  mideleg: number;
  mie: number;
  /** mip bits written by software (SSIP, STIP, SEIP). */
  mipSw: number;
  /** mip bits driven by devices through `setInterrupt`. */
  mipHw: number;
  mcounteren: number;
  scounteren: number;
  /** 64-bit CSRs, see C64. */
  readonly c64: Int32Array;
  /** Instructions retired (mcycle and minstret derive from it). */
  instret: number;
  cycleDelta: number;
  instretDelta: number;
  /** LR reservation address, or -1. */
  resv: number;
  /** Waiting in wfi (privileged spec 3.3.3). */
  waiting: boolean;
  /** satp as written (only values with a supported MODE are kept). */
  satpLo: number;
  satpHi: number;
  /** fcsr.frm and fcsr.fflags (unprivileged spec 20.2). */
  frm: number;
  fflags: number;
  /** Address translation and PMP. */
  readonly mmu: Mmu;
  /** Exceptions taken in a row at the very address they trap to, and the last one (the board stops a machine stuck so). */
  readonly storm: { repeats: number; cause: number; pc: number; tval: number };
  /** Recomputes what privilege, mstatus and satp decide for loads, stores and fetches (after any change to them). */
  mmuChanged(): void;
}

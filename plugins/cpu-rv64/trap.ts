/**
 * Trap entry, trap return and interrupt selection (privileged spec 3.1.6.1,
 * 3.1.7, 3.1.8, 3.1.9, 3.3.2, 4.1.1). Traps are values: the interpreter
 * calls `takeTrap` and continues at the pc it returns; nothing throws.
 *
 * Addresses (pc, tval) are numbers holding the 64-bit value as a signed
 * integer: every canonical virtual address (Sv39, Sv48) and every physical
 * address below 2^53 is exact that way, where an unsigned kernel address
 * such as 0xffffffff80000000 would not be.
 */
import { mipValue } from './csr.js';
import { C64, MSTATUS, PRIV_M, PRIV_S, PRIV_U, type HartState } from './state.js';

/** Synchronous exception causes (privileged spec table 3.6). */
export const CAUSE = {
  FETCH_MISALIGNED: 0, FETCH_ACCESS: 1, ILLEGAL: 2, BREAKPOINT: 3,
  LOAD_MISALIGNED: 4, LOAD_ACCESS: 5, STORE_MISALIGNED: 6, STORE_ACCESS: 7,
  ECALL_U: 8, ECALL_S: 9, ECALL_M: 11, FETCH_PAGE: 12, LOAD_PAGE: 13, STORE_PAGE: 15,
} as const;

/** Interrupt bit for a cause number: mcause[63] (privileged spec 3.1.15). */
export const INTERRUPT_FLAG = 0x80000000 | 0;

const TWO32 = 4294967296;

/**
 * Interrupt priority for simultaneous pending interrupts:
 * MEI, MSI, MTI, SEI, SSI, STI (privileged spec 3.1.9).
 */
const PRIORITY = [11, 3, 7, 9, 1, 5];

function pick(bits: number): number {
  for (const b of PRIORITY) if ((bits >>> b) & 1) return b;
  return -1;
}

/**
 * The interrupt the hart must take now, or -1. M-level interrupts (not
 * delegated) are enabled below M always and in M when mstatus.MIE; S-level
 * ones (delegated through mideleg) below S always, in S when mstatus.SIE,
 * and never in M (privileged spec 3.1.9).
 */
export function pendingInterrupt(h: HartState): number {
  const pending = mipValue(h) & h.mie;
  if (pending === 0) return -1;
  const m = pending & ~h.mideleg;
  if (m !== 0 && (h.priv < PRIV_M || (h.mstatus & MSTATUS.MIE) !== 0)) return pick(m);
  const s = pending & h.mideleg;
  if (s !== 0 && (h.priv < PRIV_S || (h.priv === PRIV_S && (h.mstatus & MSTATUS.SIE) !== 0))) return pick(s);
  return -1;
}

/**
 * Enters the trap handler for exception `cause` (or interrupt `cause` when
 * `interrupt`) raised at `pc`, returning the handler's pc. Traps from S or U
 * go to S-mode when the cause's bit is set in medeleg/mideleg (3.1.8).
 * Any LR reservation is dropped.
 */
export function takeTrap(h: HartState, cause: number, interrupt: boolean, tval: number, pc: number): number {
  return takeTrapWords(h, cause, interrupt, tval | 0, Math.floor(tval / TWO32) | 0, pc | 0, Math.floor(pc / TWO32) | 0);
}

/**
 * `takeTrap` with tval and pc as their two 32-bit words: exact for any
 * 64-bit value, where a number is exact only below 2^53 (a non-canonical
 * address a guest loads from or jumps to).
 */
export function takeTrapWords(h: HartState, cause: number, interrupt: boolean, tLo: number, tHi: number, pcLo: number, pcHi: number): number {
  h.resv = NaN;
  const deleg = interrupt ? h.mideleg : h.medeleg;
  const causeHi = interrupt ? INTERRUPT_FLAG : 0;
  const c = h.c64;
  let vec: number;
  if (h.priv <= PRIV_S && ((deleg >>> cause) & 1) !== 0) {
    c[2 * C64.sepc] = pcLo; c[2 * C64.sepc + 1] = pcHi;
    c[2 * C64.scause] = cause; c[2 * C64.scause + 1] = causeHi;
    c[2 * C64.stval] = tLo; c[2 * C64.stval + 1] = tHi;
    // 4.1.1: SPIE <- SIE, SIE <- 0, SPP <- previous privilege.
    let s = h.mstatus & ~(MSTATUS.SPIE | MSTATUS.SIE | MSTATUS.SPP);
    if (h.mstatus & MSTATUS.SIE) s |= MSTATUS.SPIE;
    if (h.priv === PRIV_S) s |= MSTATUS.SPP;
    h.mstatus = s;
    h.priv = PRIV_S;
    vec = C64.stvec;
  } else {
    c[2 * C64.mepc] = pcLo; c[2 * C64.mepc + 1] = pcHi;
    c[2 * C64.mcause] = cause; c[2 * C64.mcause + 1] = causeHi;
    c[2 * C64.mtval] = tLo; c[2 * C64.mtval + 1] = tHi;
    // 3.1.6.1: MPIE <- MIE, MIE <- 0, MPP <- previous privilege.
    let s = h.mstatus & ~(MSTATUS.MPIE | MSTATUS.MIE | MSTATUS.MPP);
    if (h.mstatus & MSTATUS.MIE) s |= MSTATUS.MPIE;
    s |= h.priv << MSTATUS.MPP_SHIFT;
    h.mstatus = s;
    h.priv = PRIV_M;
    vec = C64.mtvec;
  }
  h.mmuChanged();
  const lo = c[2 * vec]!, hi = c[2 * vec + 1]!;
  let target = hi * TWO32 + ((lo & ~3) >>> 0);
  // Vectored mode: interrupts go to BASE + 4*cause (3.1.7).
  if (interrupt && (lo & 3) === 1) target += 4 * cause;
  if (!interrupt) {
    // An exception raised at the very address it traps to: the handler's first instruction faults, and so on for ever.
    const storm = h.storm;
    storm.repeats = pcHi * TWO32 + (pcLo >>> 0) === target ? storm.repeats + 1 : 0;
    storm.cause = cause;
    storm.pc = pcHi * TWO32 + (pcLo >>> 0);
    storm.tval = tHi * TWO32 + (tLo >>> 0);
  }
  return target;
}

/** mret (3.3.2): privilege <- MPP, MIE <- MPIE, MPIE <- 1, MPP <- U; MPRV cleared when leaving M. Returns the new pc. */
export function mret(h: HartState): number {
  const s = h.mstatus;
  const mpp = (s & MSTATUS.MPP) >>> MSTATUS.MPP_SHIFT;
  let n = (s & ~(MSTATUS.MIE | MSTATUS.MPP)) | MSTATUS.MPIE;
  if (s & MSTATUS.MPIE) n |= MSTATUS.MIE;
  if (mpp !== PRIV_M) n &= ~MSTATUS.MPRV;
  h.mstatus = n;
  h.priv = mpp;
  h.mmuChanged();
  const c = h.c64;
  return c[2 * C64.mepc + 1]! * TWO32 + (c[2 * C64.mepc]! >>> 0);
}

/** sret (4.1.1): privilege <- SPP, SIE <- SPIE, SPIE <- 1, SPP <- U; MPRV cleared. Returns the new pc. */
export function sret(h: HartState): number {
  const s = h.mstatus;
  const spp = (s & MSTATUS.SPP) !== 0 ? PRIV_S : PRIV_U;
  let n = (s & ~(MSTATUS.SIE | MSTATUS.SPP | MSTATUS.MPRV)) | MSTATUS.SPIE;
  if (s & MSTATUS.SPIE) n |= MSTATUS.SIE;
  h.mstatus = n;
  h.priv = spp;
  h.mmuChanged();
  const c = h.c64;
  return c[2 * C64.sepc + 1]! * TWO32 + (c[2 * C64.sepc]! >>> 0);
}

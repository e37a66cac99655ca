/**
 * The CSR file (privileged spec chapters 2-4). Reads write into `csrOut`
 * ([lo, hi]) and return false when the CSR does not exist or its access is
 * gated off, which the interpreter turns into an illegal-instruction trap:
 * firmware probes optional CSRs exactly that way (OpenSBI probes
 * mcountinhibit, menvcfg, stimecmp, the mhpm counters; U-Boot probes too),
 * so everything not listed here must stay illegal.
 *
 * Not implemented on purpose (illegal): menvcfg/senvcfg, mcountinhibit,
 * mhpmcounterN, hpmcounterN, mhpmeventN, mconfigptr, Sstc, debug/trigger CSRs,
 * the F/D CSRs. PMP CSRs are plain storage: no checks are made.
 *
 * mstatus.MPRV is storage only: without address translation or enforced PMP
 * it has no effect on loads and stores (privileged spec 3.1.6.3).
 * MXR and SUM are storage only for the same reason.
 */
import {
  C64, IRQ_MASK, MEDELEG_WRITABLE, MIDELEG_WRITABLE, MIP_M_WRITABLE, MSTATUS, MSTATUS_HI,
  PRIV_M, PRIV_S, type HartState,
} from './state.js';

/** Value of the last successful `csrRead`: [lo, hi]. */
export const csrOut = new Int32Array(2);

/** misa: MXL=2 (bits 63:62) and extensions A, C, I, M, S, U (privileged spec 3.1.1). */
export const MISA_LO = (1 << 0) | (1 << 2) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20);
export const MISA_HI = 0x80000000 | 0;

/** Writable bits of mstatus[31:0] (no F/V/big-endian, so FS, VS, XS, UBE are read-only 0). */
const MSTATUS_WRITABLE = MSTATUS.SIE | MSTATUS.MIE | MSTATUS.SPIE | MSTATUS.MPIE | MSTATUS.SPP |
  MSTATUS.MPP | MSTATUS.MPRV | MSTATUS.SUM | MSTATUS.MXR | MSTATUS.TVM | MSTATUS.TW | MSTATUS.TSR;
/** The sstatus view of mstatus (privileged spec 4.1.1). */
const SSTATUS_READ = MSTATUS.SIE | MSTATUS.SPIE | MSTATUS.SPP | MSTATUS.SUM | MSTATUS.MXR;
const SSTATUS_WRITABLE = SSTATUS_READ;
/** Interrupt bits of the S-level view (sie/sip) before masking by mideleg. */
const S_IRQS = (1 << 1) | (1 << 5) | (1 << 9);
/** pmpaddr holds bits 55:2 of an address: 54 bits (privileged spec 3.7.1). */
const PMPADDR_HI_MASK = 0x003fffff;

const TWO32 = 4294967296;

function out(lo: number, hi: number): true {
  csrOut[0] = lo;
  csrOut[1] = hi;
  return true;
}

function outNumber(v: number): true {
  return out(v | 0, Math.floor(v / TWO32) | 0);
}

function c64(h: HartState, i: number): true {
  return out(h.c64[2 * i]!, h.c64[2 * i + 1]!);
}

/** Counter access from S/U is gated by mcounteren, from U also by scounteren (privileged spec 3.1.11). */
function counterAllowed(h: HartState, bit: number): boolean {
  if (h.priv === PRIV_M) return true;
  if (((h.mcounteren >>> bit) & 1) === 0) return false;
  return h.priv === PRIV_S || ((h.scounteren >>> bit) & 1) === 1;
}

/** Current mip: software-written bits OR device-driven lines. */
export function mipValue(h: HartState): number {
  return (h.mipSw | h.mipHw) & IRQ_MASK;
}

/**
 * Reads `csr` into csrOut. `rmw` is set for csrrs/csrrc, whose
 * read-modify-write of mip must use the software-written SEIP only
 * (privileged spec 3.1.9). Privilege-level and read-only checks are the
 * caller's; this returns false only for CSRs that do not exist or are gated.
 */
export function csrRead(h: HartState, csr: number, rmw: boolean): boolean {
  switch (csr) {
    // Unprivileged counters (unprivileged spec chapter 10, Zicntr).
    case 0xc00: return counterAllowed(h, 0) && outNumber(h.instret + h.cycleDelta);
    case 0xc01: return counterAllowed(h, 1) && outNumber(h.timer.mtime());
    case 0xc02: return counterAllowed(h, 2) && outNumber(h.instret + h.instretDelta);
    // Supervisor (privileged spec chapter 4).
    case 0x100: return out(h.mstatus & SSTATUS_READ, MSTATUS_HI & 0x3);
    case 0x104: return out(h.mie & h.mideleg & S_IRQS, 0);
    case 0x105: return c64(h, C64.stvec);
    case 0x106: return out(h.scounteren, 0);
    case 0x140: return c64(h, C64.sscratch);
    case 0x141: return c64(h, C64.sepc);
    case 0x142: return c64(h, C64.scause);
    case 0x143: return c64(h, C64.stval);
    case 0x144: return out((rmw ? h.mipSw : mipValue(h)) & h.mideleg & S_IRQS, 0);
    case 0x180:
      // satp: only Bare exists, so it always reads 0; TVM traps S-mode access (3.1.6.5).
      if (h.priv === PRIV_S && (h.mstatus & MSTATUS.TVM) !== 0) return false;
      return out(0, 0);
    // Machine information (privileged spec 3.1.2-3.1.5).
    case 0xf11: case 0xf12: case 0xf13: return out(0, 0);
    case 0xf14: return out(h.hartId, 0);
    // Machine trap setup and handling.
    case 0x300: return out(h.mstatus, MSTATUS_HI);
    case 0x301: return out(MISA_LO, MISA_HI);
    case 0x302: return out(h.medeleg, 0);
    case 0x303: return out(h.mideleg, 0);
    case 0x304: return out(h.mie, 0);
    case 0x305: return c64(h, C64.mtvec);
    case 0x306: return out(h.mcounteren, 0);
    case 0x340: return c64(h, C64.mscratch);
    case 0x341: return c64(h, C64.mepc);
    case 0x342: return c64(h, C64.mcause);
    case 0x343: return c64(h, C64.mtval);
    case 0x344: return out(rmw ? h.mipSw & IRQ_MASK : mipValue(h), 0);
    // PMP (privileged spec 3.7): RV64 has only the even pmpcfg registers.
    case 0x3a0: return c64(h, C64.pmpcfg0);
    case 0x3a2: return c64(h, C64.pmpcfg2);
    // Machine counters.
    case 0xb00: return outNumber(h.instret + h.cycleDelta);
    case 0xb02: return outNumber(h.instret + h.instretDelta);
    default:
      if (csr >= 0x3b0 && csr <= 0x3bf) return c64(h, C64.pmpaddr0 + (csr - 0x3b0));
      return false;
  }
}

function setC64(h: HartState, i: number, lo: number, hi: number): void {
  h.c64[2 * i] = lo;
  h.c64[2 * i + 1] = hi;
}

/** mtvec/stvec: MODE 0 (direct) or 1 (vectored); the reserved modes >= 2 keep the old mode (WARL, 3.1.7). */
function setTvec(h: HartState, i: number, lo: number, hi: number): void {
  let mode = lo & 3;
  if (mode >= 2) mode = h.c64[2 * i]! & 3;
  setC64(h, i, (lo & ~3) | mode, hi);
}

/**
 * Writes `csr` (which `csrRead` accepted and which is not read-only).
 * WARL fields keep legal values (privileged spec 2.3).
 */
export function csrWrite(h: HartState, csr: number, lo: number, hi: number): void {
  switch (csr) {
    case 0x100:
      h.mstatus = (h.mstatus & ~SSTATUS_WRITABLE) | (lo & SSTATUS_WRITABLE);
      return;
    case 0x104:
      h.mie = (h.mie & ~(h.mideleg & S_IRQS)) | (lo & h.mideleg & S_IRQS);
      return;
    case 0x105: setTvec(h, C64.stvec, lo, hi); return;
    case 0x106: h.scounteren = lo & 7; return;
    case 0x140: setC64(h, C64.sscratch, lo, hi); return;
    // xepc[0] is always zero with IALIGN=16 (privileged spec 3.1.14).
    case 0x141: setC64(h, C64.sepc, lo & ~1, hi); return;
    case 0x142: setC64(h, C64.scause, lo, hi); return;
    case 0x143: setC64(h, C64.stval, lo, hi); return;
    case 0x144: {
      // Only SSIP is writable through sip, and only when delegated (4.1.3).
      const m = h.mideleg & (1 << 1);
      h.mipSw = (h.mipSw & ~m) | (lo & m);
      return;
    }
    case 0x180:
      // satp (4.1.11): MODE Bare is the only one; writes of another MODE are ignored entirely.
      return;
    case 0x300: {
      let v = (h.mstatus & ~MSTATUS_WRITABLE) | (lo & MSTATUS_WRITABLE);
      // MPP is WARL: 2 is reserved, keep the previous value (3.1.6.1).
      if (((v & MSTATUS.MPP) >>> MSTATUS.MPP_SHIFT) === 2) v = (v & ~MSTATUS.MPP) | (h.mstatus & MSTATUS.MPP);
      h.mstatus = v;
      return;
    }
    case 0x301: return; // misa is read-only here (WARL, 3.1.1)
    case 0x302: h.medeleg = lo & MEDELEG_WRITABLE; return;
    case 0x303: h.mideleg = lo & MIDELEG_WRITABLE; return;
    case 0x304: h.mie = lo & IRQ_MASK; return;
    case 0x305: setTvec(h, C64.mtvec, lo, hi); return;
    case 0x306: h.mcounteren = lo & 7; return;
    case 0x340: setC64(h, C64.mscratch, lo, hi); return;
    case 0x341: setC64(h, C64.mepc, lo & ~1, hi); return;
    case 0x342: setC64(h, C64.mcause, lo, hi); return;
    case 0x343: setC64(h, C64.mtval, lo, hi); return;
    case 0x344:
      h.mipSw = (h.mipSw & ~MIP_M_WRITABLE) | (lo & MIP_M_WRITABLE);
      return;
    case 0x3a0: setC64(h, C64.pmpcfg0, lo, hi); return;
    case 0x3a2: setC64(h, C64.pmpcfg2, lo, hi); return;
    case 0xb00: h.cycleDelta = (hi >>> 0) * TWO32 + (lo >>> 0) - h.instret; return;
    case 0xb02: h.instretDelta = (hi >>> 0) * TWO32 + (lo >>> 0) - h.instret; return;
    default:
      if (csr >= 0x3b0 && csr <= 0x3bf) setC64(h, C64.pmpaddr0 + (csr - 0x3b0), lo, hi & PMPADDR_HI_MASK);
  }
}

/** Whether the current privilege may access `csr` at all (csr[9:8] is the lowest level, 2.1). */
export function csrPrivilegeOk(h: HartState, csr: number): boolean {
  return h.priv >= ((csr >>> 8) & 3);
}

/** csr[11:10] == 3 marks read-only CSRs (privileged spec 2.1). */
export function csrReadOnly(csr: number): boolean {
  return (csr >>> 10) === 3;
}


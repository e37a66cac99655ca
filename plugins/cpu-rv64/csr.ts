/**
 * The CSR file (privileged spec chapters 2-4). Reads write into `csrOut`
 * ([lo, hi]) and return false when the CSR does not exist or its access is
 * gated off, which the interpreter turns into an illegal-instruction trap:
 * firmware probes optional CSRs exactly that way (OpenSBI probes
 * mcountinhibit, menvcfg, stimecmp, the mhpm counters; U-Boot probes too),
 * so everything not listed here must stay illegal.
 *
 * Not implemented on purpose (illegal): menvcfg/senvcfg, mcountinhibit,
 * mhpmcounterN, hpmcounterN, mhpmeventN, mconfigptr, Sstc, debug/trigger CSRs.
 * The F/D CSRs exist only while mstatus.FS is not Off (unprivileged spec
 * 20.2; privileged spec 3.1.6.6).
 */
import { Pmp } from './pmp.js';
import {
  C64, FS_DIRTY, IRQ_MASK, MEDELEG_WRITABLE, MIDELEG_WRITABLE, MIP_M_WRITABLE, MSTATUS, MSTATUS_HI,
  MSTATUS_SD_HI, PRIV_M, PRIV_S, type HartState,
} from './state.js';

/** Value of the last successful `csrRead`: [lo, hi]. */
export const csrOut = new Int32Array(2);

/** misa: MXL=2 (bits 63:62) and extensions A, C, D, F, I, M, S, U (privileged spec 3.1.1). */
export const MISA_LO = (1 << 0) | (1 << 2) | (1 << 3) | (1 << 5) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20);
export const MISA_HI = 0x80000000 | 0;

/** Writable bits of mstatus[31:0] (no V, no big-endian, no custom state: VS, XS, UBE are read-only 0). */
const MSTATUS_WRITABLE = MSTATUS.SIE | MSTATUS.MIE | MSTATUS.SPIE | MSTATUS.MPIE | MSTATUS.SPP |
  MSTATUS.MPP | MSTATUS.FS | MSTATUS.MPRV | MSTATUS.SUM | MSTATUS.MXR | MSTATUS.TVM | MSTATUS.TW | MSTATUS.TSR;
/** The sstatus view of mstatus (privileged spec 4.1.1). */
const SSTATUS_READ = MSTATUS.SIE | MSTATUS.SPIE | MSTATUS.SPP | MSTATUS.FS | MSTATUS.SUM | MSTATUS.MXR;
const SSTATUS_WRITABLE = SSTATUS_READ;
/** mstatus bits whose change alters address translation. */
const MSTATUS_MMU = MSTATUS.MPP | MSTATUS.MPRV | MSTATUS.SUM | MSTATUS.MXR;
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

/** The high word of mstatus/sstatus: UXL/SXL, and SD when FS is Dirty (3.1.6.6). */
function statusHi(h: HartState, uxlOnly: boolean): number {
  const sd = ((h.mstatus & MSTATUS.FS) >>> MSTATUS.FS_SHIFT) === FS_DIRTY ? MSTATUS_SD_HI : 0;
  return (uxlOnly ? MSTATUS_HI & 0x3 : MSTATUS_HI) | sd;
}

/** Whether the F/D state is accessible (mstatus.FS not Off). */
export function fpEnabled(h: HartState): boolean {
  return (h.mstatus & MSTATUS.FS) !== 0;
}

/** Marks the F/D state Dirty (any write to an f register or fcsr). */
export function fpDirty(h: HartState): void {
  h.mstatus |= MSTATUS.FS;
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
    // Floating-point CSRs (unprivileged spec 20.2), present while FS is not Off.
    case 0x001: return fpEnabled(h) && out(h.fflags, 0);
    case 0x002: return fpEnabled(h) && out(h.frm, 0);
    case 0x003: return fpEnabled(h) && out((h.frm << 5) | h.fflags, 0);
    // Supervisor (privileged spec chapter 4).
    case 0x100: return out(h.mstatus & SSTATUS_READ, statusHi(h, true));
    case 0x104: return out(h.mie & h.mideleg & S_IRQS, 0);
    case 0x105: return c64(h, C64.stvec);
    case 0x106: return out(h.scounteren, 0);
    case 0x140: return c64(h, C64.sscratch);
    case 0x141: return c64(h, C64.sepc);
    case 0x142: return c64(h, C64.scause);
    case 0x143: return c64(h, C64.stval);
    case 0x144: return out((rmw ? h.mipSw : mipValue(h)) & h.mideleg & S_IRQS, 0);
    case 0x180:
      // satp; TVM traps S-mode access (3.1.6.5).
      if (h.priv === PRIV_S && (h.mstatus & MSTATUS.TVM) !== 0) return false;
      return out(h.satpLo, h.satpHi);
    // Machine information (privileged spec 3.1.2-3.1.5).
    case 0xf11: case 0xf12: case 0xf13: return out(0, 0);
    case 0xf14: return out(h.hartId, 0);
    // Machine trap setup and handling.
    case 0x300: return out(h.mstatus, statusHi(h, false));
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
    case 0x001: h.fflags = lo & 0x1f; fpDirty(h); return;
    case 0x002: h.frm = lo & 7; fpDirty(h); return;
    case 0x003: h.fflags = lo & 0x1f; h.frm = (lo >>> 5) & 7; fpDirty(h); return;
    case 0x100:
      setStatus(h, (h.mstatus & ~SSTATUS_WRITABLE) | (lo & SSTATUS_WRITABLE));
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
      // satp (4.1.11): a write with a MODE this hart lacks has no effect at all.
      if (h.mmu.setSatp(lo, hi)) {
        h.satpLo = lo;
        h.satpHi = hi;
        h.mmuChanged();
      }
      return;
    case 0x300: {
      let v = (h.mstatus & ~MSTATUS_WRITABLE) | (lo & MSTATUS_WRITABLE);
      // MPP is WARL: 2 is reserved, keep the previous value (3.1.6.1).
      if (((v & MSTATUS.MPP) >>> MSTATUS.MPP_SHIFT) === 2) v = (v & ~MSTATUS.MPP) | (h.mstatus & MSTATUS.MPP);
      setStatus(h, v);
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
    case 0x3a0: setPmpCfg(h, 0, lo, hi); return;
    case 0x3a2: setPmpCfg(h, 8, lo, hi); return;
    case 0xb00: h.cycleDelta = (hi >>> 0) * TWO32 + (lo >>> 0) - h.instret; return;
    case 0xb02: h.instretDelta = (hi >>> 0) * TWO32 + (lo >>> 0) - h.instret; return;
    default:
      if (csr >= 0x3b0 && csr <= 0x3bf) {
        const i = csr - 0x3b0;
        if (Pmp.locked(h, i, true)) return;
        setC64(h, C64.pmpaddr0 + i, lo, hi & PMPADDR_HI_MASK);
        pmpChanged(h);
      }
  }
}

/** An mstatus write: translation changes with MPRV, MPP, SUM and MXR; cached MXR-less reads must go. */
function setStatus(h: HartState, v: number): void {
  const changed = h.mstatus ^ v;
  h.mstatus = v;
  if ((changed & MSTATUS.MXR) !== 0) h.mmu.tlb.flushAll();
  if ((changed & MSTATUS_MMU) !== 0) h.mmuChanged();
}

/** pmpcfg0/pmpcfg2 (3.7.1): locked bytes keep their value. */
function setPmpCfg(h: HartState, first: number, lo: number, hi: number): void {
  const reg = first === 0 ? C64.pmpcfg0 : C64.pmpcfg2;
  const words = [lo, hi];
  for (let k = 0; k < 8; k++) {
    if (!Pmp.locked(h, first + k, false)) continue;
    const w = k >> 2, sh = (k & 3) * 8, old = h.c64[2 * reg + w]!;
    words[w] = (words[w]! & ~(0xff << sh)) | (old & (0xff << sh));
  }
  setC64(h, reg, words[0]!, words[1]!);
  pmpChanged(h);
}

/** Cached translations checked the old PMP settings. */
function pmpChanged(h: HartState): void {
  h.mmu.pmp.update(h);
  h.mmu.tlb.flushAll();
}

/** Whether the current privilege may access `csr` at all (csr[9:8] is the lowest level, 2.1). */
export function csrPrivilegeOk(h: HartState, csr: number): boolean {
  return h.priv >= ((csr >>> 8) & 3);
}

/** csr[11:10] == 3 marks read-only CSRs (privileged spec 2.1). */
export function csrReadOnly(csr: number): boolean {
  return (csr >>> 10) === 3;
}


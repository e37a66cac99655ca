/**
 * The F and D instructions other than loads and stores (unprivileged spec
 * chapters 20 and 21), on the register side: decoding their fields,
 * NaN-boxing single values in the 64-bit f registers, resolving the
 * dynamic rounding mode, keeping mstatus.FS and fflags, and writing
 * integer or f destinations. The arithmetic itself is the floating-point
 * unit's (fpu/), which works on bit patterns.
 */
import { fpDirty, fpEnabled } from './csr.js';
import type { HartState } from './state.js';

/** The canonical NaN of single precision (unprivileged spec 20.3). */
const CANONICAL_NAN_S = 0x7fc00000;

/** The registers an FP instruction reads and writes: x (lo/hi words, x0 writes go to index 32) and f (two words each). */
export interface FpRegisters {
  readonly xlo: Int32Array;
  readonly xhi: Int32Array;
  readonly f: Int32Array;
}

/** A single value read from f register `r`: its low word if NaN-boxed, else the canonical NaN (21.2). */
function single(f: Int32Array, r: number): number {
  return f[2 * r + 1] === -1 ? f[2 * r]! : CANONICAL_NAN_S;
}

function setSingle(f: Int32Array, r: number, bits: number): void {
  f[2 * r] = bits;
  f[2 * r + 1] = -1;
}

/** Writes integer register `rd` (x0 discards). */
function setX(regs: FpRegisters, rd: number, lo: number, hi: number): void {
  if (rd === 0) return;
  regs.xlo[rd] = lo;
  regs.xhi[rd] = hi;
}

/**
 * Executes FP_ARITH or FP_FMA instruction `i` (its raw bits). Returns false
 * when the instruction is illegal here: FS is Off, a reserved encoding or
 * rounding mode, or an operation the unit does not have.
 */
export function fpExecute(h: HartState, i: number, regs: FpRegisters): boolean {
  if (!fpEnabled(h)) return false;
  const f = regs.f;
  const rd = (i >>> 7) & 31, f3 = (i >>> 12) & 7, rs1 = (i >>> 15) & 31, rs2 = (i >>> 20) & 31;
  const f7 = i >>> 25;
  if ((i & 0x7f) !== 0x53) return false;
  const double = (f7 & 1) === 1;
  switch (f7 >>> 2) {
    case 0x04: {
      // FSGNJ, FSGNJN, FSGNJX (20.7, 21.5): sign from rs2, its negation, or the xor.
      if (f3 > 2) return false;
      if (double) {
        const a = f[2 * rs1 + 1]!, b = f[2 * rs2 + 1]!;
        const sign = f3 === 0 ? b : f3 === 1 ? ~b : a ^ b;
        f[2 * rd] = f[2 * rs1]!;
        f[2 * rd + 1] = (a & 0x7fffffff) | (sign & 0x80000000);
      } else {
        const a = single(f, rs1), b = single(f, rs2);
        const sign = f3 === 0 ? b : f3 === 1 ? ~b : a ^ b;
        setSingle(f, rd, (a & 0x7fffffff) | (sign & 0x80000000));
      }
      fpDirty(h);
      return true;
    }
    case 0x1c:
      // FMV.X.W / FMV.X.D (20.8, 21.6): the raw bits, a single sign-extended; FCLASS is the unit's.
      if (rs2 !== 0 || f3 !== 0) return false;
      if (double) setX(regs, rd, f[2 * rs1]!, f[2 * rs1 + 1]!);
      else setX(regs, rd, f[2 * rs1]!, f[2 * rs1]! >> 31);
      return true;
    case 0x1e:
      // FMV.W.X / FMV.D.X: the raw bits, a single NaN-boxed.
      if (rs2 !== 0 || f3 !== 0) return false;
      if (double) {
        f[2 * rd] = regs.xlo[rs1]!;
        f[2 * rd + 1] = regs.xhi[rs1]!;
      } else {
        setSingle(f, rd, regs.xlo[rs1]!);
      }
      fpDirty(h);
      return true;
    default:
      return false;
  }
}

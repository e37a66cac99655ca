/**
 * The F and D instructions other than loads and stores (unprivileged spec
 * chapters 20 and 21), on the register side: decoding their fields,
 * NaN-boxing single values in the 64-bit f registers, resolving the
 * dynamic rounding mode, keeping mstatus.FS and fflags, and writing
 * integer or f destinations. The arithmetic itself is the floating-point
 * unit's (fpu/), which works on bit patterns.
 */
import { fpDirty, fpEnabled } from './csr.js';
import * as fpu from './fpu/index.js';
import type { HartState } from './state.js';

/** The registers an FP instruction reads and writes: x (lo/hi words) and f (two words each). */
export interface FpRegisters {
  readonly xlo: Int32Array;
  readonly xhi: Int32Array;
  readonly f: Int32Array;
}

/** A single value read from f register `r`: its low word if NaN-boxed, else the canonical NaN (21.2). */
function single(f: Int32Array, r: number): number {
  return f[2 * r + 1] === -1 ? f[2 * r]! : fpu.F32_CANONICAL_NAN;
}

function setSingle(f: Int32Array, r: number, bits: number): void {
  f[2 * r] = bits;
  f[2 * r + 1] = -1;
}

/** Writes f register `r` from the FPU's 64-bit result. */
function setDouble(f: Int32Array, r: number): void {
  f[2 * r] = fpu.fpOut[0]!;
  f[2 * r + 1] = fpu.fpOut[1]!;
}

/** Writes integer register `rd` (x0 discards). */
function setX(regs: FpRegisters, rd: number, lo: number, hi: number): void {
  if (rd === 0) return;
  regs.xlo[rd] = lo;
  regs.xhi[rd] = hi;
}

/** The rounding mode of an instruction's rm field: DYN (7) reads frm; 5, 6 and an frm of 5-7 are reserved (-1). */
function roundingMode(h: HartState, rm: number): number {
  const m = rm === 7 ? h.frm : rm;
  return m <= 4 ? m : -1;
}

/**
 * Executes FP_ARITH or FP_FMA instruction `i` (its raw bits). Returns false
 * when the instruction is illegal here: FS is Off, a reserved encoding, a
 * format this hart lacks (H, Q) or a reserved rounding mode. Exceptions
 * accrue into fflags; FS becomes Dirty when an f register or fflags changes.
 */
export function fpExecute(h: HartState, i: number, regs: FpRegisters): boolean {
  if (!fpEnabled(h)) return false;
  fpu.fpFlags[0] = 0;
  const ok = (i & 0x7f) === 0x53 ? opFp(h, i, regs) : fma(h, i, regs);
  if (!ok) return false;
  const raised = fpu.fpFlags[0]!;
  if ((raised & ~h.fflags) !== 0) {
    h.fflags |= raised;
    fpDirty(h);
  }
  return true;
}

/** FMADD, FMSUB, FNMSUB, FNMADD (20.6, 21.4): one rounding of ±(rs1*rs2)±rs3. */
function fma(h: HartState, i: number, regs: FpRegisters): boolean {
  const f = regs.f;
  const rd = (i >>> 7) & 31, rs1 = (i >>> 15) & 31, rs2 = (i >>> 20) & 31, rs3 = i >>> 27;
  const rm = roundingMode(h, (i >>> 12) & 7);
  if (rm < 0) return false;
  const op = ((i & 0x7f) >>> 2) & 3;
  if (((i >>> 25) & 3) === 1) {
    fpu.f64MulAdd(f[2 * rs1]!, f[2 * rs1 + 1]!, f[2 * rs2]!, f[2 * rs2 + 1]!, f[2 * rs3]!, f[2 * rs3 + 1]!, rm, op);
    setDouble(f, rd);
  } else {
    setSingle(f, rd, fpu.f32MulAdd(single(f, rs1), single(f, rs2), single(f, rs3), rm, op));
  }
  fpDirty(h);
  return true;
}

/** The OP-FP major opcode (20.6-20.9, 21.4-21.7). */
function opFp(h: HartState, i: number, regs: FpRegisters): boolean {
  const f = regs.f;
  const rd = (i >>> 7) & 31, f3 = (i >>> 12) & 7, rs1 = (i >>> 15) & 31, rs2 = (i >>> 20) & 31;
  const f5 = i >>> 27, fmt = (i >>> 25) & 3;
  if (fmt > 1) return false;
  const d = fmt === 1;
  const a = single(f, rs1), b = single(f, rs2);
  const al = f[2 * rs1]!, ah = f[2 * rs1 + 1]!, bl = f[2 * rs2]!, bh = f[2 * rs2 + 1]!;
  switch (f5) {
    case 0x00: case 0x01: case 0x02: case 0x03: case 0x0b: {
      // FADD, FSUB, FMUL, FDIV, FSQRT (rs2 must be 0).
      const rm = roundingMode(h, f3);
      if (rm < 0 || (f5 === 0x0b && rs2 !== 0)) return false;
      if (d) {
        if (f5 === 0x00) fpu.f64Add(al, ah, bl, bh, rm);
        else if (f5 === 0x01) fpu.f64Sub(al, ah, bl, bh, rm);
        else if (f5 === 0x02) fpu.f64Mul(al, ah, bl, bh, rm);
        else if (f5 === 0x03) fpu.f64Div(al, ah, bl, bh, rm);
        else fpu.f64Sqrt(al, ah, rm);
        setDouble(f, rd);
      } else {
        const r = f5 === 0x00 ? fpu.f32Add(a, b, rm) : f5 === 0x01 ? fpu.f32Sub(a, b, rm) : f5 === 0x02 ? fpu.f32Mul(a, b, rm)
          : f5 === 0x03 ? fpu.f32Div(a, b, rm) : fpu.f32Sqrt(a, rm);
        setSingle(f, rd, r);
      }
      break;
    }
    case 0x04: {
      // FSGNJ, FSGNJN, FSGNJX: the sign from rs2, its negation, or the xor; no exceptions.
      if (f3 > 2) return false;
      if (d) {
        const sign = f3 === 0 ? bh : f3 === 1 ? ~bh : ah ^ bh;
        f[2 * rd] = al;
        f[2 * rd + 1] = (ah & 0x7fffffff) | (sign & 0x80000000);
      } else {
        const sign = f3 === 0 ? b : f3 === 1 ? ~b : a ^ b;
        setSingle(f, rd, (a & 0x7fffffff) | (sign & 0x80000000));
      }
      break;
    }
    case 0x05:
      // FMIN, FMAX.
      if (f3 > 1) return false;
      if (d) {
        if (f3 === 0) fpu.f64Min(al, ah, bl, bh);
        else fpu.f64Max(al, ah, bl, bh);
        setDouble(f, rd);
      } else {
        setSingle(f, rd, f3 === 0 ? fpu.f32Min(a, b) : fpu.f32Max(a, b));
      }
      break;
    case 0x08: {
      // FCVT.S.D (fmt S, rs2 = 1) and FCVT.D.S (fmt D, rs2 = 0).
      const rm = roundingMode(h, f3);
      if (rm < 0 || rs2 !== (d ? 0 : 1)) return false;
      if (d) {
        fpu.f32ToF64(a);
        setDouble(f, rd);
      } else {
        setSingle(f, rd, fpu.f64ToF32(al, ah, rm));
      }
      break;
    }
    case 0x14: {
      // FLE, FLT, FEQ: an integer result.
      if (f3 > 2) return false;
      const r = d
        ? (f3 === 0 ? fpu.f64Le(al, ah, bl, bh) : f3 === 1 ? fpu.f64Lt(al, ah, bl, bh) : fpu.f64Eq(al, ah, bl, bh))
        : (f3 === 0 ? fpu.f32Le(a, b) : f3 === 1 ? fpu.f32Lt(a, b) : fpu.f32Eq(a, b));
      setX(regs, rd, r, 0);
      return true;
    }
    case 0x18: {
      // FCVT.W, .WU, .L, .LU from S or D: saturating, sign-extended (20.7).
      const rm = roundingMode(h, f3);
      if (rm < 0 || rs2 > 3) return false;
      if (d) [fpu.f64ToI32, fpu.f64ToU32, fpu.f64ToI64, fpu.f64ToU64][rs2]!(al, ah, rm);
      else [fpu.f32ToI32, fpu.f32ToU32, fpu.f32ToI64, fpu.f32ToU64][rs2]!(a, rm);
      setX(regs, rd, fpu.fpOut[0]!, fpu.fpOut[1]!);
      return true;
    }
    case 0x1a: {
      // FCVT.S/D from W, WU, L, LU.
      const rm = roundingMode(h, f3);
      if (rm < 0 || rs2 > 3) return false;
      const xl = regs.xlo[rs1]!, xh = regs.xhi[rs1]!;
      if (d) {
        if (rs2 === 0) fpu.i32ToF64(xl, rm);
        else if (rs2 === 1) fpu.u32ToF64(xl, rm);
        else if (rs2 === 2) fpu.i64ToF64(xl, xh, rm);
        else fpu.u64ToF64(xl, xh, rm);
        setDouble(f, rd);
      } else {
        setSingle(f, rd, rs2 === 0 ? fpu.i32ToF32(xl, rm) : rs2 === 1 ? fpu.u32ToF32(xl, rm)
          : rs2 === 2 ? fpu.i64ToF32(xl, xh, rm) : fpu.u64ToF32(xl, xh, rm));
      }
      break;
    }
    case 0x1c:
      // FMV.X.W / FMV.X.D (the raw bits, a single sign-extended) and FCLASS.
      if (rs2 !== 0 || f3 > 1) return false;
      if (f3 === 1) setX(regs, rd, d ? fpu.f64Classify(al, ah) : fpu.f32Classify(a), 0);
      else if (d) setX(regs, rd, al, ah);
      else setX(regs, rd, al, al >> 31);
      return true;
    case 0x1e:
      // FMV.W.X / FMV.D.X: the raw bits, a single NaN-boxed.
      if (rs2 !== 0 || f3 !== 0) return false;
      if (d) {
        f[2 * rd] = regs.xlo[rs1]!;
        f[2 * rd + 1] = regs.xhi[rs1]!;
      } else {
        setSingle(f, rd, regs.xlo[rs1]!);
      }
      break;
    default:
      return false;
  }
  // Every case that breaks (rather than returns) wrote an f register.
  fpDirty(h);
  return true;
}

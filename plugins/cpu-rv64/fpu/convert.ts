/**
 * Conversions (FCVT.*): floating point to integers of 32 and 64 bits, signed
 * and unsigned, saturating as RISC-V specifies (NaN -> the largest positive
 * value, +/-inf and out-of-range values -> the nearest bound, NV and no NX;
 * in-range inexact -> NX; the 32-bit results sign-extended to 64 bits, so
 * FCVT.WU of 3e9 gives 0xffffffffb2d05e00), integers to floating point with
 * rounding, and between the two floating-point formats.
 */
import { F32_CANONICAL_NAN, f32Bits, f32Value, f64Value, isSNaN32, isSNaN64, writeF64, writeF64NaN } from './bits.js';
import { twoSumErr } from './error-free.js';
import { fpFlags, fpOut, NV, NX, RDN, RMM, RNE, RTZ, RUP } from './flags.js';
import { roundF32 } from './round-f32.js';
import { directedF64 } from './round-f64.js';

const TWO32 = 4294967296;
const TWO52 = 4503599627370496;

/** x (finite or infinite) rounded to an integral double by `rm`. */
function roundIntegral(x: number, rm: number): number {
  if (!(Math.abs(x) < TWO52)) return x;
  const t = Math.trunc(x);
  const f = x - t;
  if (f === 0) return t;
  switch (rm) {
    case RTZ: return t;
    case RDN: return f < 0 ? t - 1 : t;
    case RUP: return f > 0 ? t + 1 : t;
    case RMM: return Math.abs(f) >= 0.5 ? t + Math.sign(f) : t;
    default: {
      const af = Math.abs(f);
      return af > 0.5 || (af === 0.5 && t % 2 !== 0) ? t + Math.sign(f) : t;
    }
  }
}

/** An integer destination: its range [min, limit) and the [lo, hi] words it saturates to. */
interface IntFormat { min: number; limit: number; wide: boolean; minLo: number; minHi: number; maxLo: number; maxHi: number }

const INT32: IntFormat = { min: -2147483648, limit: 2147483648, wide: false, minLo: -2147483648, minHi: -1, maxLo: 0x7fffffff, maxHi: 0 };
const UINT32: IntFormat = { min: 0, limit: TWO32, wide: false, minLo: 0, minHi: 0, maxLo: -1, maxHi: -1 };
const INT64: IntFormat = { min: -9223372036854775808, limit: 9223372036854775808, wide: true, minLo: 0, minHi: -2147483648, maxLo: -1, maxHi: 0x7fffffff };
const UINT64: IntFormat = { min: 0, limit: 18446744073709551616, wide: true, minLo: 0, minHi: 0, maxLo: -1, maxHi: -1 };

function toInt(x: number, rm: number, f: IntFormat): void {
  if (x !== x) {
    fpFlags[0] |= NV;
    fpOut[0] = f.maxLo;
    fpOut[1] = f.maxHi;
    return;
  }
  const y = roundIntegral(x, rm);
  if (y < f.min || y >= f.limit) {
    fpFlags[0] |= NV;
    const low = y < f.min;
    fpOut[0] = low ? f.minLo : f.maxLo;
    fpOut[1] = low ? f.minHi : f.maxHi;
    return;
  }
  if (y !== x) fpFlags[0] |= NX;
  if (f.wide) {
    const hi = Math.floor(y / TWO32);
    fpOut[0] = (y - hi * TWO32) | 0;
    fpOut[1] = hi | 0;
  } else {
    const lo = y | 0;
    fpOut[0] = lo;
    fpOut[1] = lo >> 31;
  }
}

/** FCVT.W.S */
export function f32ToI32(a: number, rm: number): void { toInt(f32Value(a), rm, INT32); }
/** FCVT.WU.S */
export function f32ToU32(a: number, rm: number): void { toInt(f32Value(a), rm, UINT32); }
/** FCVT.L.S */
export function f32ToI64(a: number, rm: number): void { toInt(f32Value(a), rm, INT64); }
/** FCVT.LU.S */
export function f32ToU64(a: number, rm: number): void { toInt(f32Value(a), rm, UINT64); }
/** FCVT.W.D */
export function f64ToI32(lo: number, hi: number, rm: number): void { toInt(f64Value(lo, hi), rm, INT32); }
/** FCVT.WU.D */
export function f64ToU32(lo: number, hi: number, rm: number): void { toInt(f64Value(lo, hi), rm, UINT32); }
/** FCVT.L.D */
export function f64ToI64(lo: number, hi: number, rm: number): void { toInt(f64Value(lo, hi), rm, INT64); }
/** FCVT.LU.D */
export function f64ToU64(lo: number, hi: number, rm: number): void { toInt(f64Value(lo, hi), rm, UINT64); }

/** FCVT.S.W (the low 32 bits of the register, as int32). */
export function i32ToF32(v: number, rm: number): number { return roundF32(v | 0, 0, rm); }
/** FCVT.S.WU */
export function u32ToF32(v: number, rm: number): number { return roundF32(v >>> 0, 0, rm); }

/** FCVT.S.L: hi * 2^32 + lo is one double rounding plus its exact error. */
export function i64ToF32(lo: number, hi: number, rm: number): number {
  const h = (hi | 0) * TWO32, l = lo >>> 0;
  const x = h + l;
  return roundF32(x, twoSumErr(h, l, x), rm);
}

/** FCVT.S.LU */
export function u64ToF32(lo: number, hi: number, rm: number): number {
  const h = (hi >>> 0) * TWO32, l = lo >>> 0;
  const x = h + l;
  return roundF32(x, twoSumErr(h, l, x), rm);
}

/** FCVT.D.W: exact; `rm` is taken for a uniform signature. */
export function i32ToF64(v: number, _rm: number): void { writeF64(v | 0); }
/** FCVT.D.WU: exact; `rm` is taken for a uniform signature. */
export function u32ToF64(v: number, _rm: number): void { writeF64(v >>> 0); }

function wideToF64(h: number, l: number, rm: number): void {
  const x = h + l;
  const e = twoSumErr(h, l, x);
  if (e === 0) return writeF64(x);
  fpFlags[0] |= NX;
  writeF64(rm === RNE ? x : directedF64(x, e, rm));
}

/** FCVT.D.L */
export function i64ToF64(lo: number, hi: number, rm: number): void { wideToF64((hi | 0) * TWO32, lo >>> 0, rm); }
/** FCVT.D.LU */
export function u64ToF64(lo: number, hi: number, rm: number): void { wideToF64((hi >>> 0) * TWO32, lo >>> 0, rm); }

/** FCVT.D.S: exact; a NaN becomes the canonical NaN (NV for a signalling one). */
export function f32ToF64(a: number): void {
  const x = f32Value(a);
  if (x !== x) {
    if (isSNaN32(a)) fpFlags[0] |= NV;
    return writeF64NaN();
  }
  writeF64(x);
}

/** FCVT.S.D: rounds by `rm`; a NaN becomes the canonical NaN (NV for a signalling one). */
export function f64ToF32(lo: number, hi: number, rm: number): number {
  const x = f64Value(lo, hi);
  if (x - x !== 0) {
    if (x === x) return f32Bits(x);
    if (isSNaN64(lo, hi)) fpFlags[0] |= NV;
    return F32_CANONICAL_NAN;
  }
  return roundF32(x, 0, rm);
}

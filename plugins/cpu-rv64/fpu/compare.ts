/**
 * Comparisons and FMIN/FMAX. FEQ is quiet (NV only for a signalling NaN);
 * FLT and FLE signal on any NaN; all three give 0 when an operand is a NaN.
 * FMIN/FMAX follow the F chapter from version 2.2 (IEEE 754-2019
 * minimumNumber/maximumNumber): a NaN operand yields the other operand, two
 * NaNs the canonical NaN, NV only for a signalling input, and -0 < +0.
 */
import { F32_CANONICAL_NAN, f32Value, f64Value, isNaN32, isNaN64, isSNaN32, isSNaN64, writeF64NaN } from './bits.js';
import { fpFlags, fpOut, NV } from './flags.js';

/** FEQ.S */
export function f32Eq(a: number, b: number): number {
  if (isNaN32(a) || isNaN32(b)) {
    if (isSNaN32(a) || isSNaN32(b)) fpFlags[0] |= NV;
    return 0;
  }
  return a === b || ((a | b) & 0x7fffffff) === 0 ? 1 : 0;
}

/** FLT.S */
export function f32Lt(a: number, b: number): number {
  if (isNaN32(a) || isNaN32(b)) {
    fpFlags[0] |= NV;
    return 0;
  }
  return f32Value(a) < f32Value(b) ? 1 : 0;
}

/** FLE.S */
export function f32Le(a: number, b: number): number {
  if (isNaN32(a) || isNaN32(b)) {
    fpFlags[0] |= NV;
    return 0;
  }
  return f32Value(a) <= f32Value(b) ? 1 : 0;
}

/** FMIN.S */
export function f32Min(a: number, b: number): number {
  const an = isNaN32(a), bn = isNaN32(b);
  if (an || bn) {
    if (isSNaN32(a) || isSNaN32(b)) fpFlags[0] |= NV;
    return an && bn ? F32_CANONICAL_NAN : an ? b : a;
  }
  const x = f32Value(a), y = f32Value(b);
  return x < y ? a : y < x ? b : a | b; // equal: the same bits, or zeros where -0 wins
}

/** FMAX.S */
export function f32Max(a: number, b: number): number {
  const an = isNaN32(a), bn = isNaN32(b);
  if (an || bn) {
    if (isSNaN32(a) || isSNaN32(b)) fpFlags[0] |= NV;
    return an && bn ? F32_CANONICAL_NAN : an ? b : a;
  }
  const x = f32Value(a), y = f32Value(b);
  return x > y ? a : y > x ? b : a & b; // equal: the same bits, or zeros where +0 wins
}

/** FEQ.D */
export function f64Eq(alo: number, ahi: number, blo: number, bhi: number): number {
  if (isNaN64(alo, ahi) || isNaN64(blo, bhi)) {
    if (isSNaN64(alo, ahi) || isSNaN64(blo, bhi)) fpFlags[0] |= NV;
    return 0;
  }
  return f64Value(alo, ahi) === f64Value(blo, bhi) ? 1 : 0;
}

/** FLT.D */
export function f64Lt(alo: number, ahi: number, blo: number, bhi: number): number {
  if (isNaN64(alo, ahi) || isNaN64(blo, bhi)) {
    fpFlags[0] |= NV;
    return 0;
  }
  return f64Value(alo, ahi) < f64Value(blo, bhi) ? 1 : 0;
}

/** FLE.D */
export function f64Le(alo: number, ahi: number, blo: number, bhi: number): number {
  if (isNaN64(alo, ahi) || isNaN64(blo, bhi)) {
    fpFlags[0] |= NV;
    return 0;
  }
  return f64Value(alo, ahi) <= f64Value(blo, bhi) ? 1 : 0;
}

function minMaxF64(alo: number, ahi: number, blo: number, bhi: number, max: boolean): void {
  const an = isNaN64(alo, ahi), bn = isNaN64(blo, bhi);
  if (an || bn) {
    if (isSNaN64(alo, ahi) || isSNaN64(blo, bhi)) fpFlags[0] |= NV;
    if (an && bn) return writeF64NaN();
    fpOut[0] = an ? blo : alo;
    fpOut[1] = an ? bhi : ahi;
    return;
  }
  const x = f64Value(alo, ahi), y = f64Value(blo, bhi);
  const pickA = max ? x > y : x < y;
  const pickB = max ? y > x : y < x;
  fpOut[0] = pickB ? blo : alo;
  // Equal values have the same bits except for zeros, whose sign decides.
  fpOut[1] = pickA ? ahi : pickB ? bhi : max ? ahi & bhi : ahi | bhi;
}

/** FMIN.D */
export function f64Min(alo: number, ahi: number, blo: number, bhi: number): void { minMaxF64(alo, ahi, blo, bhi, false); }
/** FMAX.D */
export function f64Max(alo: number, ahi: number, blo: number, bhi: number): void { minMaxF64(alo, ahi, blo, bhi, true); }

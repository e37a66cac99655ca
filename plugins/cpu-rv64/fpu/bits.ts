/**
 * Bit-level views of binary32/binary64 values: raw patterns in, JS doubles
 * for arithmetic, raw patterns out. The views share buffers (the host is
 * little-endian, as every platform Node runs on), so reading a value never
 * allocates.
 */
import { fpOut } from './flags.js';

const F64 = new Float64Array(1);
const W64 = new Int32Array(F64.buffer);
const F32 = new Float32Array(1);
const W32 = new Int32Array(F32.buffer);

/** The canonical NaNs (unprivileged spec 11.3): positive, quiet bit only. */
export const F32_CANONICAL_NAN = 0x7fc00000;
export const F64_CANONICAL_NAN_HI = 0x7ff80000;

/** Smallest positive normal binary32 value, 2^-126. */
export const F32_MIN_NORMAL = 1.1754943508222875e-38;

/** The value of binary32 bits (NaNs come out as some NaN). */
export function f32Value(bits: number): number {
  W32[0] = bits;
  return F32[0]!;
}

/** The bits of a double that is exactly representable in binary32 (never NaN). */
export function f32Bits(v: number): number {
  F32[0] = v;
  return W32[0]!;
}

/** The value of binary64 bits (lo, hi). */
export function f64Value(lo: number, hi: number): number {
  W64[0] = lo;
  W64[1] = hi;
  return F64[0]!;
}

/** Writes a double (never NaN) to fpOut as [lo, hi]. */
export function writeF64(v: number): void {
  F64[0] = v;
  fpOut[0] = W64[0]!;
  fpOut[1] = W64[1]!;
}

/** Writes the canonical binary64 NaN to fpOut. */
export function writeF64NaN(): void {
  fpOut[0] = 0;
  fpOut[1] = F64_CANONICAL_NAN_HI;
}

/** Low word of a double's bits. */
export function loOf(v: number): number {
  F64[0] = v;
  return W64[0]!;
}

/** High word of a double's bits. */
export function hiOf(v: number): number {
  F64[0] = v;
  return W64[1]!;
}

/** True for binary32 NaN bits. */
export function isNaN32(a: number): boolean {
  return (a & 0x7fffffff) > 0x7f800000;
}

/** True for binary32 signalling-NaN bits (quiet bit clear). */
export function isSNaN32(a: number): boolean {
  return (a & 0x7fffffff) > 0x7f800000 && (a & 0x00400000) === 0;
}

/** True for binary64 NaN bits. */
export function isNaN64(lo: number, hi: number): boolean {
  return (hi & 0x7ff00000) === 0x7ff00000 && ((hi & 0x000fffff) | lo) !== 0;
}

/** True for binary64 signalling-NaN bits (quiet bit clear). */
export function isSNaN64(lo: number, hi: number): boolean {
  return (hi & 0x7ff00000) === 0x7ff00000 && ((hi & 0x000fffff) | lo) !== 0 && (hi & 0x00080000) === 0;
}

/** 2^k for k in [-1074, 1023] as POW2[k + 1100]; 0 below. */
export const POW2 = new Float64Array(2124);
{
  let v = 1;
  for (let k = 0; k <= 1023; k++, v *= 2) POW2[k + 1100] = v;
  v = 0.5;
  for (let k = -1; k >= -1074; k--, v /= 2) POW2[k + 1100] = v;
}

/** Half the distance from a normal double to its neighbour away from zero. */
export function halfUlpAbove(v: number): number {
  F64[0] = v;
  return POW2[((W64[1]! >>> 20) & 0x7ff) + 24]!;
}

/**
 * The double next to nonzero finite `v` in the direction of `dir` (+1 up,
 * -1 down). Stepping the magnitude's bit pattern walks every double in order,
 * across binades and into infinity.
 */
export function stepF64(v: number, dir: number): number {
  F64[0] = v;
  let lo = W64[0]!, hi = W64[1]!;
  if ((v > 0) === (dir > 0)) {
    lo = (lo + 1) | 0;
    if (lo === 0) hi = (hi + 1) | 0;
  } else {
    if (lo === 0) hi = (hi - 1) | 0;
    lo = (lo - 1) | 0;
  }
  W64[0] = lo;
  W64[1] = hi;
  return F64[0]!;
}

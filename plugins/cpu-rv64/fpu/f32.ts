/**
 * Binary32 arithmetic (unprivileged spec chapter "F"): FADD.S, FSUB.S,
 * FMUL.S, FDIV.S, FSQRT.S on raw bit patterns. Sums and products of two
 * binary32 values are exact in a double or carry an exact TwoSum error;
 * quotients and roots use the host's correctly rounded double operation,
 * whose rounding to binary32 is innocuous for these operations (53 >= 2*24+2),
 * and an exact residual (a - q*b, a - r*r) for flags and directed modes.
 */
import { F32_CANONICAL_NAN, F32_MIN_NORMAL, f32Bits, f32Value, isNaN32, isSNaN32 } from './bits.js';
import { twoProductErr, twoSumErr } from './error-free.js';
import { fpFlags, DZ, NV, NX, RDN, RNE } from './flags.js';
import { directF32, roundF32 } from './round-f32.js';

/** Canonical NaN for a NaN result: NV when an input is signalling or when no input was a NaN (an invalid operation). */
function nanResult2(a: number, b: number): number {
  if (isSNaN32(a) || isSNaN32(b) || (!isNaN32(a) && !isNaN32(b))) fpFlags[0] |= NV;
  return F32_CANONICAL_NAN;
}

/** FADD.S */
export function f32Add(a: number, b: number, rm: number): number {
  const x = f32Value(a), y = f32Value(b);
  const s = x + y;
  if (s - s !== 0) return s === s ? f32Bits(s) : nanResult2(a, b);
  const e = twoSumErr(x, y, s);
  // An exact zero sum of operands of different signs is -0 when rounding down (IEEE 754 6.3).
  if (s === 0 && rm === RDN) return f32Bits(-(-x + -y));
  return roundF32(s, e, rm);
}

/** FSUB.S */
export function f32Sub(a: number, b: number, rm: number): number {
  return f32Add(a, b ^ 0x80000000, rm);
}

/** FMUL.S */
export function f32Mul(a: number, b: number, rm: number): number {
  const p = f32Value(a) * f32Value(b); // exact: 48 significant bits, exponent within a double's
  if (p - p !== 0) return p === p ? f32Bits(p) : nanResult2(a, b);
  return roundF32(p, 0, rm);
}

/** FDIV.S */
export function f32Div(a: number, b: number, rm: number): number {
  const x = f32Value(a), y = f32Value(b);
  const q = x / y;
  if (q - q !== 0) {
    if (q !== q) return nanResult2(a, b);
    if (x - x === 0) fpFlags[0] |= DZ; // finite / 0
    return f32Bits(q);
  }
  if (q === 0) return f32Bits(q);
  const r = Math.fround(q);
  const ar = Math.abs(r);
  if (ar > F32_MIN_NORMAL && ar !== Infinity) {
    const rem = x - r * y; // r*y exact (48 bits), the difference exact (Sterbenz)
    if (rem === 0) return f32Bits(r);
    fpFlags[0] |= NX;
    if (rm === RNE) return f32Bits(r);
    return directF32(r, y > 0 ? rem : -rem, rm);
  }
  // Tiny or overflowing: the double quotient and the sign of its exact residual.
  const rem = (x - q * y) - twoProductErr(q, y, q * y);
  return roundF32(q, rem === 0 ? 0 : (y > 0) === (rem > 0) ? 1 : -1, rm);
}

/** FSQRT.S */
export function f32Sqrt(a: number, rm: number): number {
  const x = f32Value(a);
  if (x !== x) {
    if (isSNaN32(a)) fpFlags[0] |= NV;
    return F32_CANONICAL_NAN;
  }
  if (x === 0 || x === Infinity) return a; // sqrt(-0) = -0
  if (x < 0) {
    fpFlags[0] |= NV;
    return F32_CANONICAL_NAN;
  }
  const r = Math.fround(Math.sqrt(x)); // always normal: sqrt of the binary32 range
  const rem = x - r * r; // exact, as in the quotient
  if (rem === 0) return f32Bits(r);
  fpFlags[0] |= NX;
  if (rm === RNE) return f32Bits(r);
  return directF32(r, rem, rm);
}

/**
 * Error-free transformations: the exact rounding error of one double
 * operation, itself a double. They are what lets the fast paths use the
 * host's round-to-nearest arithmetic and still know the exact result's
 * position relative to it (for flags and the directed modes).
 */

const SPLITTER = 134217729; // 2^27 + 1 (Veltkamp)

/**
 * a + b - s exactly, for s = a + b computed in doubles (Knuth's TwoSum).
 * Exact unless an intermediate overflows (operands near the top of the
 * range); then the result is not finite, which callers test.
 */
export function twoSumErr(a: number, b: number, s: number): number {
  const bb = s - a;
  return (a - (s - bb)) + (b - bb);
}

/**
 * a * b - p exactly, for p = a * b computed in doubles (Dekker's product with
 * Veltkamp splitting). Exact when 2^-969 <= |a|, |b| < 2^995 (the split
 * neither overflows nor loses bits to underflow) and 2^-960 <= |p| < 2^1020
 * (the error is not below the subnormal range, the partial products of the
 * split halves do not overflow).
 */
export function twoProductErr(a: number, b: number, p: number): number {
  let t = SPLITTER * a;
  const ah = t - (t - a), al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b), bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

/** Bounds of the range where twoProductErr is exact (see there). */
export const PRODUCT_MAX_FACTOR = 2 ** 995;
export const PRODUCT_MIN_FACTOR = 2 ** -969;
export const PRODUCT_MIN_RESULT = 2 ** -960;
export const PRODUCT_MAX_RESULT = 2 ** 1020;

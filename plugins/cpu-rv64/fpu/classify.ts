/**
 * FCLASS.S / FCLASS.D: the 10-bit mask with exactly one bit set (bit 0 -inf,
 * 1 negative normal, 2 negative subnormal, 3 -0, 4 +0, 5 positive subnormal,
 * 6 positive normal, 7 +inf, 8 signalling NaN, 9 quiet NaN).
 */

function classOf(neg: boolean, expAllOnes: boolean, expZero: boolean, fracZero: boolean, quiet: boolean): number {
  if (expAllOnes) return fracZero ? (neg ? 1 << 0 : 1 << 7) : quiet ? 1 << 9 : 1 << 8;
  if (expZero) return fracZero ? (neg ? 1 << 3 : 1 << 4) : neg ? 1 << 2 : 1 << 5;
  return neg ? 1 << 1 : 1 << 6;
}

/** FCLASS.S */
export function f32Classify(a: number): number {
  const e = a & 0x7f800000;
  return classOf(a < 0, e === 0x7f800000, e === 0, (a & 0x7fffff) === 0, (a & 0x400000) !== 0);
}

/** FCLASS.D */
export function f64Classify(lo: number, hi: number): number {
  const e = hi & 0x7ff00000;
  return classOf(hi < 0, e === 0x7ff00000, e === 0, ((hi & 0xfffff) | lo) === 0, (hi & 0x80000) !== 0);
}

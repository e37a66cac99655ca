/**
 * Rounding to binary32 from a double plus an exact error term: every single
 * precision result (arithmetic, fused multiply-add, conversions) is first
 * computed as x + e, where x is a double and e the exact error of that
 * double computation (zero when x is exact). Binary32 sits 29 bits inside
 * binary64, so e only ever acts as a sticky bit of known sign.
 */
import { F32_MIN_NORMAL, f32Bits, hiOf, loOf } from './bits.js';
import { roundToF32, unpackF64, unpackedExp, unpackedSig } from './exact-round.js';
import { fpFlags, NX, OF, RDN, RMM, RNE, RTZ, RUP } from './flags.js';

const HALF = 0x10000000; // half a binary32 unit in the low 29 bits of a double's fraction

/**
 * The binary32 bits of x + e rounded by `rm`, with its flags. x is finite;
 * e is zero or the exact error of computing x (|e| <= half a double unit of
 * x, and x is then a normal double).
 */
export function roundF32(x: number, e: number, rm: number): number {
  if (e === 0) {
    const r = Math.fround(x);
    if (r === x) return f32Bits(r);
    if (rm === RNE) {
      const ar = Math.abs(r);
      if (ar > F32_MIN_NORMAL && ar !== Infinity) {
        fpFlags[0] |= NX;
        return f32Bits(r);
      }
    }
  }
  const hi = hiOf(x), lo = loOf(x);
  const e32 = ((hi >>> 20) & 0x7ff) - 896;
  if (e32 < 1 || e32 > 254) return slowF32(x, e, rm);
  const neg = hi < 0;
  const away = e !== 0 && (e > 0) !== neg; // e moves the magnitude up
  let t = (e32 << 23) | ((hi & 0xfffff) << 3) | (lo >>> 29);
  const rem = lo & 0x1fffffff;
  // Where the exact magnitude lies between t and t + 1: 1 below half, 2 at half, 3 above.
  let where: number;
  if (rem === 0) {
    if (e === 0) return (neg ? 0x80000000 : 0) | t;
    if (away) where = 1;
    else {
      t--;
      where = 3;
      if (t < 0x800000) return slowF32(x, e, rm);
    }
  } else if (rem < HALF) where = 1;
  else if (rem > HALF) where = 3;
  else where = e === 0 ? 2 : away ? 3 : 1;
  fpFlags[0] |= NX;
  let inc: boolean;
  switch (rm) {
    case RNE: inc = where === 3 || (where === 2 && (t & 1) === 1); break;
    case RMM: inc = where >= 2; break;
    case RTZ: inc = false; break;
    case RDN: inc = neg; break;
    default: inc = !neg; break;
  }
  if (inc) {
    t++;
    if (t === 0x7f800000) fpFlags[0] |= OF;
  }
  return (neg ? 0x80000000 : 0) | t;
}

/** roundF32 outside the binary32 normal range: exact BigInt rounding. */
function slowF32(x: number, e: number, rm: number): number {
  const neg = x < 0;
  unpackF64(loOf(x), hiOf(x));
  if (e === 0) return roundToF32(neg, unpackedSig, unpackedExp, false, rm);
  if ((e > 0) !== neg) return roundToF32(neg, unpackedSig, unpackedExp, true, rm);
  return roundToF32(neg, 2n * unpackedSig - 1n, unpackedExp - 1, true, rm);
}

/**
 * The directed-rounding correction of a round-to-nearest binary32 result r
 * (normal, finite) whose exact value lies on the `side` of it (sign of
 * exact - r, nonzero) and is never a tie (quotients and square roots): the
 * result moves one step toward the exact value when the mode rounds that way.
 */
export function directF32(r: number, side: number, rm: number): number {
  let bits = f32Bits(r);
  const step = rm === RTZ ? (side > 0) !== (r > 0) : rm === RDN ? side < 0 : rm === RUP ? side > 0 : false;
  if (step) {
    bits = (side > 0) === (r > 0) ? bits + 1 : bits - 1;
    if ((bits & 0x7fffffff) === 0x7f800000) fpFlags[0] |= OF;
  }
  return bits;
}

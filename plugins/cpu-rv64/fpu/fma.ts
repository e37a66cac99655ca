/**
 * Fused multiply-add with a single rounding (FMADD/FMSUB/FNMSUB/FNMADD .S
 * and .D). The variants negate the product and/or the addend before the one
 * rounding, as RISC-V defines them (so FNMADD rounds -(a*b)-c, which under
 * a directed mode is not the negation of a rounded a*b+c).
 *
 * Binary32: a*b is exact in a double, and a*b + c is a double plus its exact
 * TwoSum error. Binary64: a*b + c is the exact sum of five doubles from
 * error-free transformations, reduced to r + g + ge; r is the answer or its
 * neighbour toward g. Outside the ranges where the transformations are
 * exact, the exact BigInt sum rounds.
 */
import { F32_CANONICAL_NAN, f32Bits, f32Value, f64Value, halfUlpAbove, hiOf, isSNaN32, isSNaN64, loOf, stepF64, writeF64, writeF64NaN } from './bits.js';
import { twoProductErr, twoSumErr, PRODUCT_MAX_FACTOR, PRODUCT_MIN_FACTOR, PRODUCT_MIN_RESULT, PRODUCT_MAX_RESULT } from './error-free.js';
import { unpackF64, unpackedExp, unpackedSig } from './exact-round.js';
import { fpFlags, NV, NX, OF, RDN, RMM, RNE, RTZ, RUP } from './flags.js';
import { roundF32 } from './round-f32.js';
import { roundSumF64 } from './round-f64.js';

/**
 * NV for a NaN result of a fused multiply-add: a signalling input, an
 * infinity times zero (even with a quiet NaN addend, as the F chapter
 * requires), or no NaN input at all (inf - inf).
 */
function fmaInvalid(x: number, y: number, z: number, anySNaN: boolean): boolean {
  if (anySNaN) return true;
  if ((x === 0 && (y === Infinity || y === -Infinity)) || (y === 0 && (x === Infinity || x === -Infinity))) return true;
  return x === x && y === y && z === z;
}

/** FMADD.S / FMSUB.S / FNMSUB.S / FNMADD.S, selected by `op` (FMADD..FNMADD). */
export function f32MulAdd(a: number, b: number, c: number, rm: number, op: number): number {
  let x = f32Value(a);
  const y = f32Value(b);
  let z = f32Value(c);
  if (op & 2) x = -x;
  if (op & 1) z = -z;
  const p = x * y; // exact
  const s = p + z;
  if (s - s !== 0) {
    if (s === s) return f32Bits(s);
    if (fmaInvalid(x, y, z, isSNaN32(a) || isSNaN32(b) || isSNaN32(c))) fpFlags[0] |= NV;
    return F32_CANONICAL_NAN;
  }
  const e = twoSumErr(p, z, s);
  if (s === 0 && e === 0 && rm === RDN) return f32Bits(-(-p + -z));
  return roundF32(s, e, rm);
}


/** FMADD.D / FMSUB.D / FNMSUB.D / FNMADD.D, selected by `op`; result in fpOut. */
export function f64MulAdd(alo: number, ahi: number, blo: number, bhi: number, clo: number, chi: number, rm: number, op: number): void {
  if (op & 2) ahi ^= 0x80000000;
  if (op & 1) chi ^= 0x80000000;
  const x = f64Value(alo, ahi), y = f64Value(blo, bhi), z = f64Value(clo, chi);
  if (!(x - x === 0 && y - y === 0 && z - z === 0)) return specialsF64(x, y, z, alo, ahi, blo, bhi, clo, chi);
  const p = x * y;
  if (x === 0 || y === 0) {
    // An exact zero product: the sum is exact too.
    const s = p + z;
    return writeF64(s === 0 && rm === RDN ? -(-p + -z) : s);
  }
  const ax = Math.abs(x), ay = Math.abs(y), ap = Math.abs(p);
  if (ap >= PRODUCT_MIN_RESULT && ap < PRODUCT_MAX_RESULT && Math.abs(z) < PRODUCT_MAX_RESULT && ax >= PRODUCT_MIN_FACTOR && ay >= PRODUCT_MIN_FACTOR && ax < PRODUCT_MAX_FACTOR && ay < PRODUCT_MAX_FACTOR && fastF64(x, y, z, p, rm)) return;
  exactF64(alo, ahi, blo, bhi, clo, chi, rm);
}

/**
 * The error-free route: p + pe = x*y, s + se = p + z, t + te = se + pe,
 * r + re = s + t, g + ge = re + te, so x*y + z = r + g + ge exactly. When
 * |g| is under one spacing of r, the answer is r or its neighbour toward g.
 * Returns false (nothing written) when that bound fails or r leaves the
 * range where it holds.
 */
function fastF64(x: number, y: number, z: number, p: number, rm: number): boolean {
  const pe = twoProductErr(x, y, p);
  const s = p + z;
  const se = twoSumErr(p, z, s);
  const t = se + pe;
  const te = twoSumErr(se, pe, t);
  const r = s + t;
  const re = twoSumErr(s, t, r);
  const g = re + te;
  const ar = Math.abs(r);
  if (ar < PRODUCT_MIN_RESULT || ar === Infinity) return false;
  if (g === 0) {
    writeF64(r);
    return true;
  }
  const ge = twoSumErr(re, te, g);
  const away = (g > 0) === (r > 0);
  // Half the spacing on g's side of r: below a power of two the spacing halves.
  let half = halfUlpAbove(r);
  if (!away && loOf(r) === 0 && (hiOf(r) & 0xfffff) === 0) half /= 2;
  const ag = Math.abs(g);
  if (ag >= 2 * half) return false;
  const cmp = ag < half ? -1 : ag > half ? 1 : ge === 0 ? 0 : (ge > 0) === (g > 0) ? 1 : -1;
  let step: boolean;
  switch (rm) {
    case RNE: step = cmp > 0 || (cmp === 0 && (loOf(r) & 1) === 1); break;
    case RMM: step = cmp > 0 || (cmp === 0 && away); break;
    case RTZ: step = !away; break;
    case RDN: step = g < 0; break;
    case RUP: step = g > 0; break;
    default: step = false; break;
  }
  fpFlags[0] |= NX;
  if (!step) {
    writeF64(r);
    return true;
  }
  const v = stepF64(r, g);
  if (v - v !== 0) fpFlags[0] |= OF;
  writeF64(v);
  return true;
}

/** An infinity or NaN among the operands (already negated per the variant). */
function specialsF64(x: number, y: number, z: number, alo: number, ahi: number, blo: number, bhi: number, clo: number, chi: number): void {
  // With finite factors the product is finite, however large, so an infinite addend decides alone.
  const s = x - x === 0 && y - y === 0 ? z : x * y + z;
  if (s === s) return writeF64(s);
  if (fmaInvalid(x, y, z, isSNaN64(alo, ahi) || isSNaN64(blo, bhi) || isSNaN64(clo, chi))) fpFlags[0] |= NV;
  writeF64NaN();
}

/** The exact BigInt sum: products and sums beyond the fast path's range, and results near the range limits. */
function exactF64(alo: number, ahi: number, blo: number, bhi: number, clo: number, chi: number, rm: number): void {
  unpackF64(alo, ahi);
  const sa = unpackedSig, ea = unpackedExp;
  unpackF64(blo, bhi);
  const prod = sa * unpackedSig, pe = ea + unpackedExp;
  unpackF64(clo, chi);
  const productNeg = (ahi ^ bhi) < 0, addendNeg = chi < 0;
  roundSumF64(productNeg ? -prod : prod, pe, addendNeg ? -unpackedSig : unpackedSig, unpackedExp, rm === RDN, rm);
}

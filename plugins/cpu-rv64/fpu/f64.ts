/**
 * Binary64 arithmetic (unprivileged spec chapter "D"): FADD.D, FSUB.D,
 * FMUL.D, FDIV.D, FSQRT.D on (lo, hi) bit pairs, results in fpOut. The host
 * computes the round-to-nearest-even result; an error-free transformation
 * (TwoSum, Dekker's product) gives the exact residual that decides the
 * flags and the other modes. Outside the ranges where those are exact
 * (overflow, subnormal results, extreme operands) the exact BigInt path
 * rounds.
 */
import { POW2, f64Value, isNaN64, isSNaN64, writeF64, writeF64NaN } from './bits.js';
import { twoProductErr, twoSumErr, PRODUCT_MAX_FACTOR, PRODUCT_MIN_FACTOR, PRODUCT_MIN_RESULT, PRODUCT_MAX_RESULT } from './error-free.js';
import { bitLength, roundToF64, unpackF64, unpackedExp, unpackedSig } from './exact-round.js';
import { fpFlags, DZ, NV, NX, RDN, RMM, RNE } from './flags.js';
import { directedF64, roundSumF64 } from './round-f64.js';

/** Canonical NaN for a NaN result: NV when an input is signalling or no input was a NaN. */
function nanResult2(alo: number, ahi: number, blo: number, bhi: number): void {
  if (isSNaN64(alo, ahi) || isSNaN64(blo, bhi) || (!isNaN64(alo, ahi) && !isNaN64(blo, bhi))) fpFlags[0] |= NV;
  writeF64NaN();
}

/** FADD.D */
export function f64Add(alo: number, ahi: number, blo: number, bhi: number, rm: number): void {
  const x = f64Value(alo, ahi), y = f64Value(blo, bhi);
  const s = x + y;
  if (s - s === 0) {
    const e = twoSumErr(x, y, s);
    if (e === 0) {
      // An exact zero sum of operands of different signs is -0 when rounding down (IEEE 754 6.3).
      writeF64(s === 0 && rm === RDN ? -(-x + -y) : s);
      return;
    }
    if (e - e === 0) {
      fpFlags[0] |= NX;
      writeF64(rm === RNE ? s : directedF64(s, e, rm));
      return;
    }
  } else {
    if (s !== s) return nanResult2(alo, ahi, blo, bhi);
    if (x - x !== 0 || y - y !== 0) return writeF64(s);
  }
  // Overflow, or TwoSum overflowing near the top of the range: the exact sum decides.
  unpackF64(alo, ahi);
  const na = ahi < 0 ? -unpackedSig : unpackedSig, ea = unpackedExp;
  unpackF64(blo, bhi);
  roundSumF64(na, ea, bhi < 0 ? -unpackedSig : unpackedSig, unpackedExp, false, rm);
}

/** FSUB.D */
export function f64Sub(alo: number, ahi: number, blo: number, bhi: number, rm: number): void {
  f64Add(alo, ahi, blo, bhi ^ 0x80000000, rm);
}

/** FMUL.D */
export function f64Mul(alo: number, ahi: number, blo: number, bhi: number, rm: number): void {
  const x = f64Value(alo, ahi), y = f64Value(blo, bhi);
  const p = x * y;
  const ap = Math.abs(p), ax = Math.abs(x), ay = Math.abs(y);
  if (ap >= PRODUCT_MIN_RESULT && ap < PRODUCT_MAX_RESULT && ax < PRODUCT_MAX_FACTOR && ay < PRODUCT_MAX_FACTOR && ax >= PRODUCT_MIN_FACTOR && ay >= PRODUCT_MIN_FACTOR) {
    const e = twoProductErr(x, y, p);
    if (e === 0) return writeF64(p);
    fpFlags[0] |= NX;
    writeF64(rm === RNE ? p : directedF64(p, e, rm));
    return;
  }
  if (p !== p) return nanResult2(alo, ahi, blo, bhi);
  if (x - x !== 0 || y - y !== 0 || x === 0 || y === 0) return writeF64(p); // exact infinity or zero
  unpackF64(alo, ahi);
  const sa = unpackedSig, ea = unpackedExp;
  unpackF64(blo, bhi);
  roundToF64((ahi ^ bhi) < 0, sa * unpackedSig, ea + unpackedExp, false, rm);
}

/** FDIV.D */
export function f64Div(alo: number, ahi: number, blo: number, bhi: number, rm: number): void {
  const x = f64Value(alo, ahi), y = f64Value(blo, bhi);
  const q = x / y;
  const aq = Math.abs(q), ay = Math.abs(y);
  if (aq >= PRODUCT_MIN_RESULT && aq < PRODUCT_MAX_FACTOR && ay < PRODUCT_MAX_FACTOR && ay >= PRODUCT_MIN_FACTOR && Math.abs(x) >= PRODUCT_MIN_RESULT && Math.abs(x) < PRODUCT_MAX_RESULT) {
    const p = q * y;
    const rem = (x - p) - twoProductErr(q, y, p); // x - p is exact (Sterbenz); the sign of rem is the residual's
    if (rem === 0) return writeF64(q);
    fpFlags[0] |= NX;
    // A quotient of two 53-bit values is never a tie, so RMM rounds as RNE.
    writeF64(rm === RNE || rm === RMM ? q : directedF64(q, (rem > 0) === (y > 0) ? 1 : -1, rm));
    return;
  }
  if (q !== q) return nanResult2(alo, ahi, blo, bhi);
  if (y === 0) {
    if (x - x === 0) fpFlags[0] |= DZ;
    return writeF64(q);
  }
  if (x - x !== 0 || y - y !== 0 || x === 0) return writeF64(q); // exact infinity or zero
  unpackF64(alo, ahi);
  const sa = unpackedSig, ea = unpackedExp;
  unpackF64(blo, bhi);
  const sb = unpackedSig;
  // At least 55 quotient bits, the remainder as the sticky bit.
  const k = 56 + bitLength(sb) - bitLength(sa);
  const num = sa << BigInt(k);
  const quo = num / sb;
  roundToF64((ahi ^ bhi) < 0, quo, ea - unpackedExp - k, quo * sb !== num, rm);
}

const SQRT_LOW = 2 ** -900;
const SQRT_HIGH = 2 ** 900;

/** FSQRT.D */
export function f64Sqrt(alo: number, ahi: number, rm: number): void {
  const x = f64Value(alo, ahi);
  if (x !== x) {
    if (isSNaN64(alo, ahi)) fpFlags[0] |= NV;
    return writeF64NaN();
  }
  if (x === 0 || x === Infinity) return writeF64(x); // sqrt(-0) = -0
  if (x < 0) {
    fpFlags[0] |= NV;
    return writeF64NaN();
  }
  // Scale by an even power of two into the range where r*r's error is exact; the root scales back exactly.
  let v = x, scale = 1;
  if (x < SQRT_LOW) {
    v = x * POW2[1100 + 1000]!;
    scale = POW2[1100 - 500]!;
  } else if (x > SQRT_HIGH) {
    v = x * POW2[1100 - 200]!;
    scale = POW2[1100 + 100]!;
  }
  const r = Math.sqrt(v);
  const p = r * r;
  const rem = (v - p) - twoProductErr(r, r, p);
  if (rem === 0) return writeF64(r * scale);
  fpFlags[0] |= NX;
  // A square root is never a tie, so RMM rounds as RNE.
  writeF64((rm === RNE || rm === RMM ? r : directedF64(r, rem, rm)) * scale);
}

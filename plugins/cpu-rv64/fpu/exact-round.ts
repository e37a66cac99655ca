/**
 * The exact slow path: a value (-1)^neg x (sig + sticky) x 2^exp, where sig
 * is a BigInt and `sticky` says a nonzero amount below one unit of sig is
 * also present, rounded to binary32 or binary64 as IEEE 754-2019 and the
 * RISC-V F/D chapters specify: overflow judged on the result rounded with
 * unbounded exponent, tininess detected after rounding, UF only when the
 * result is tiny and inexact. Every operation's hard cases (directed
 * rounding near the range limits, subnormal results, overflow, fused
 * multiply-add) end here.
 *
 * Callers guarantee that when `sticky` is set, sig has at least p + 2 bits,
 * so the rounding position is always two or more bits above the sticky one.
 */
import { fpFlags, fpOut, NX, OF, RDN, RMM, RNE, RTZ, RUP, UF } from './flags.js';

const TWO32 = 4294967296;

/** Bit length of a positive BigInt. */
export function bitLength(x: bigint): number {
  let n = 0;
  while (x >= 0x100000000n) {
    x >>= 32n;
    n += 32;
  }
  return n + 32 - Math.clz32(Number(x));
}

let inexact = false;

/** sig / 2^shift rounded to an integer by `rm`; sets `inexact`. */
function shiftRound(sig: bigint, shift: number, sticky: boolean, neg: boolean, rm: number): bigint {
  let q: bigint;
  let cmp: number; // remainder against half a unit: -1 below, 0 equal, 1 above
  if (shift <= 0) {
    q = sig << BigInt(-shift);
    inexact = sticky;
    cmp = -1;
  } else {
    const s = BigInt(shift);
    q = sig >> s;
    const r = sig - (q << s);
    const half = 1n << (s - 1n);
    inexact = sticky || r !== 0n;
    cmp = r > half ? 1 : r < half ? -1 : sticky ? 1 : 0;
  }
  if (!inexact) return q;
  let inc: boolean;
  switch (rm) {
    case RNE: inc = cmp > 0 || (cmp === 0 && (q & 1n) === 1n); break;
    case RMM: inc = cmp >= 0; break;
    case RTZ: inc = false; break;
    case RDN: inc = neg; break;
    default: inc = !neg; break;
  }
  return inc ? q + 1n : q;
}

let outE = 0; // biased exponent field of the last rounded result
let outM = 0; // fraction field of the last rounded result

function roundExact(neg: boolean, sig: bigint, exp: number, sticky: boolean, rm: number, p: number, emax: number): void {
  if (sig === 0n) {
    outE = 0;
    outM = 0;
    return;
  }
  const emin = 1 - emax;
  const hidden = 1n << BigInt(p - 1);
  const n = bitLength(sig);
  const eTop = exp + n - 1;
  if (eTop >= emin) {
    let q = shiftRound(sig, n - p, sticky, neg, rm);
    let e = eTop;
    if (q === hidden << 1n) {
      q = hidden;
      e++;
    }
    if (inexact) fpFlags[0] |= NX;
    if (e > emax) {
      fpFlags[0] |= OF | NX;
      const toInf = rm === RUP ? !neg : rm === RDN ? neg : rm !== RTZ;
      outE = toInf ? 2 * emax + 1 : 2 * emax;
      outM = toInf ? 0 : Number(hidden) - 1;
      return;
    }
    outE = e + emax;
    outM = Number(q - hidden);
    return;
  }
  // Below 2^emin: tiny unless rounding to p bits with unbounded exponent carries up to 2^emin.
  const unbounded = shiftRound(sig, n - p, sticky, neg, rm);
  const tiny = !(eTop === emin - 1 && unbounded === hidden << 1n);
  const q = shiftRound(sig, emin - p + 1 - exp, sticky, neg, rm);
  if (inexact) fpFlags[0] |= tiny ? NX | UF : NX;
  if (q >= hidden) {
    outE = 1;
    outM = Number(q - hidden);
  } else {
    outE = 0;
    outM = Number(q);
  }
}

/** Rounds (-1)^neg x (sig + sticky) x 2^exp to binary32 bits. */
export function roundToF32(neg: boolean, sig: bigint, exp: number, sticky: boolean, rm: number): number {
  roundExact(neg, sig, exp, sticky, rm, 24, 127);
  return (neg ? 0x80000000 : 0) | (outE << 23) | outM;
}

/** Rounds (-1)^neg x (sig + sticky) x 2^exp to binary64, written to fpOut. */
export function roundToF64(neg: boolean, sig: bigint, exp: number, sticky: boolean, rm: number): void {
  roundExact(neg, sig, exp, sticky, rm, 53, 1023);
  const mHi = Math.floor(outM / TWO32);
  fpOut[0] = (outM - mHi * TWO32) | 0;
  fpOut[1] = (neg ? 0x80000000 : 0) | (outE << 20) | mHi;
}

/** Significand of the last `unpackF64`: |value| = sig x 2^exp. */
export let unpackedSig = 0n;
/** Exponent of the last `unpackF64`. */
export let unpackedExp = 0;

/** Splits finite binary64 bits into an integer significand and an exponent. */
export function unpackF64(lo: number, hi: number): void {
  const e = (hi >>> 20) & 0x7ff;
  const m = (hi & 0xfffff) * TWO32 + (lo >>> 0);
  if (e === 0) {
    unpackedSig = BigInt(m);
    unpackedExp = -1074;
  } else {
    unpackedSig = BigInt(m + 4503599627370496);
    unpackedExp = e - 1075;
  }
}

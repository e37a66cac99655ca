/**
 * An independent exact model of RISC-V F/D arithmetic for the tests: values
 * are decoded to exact rationals (BigInt numerator / denominator), every
 * operation is computed exactly, and one straightforward routine rounds a
 * rational to a format (IEEE 754-2019 with RISC-V's choices: tininess after
 * rounding, canonical NaNs, saturating conversions). It shares nothing with
 * plugins/cpu-rv64/fpu: it works on BigInt bit patterns and is written for
 * obviousness, not speed.
 */

export interface Fmt { name: 'f32' | 'f64'; p: number; ebits: number; width: number }
export const F32: Fmt = { name: 'f32', p: 24, ebits: 8, width: 32 };
export const F64: Fmt = { name: 'f64', p: 53, ebits: 11, width: 64 };

export const NX = 1, UF = 2, OF = 4, DZ = 8, NV = 16;
export const RNE = 0, RTZ = 1, RDN = 2, RUP = 3, RMM = 4;

/** A result: the bits (a float's, or a 64-bit integer register value) and the flags raised. */
export interface Res { bits: bigint; flags: number }

const bias = (f: Fmt) => (1 << (f.ebits - 1)) - 1;
const emin = (f: Fmt) => 1 - bias(f);
const emax = (f: Fmt) => bias(f);
const fracBits = (f: Fmt) => BigInt(f.p - 1);
const expMask = (f: Fmt) => (1n << BigInt(f.ebits)) - 1n;
const signBit = (f: Fmt) => 1n << BigInt(f.width - 1);

export const canonicalNaN = (f: Fmt) => (expMask(f) << fracBits(f)) | (1n << (fracBits(f) - 1n));
const infBits = (f: Fmt, neg: boolean) => (neg ? signBit(f) : 0n) | (expMask(f) << fracBits(f));
const zeroBits = (f: Fmt, neg: boolean) => (neg ? signBit(f) : 0n);
const maxFinite = (f: Fmt, neg: boolean) => (neg ? signBit(f) : 0n) | ((expMask(f) - 1n) << fracBits(f)) | ((1n << fracBits(f)) - 1n);

/** A decoded value. Finite nonzero values are (-1)^neg * num / den with den a power of two. */
export type Val =
  | { kind: 'nan'; neg: boolean; signalling: boolean }
  | { kind: 'inf'; neg: boolean }
  | { kind: 'zero'; neg: boolean }
  | { kind: 'num'; neg: boolean; num: bigint; den: bigint; subnormal: boolean };

export function decode(f: Fmt, bits: bigint): Val {
  const neg = (bits & signBit(f)) !== 0n;
  const e = (bits >> fracBits(f)) & expMask(f);
  const m = bits & ((1n << fracBits(f)) - 1n);
  if (e === expMask(f)) {
    if (m === 0n) return { kind: 'inf', neg };
    return { kind: 'nan', neg, signalling: (m >> (fracBits(f) - 1n)) === 0n };
  }
  if (e === 0n && m === 0n) return { kind: 'zero', neg };
  const sig = e === 0n ? m : m | (1n << fracBits(f));
  const exp = (e === 0n ? 1 : Number(e)) - bias(f) - (f.p - 1);
  return exp >= 0
    ? { kind: 'num', neg, num: sig << BigInt(exp), den: 1n, subnormal: e === 0n }
    : { kind: 'num', neg, num: sig, den: 1n << BigInt(-exp), subnormal: e === 0n };
}

const bitlen = (x: bigint) => (x === 0n ? 0 : x.toString(2).length);

/** q rounded to an integer from its floor and how the remainder compares with one half. */
function roundInt(q: bigint, twiceRem: bigint, den: bigint, neg: boolean, rm: number): bigint {
  if (twiceRem === 0n) return q;
  switch (rm) {
    case RNE: return twiceRem > den || (twiceRem === den && (q & 1n) === 1n) ? q + 1n : q;
    case RMM: return twiceRem >= den ? q + 1n : q;
    case RTZ: return q;
    case RDN: return neg ? q + 1n : q;
    case RUP: return neg ? q : q + 1n;
  }
  throw new Error(`bad rounding mode ${rm}`);
}

/** (num / den) / 2^lsb rounded to an integer by rm; inexact when the division leaves a remainder. */
function roundAt(num: bigint, den: bigint, lsb: number, neg: boolean, rm: number): { q: bigint; inexact: boolean } {
  const n = lsb < 0 ? num << BigInt(-lsb) : num;
  const d = lsb > 0 ? den << BigInt(lsb) : den;
  const q = n / d, r = n % d;
  return { q: roundInt(q, 2n * r, d, neg, rm), inexact: r !== 0n };
}

/** Rounds the exact nonzero value (-1)^neg * num / den to format f. */
export function roundRational(f: Fmt, neg: boolean, num: bigint, den: bigint, rm: number): Res {
  // e with 2^e <= num/den < 2^(e+1)
  let e = bitlen(num) - bitlen(den);
  const ge = (x: number) => (x >= 0 ? num >= den << BigInt(x) : num << BigInt(-x) >= den);
  while (!ge(e)) e--;
  while (ge(e + 1)) e++;
  const p = f.p;
  const unb = roundAt(num, den, e - p + 1, neg, rm);
  let eRounded = e;
  if (unb.q === 1n << BigInt(p)) eRounded++;
  const tiny = eRounded < emin(f);
  const sign = neg ? signBit(f) : 0n;
  if (e >= emin(f)) {
    if (eRounded > emax(f)) {
      const toInf = rm === RNE || rm === RMM || (rm === RUP && !neg) || (rm === RDN && neg);
      return { bits: toInf ? infBits(f, neg) : maxFinite(f, neg), flags: OF | NX };
    }
    const sig = unb.q === 1n << BigInt(p) ? unb.q >> 1n : unb.q;
    const bits = sign | (BigInt(eRounded + bias(f)) << fracBits(f)) | (sig - (1n << fracBits(f)));
    return { bits, flags: unb.inexact ? NX : 0 };
  }
  const sub = roundAt(num, den, emin(f) - p + 1, neg, rm);
  // sub.q <= 2^(p-1); equal to it is the smallest normal, whose encoding follows on directly.
  const flags = sub.inexact ? (tiny ? NX | UF : NX) : 0;
  return { bits: sign | sub.q, flags };
}

const nanRes = (f: Fmt, nv: boolean): Res => ({ bits: canonicalNaN(f), flags: nv ? NV : 0 });
const isSig = (v: Val) => v.kind === 'nan' && v.signalling;

/** Exact sum of two values given as signed rationals; the zero rule of IEEE 754 6.3. */
function exactSum(f: Fmt, an: boolean, anum: bigint, aden: bigint, bn: boolean, bnum: bigint, bden: bigint, zeroSign: boolean, rm: number): Res {
  const den = aden > bden ? aden : bden;
  const s = (an ? -1n : 1n) * anum * (den / aden) + (bn ? -1n : 1n) * bnum * (den / bden);
  if (s === 0n) return { bits: zeroBits(f, zeroSign), flags: 0 };
  return roundRational(f, s < 0n, s < 0n ? -s : s, den, rm);
}

type Num = { neg: boolean; num: bigint; den: bigint };
const asNum = (v: Val): Num => (v.kind === 'num' ? v : { neg: v.neg, num: 0n, den: 1n });

export function add(f: Fmt, a: bigint, b: bigint, rm: number): Res {
  const x = decode(f, a), y = decode(f, b);
  if (x.kind === 'nan' || y.kind === 'nan') return nanRes(f, isSig(x) || isSig(y));
  if (x.kind === 'inf' && y.kind === 'inf') return x.neg === y.neg ? { bits: infBits(f, x.neg), flags: 0 } : nanRes(f, true);
  if (x.kind === 'inf' || y.kind === 'inf') return { bits: infBits(f, x.kind === 'inf' ? x.neg : y.neg), flags: 0 };
  const zeroSign = x.kind === 'zero' && y.kind === 'zero' && x.neg === y.neg ? x.neg : rm === RDN;
  const p = asNum(x), q = asNum(y);
  return exactSum(f, p.neg, p.num, p.den, q.neg, q.num, q.den, zeroSign, rm);
}

export function sub(f: Fmt, a: bigint, b: bigint, rm: number): Res {
  return add(f, a, b ^ signBit(f), rm);
}

export function mul(f: Fmt, a: bigint, b: bigint, rm: number): Res {
  const x = decode(f, a), y = decode(f, b);
  if (x.kind === 'nan' || y.kind === 'nan') return nanRes(f, isSig(x) || isSig(y));
  const neg = x.neg !== y.neg;
  if ((x.kind === 'inf' && y.kind === 'zero') || (x.kind === 'zero' && y.kind === 'inf')) return nanRes(f, true);
  if (x.kind === 'inf' || y.kind === 'inf') return { bits: infBits(f, neg), flags: 0 };
  if (x.kind === 'zero' || y.kind === 'zero') return { bits: zeroBits(f, neg), flags: 0 };
  return roundRational(f, neg, x.num * y.num, x.den * y.den, rm);
}

export function div(f: Fmt, a: bigint, b: bigint, rm: number): Res {
  const x = decode(f, a), y = decode(f, b);
  if (x.kind === 'nan' || y.kind === 'nan') return nanRes(f, isSig(x) || isSig(y));
  const neg = x.neg !== y.neg;
  if ((x.kind === 'zero' && y.kind === 'zero') || (x.kind === 'inf' && y.kind === 'inf')) return nanRes(f, true);
  if (x.kind === 'inf') return { bits: infBits(f, neg), flags: 0 };
  if (y.kind === 'zero') return { bits: infBits(f, neg), flags: DZ };
  if (y.kind === 'inf' || x.kind === 'zero') return { bits: zeroBits(f, neg), flags: 0 };
  return roundRational(f, neg, x.num * y.den, x.den * y.num, rm);
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(bitlen(n) / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

export function sqrt(f: Fmt, a: bigint, rm: number): Res {
  const x = decode(f, a);
  if (x.kind === 'nan') return nanRes(f, isSig(x));
  if (x.kind === 'zero') return { bits: a, flags: 0 };
  if (x.neg) return nanRes(f, true);
  if (x.kind === 'inf') return { bits: a, flags: 0 };
  // x = num / 2^k; with 2t extra bits, s = floor(sqrt(num * 2^(2t) * 2^(k odd))) has far more than p + 2 bits.
  let num = x.num, k = bitlen(x.den) - 1;
  if (k % 2 === 1) { num <<= 1n; k++; }
  const t = 2 * f.p + 8;
  const n = num << BigInt(2 * t);
  const s = isqrt(n);
  const exactRoot = s * s === n;
  // A root strictly between s and s + 1 rounds as s + 1/2 does, the rounding point being many bits higher.
  return exactRoot
    ? roundRational(f, false, s, 1n << BigInt(k / 2 + t), rm)
    : roundRational(f, false, 2n * s + 1n, 1n << BigInt(k / 2 + t + 1), rm);
}

/** op: bit 0 negates the addend, bit 1 the product (FMADD, FMSUB, FNMSUB, FNMADD = 0..3). */
export function fma(f: Fmt, a: bigint, b: bigint, c: bigint, rm: number, op: number): Res {
  if (op & 2) a ^= signBit(f);
  if (op & 1) c ^= signBit(f);
  const x = decode(f, a), y = decode(f, b), z = decode(f, c);
  const infZero = (x.kind === 'inf' && y.kind === 'zero') || (x.kind === 'zero' && y.kind === 'inf');
  if (x.kind === 'nan' || y.kind === 'nan' || z.kind === 'nan') return nanRes(f, isSig(x) || isSig(y) || isSig(z) || infZero);
  if (infZero) return nanRes(f, true);
  const pneg = x.neg !== y.neg;
  const pinf = x.kind === 'inf' || y.kind === 'inf';
  if (pinf && z.kind === 'inf') return pneg === z.neg ? { bits: infBits(f, pneg), flags: 0 } : nanRes(f, true);
  if (pinf) return { bits: infBits(f, pneg), flags: 0 };
  if (z.kind === 'inf') return { bits: infBits(f, z.neg), flags: 0 };
  const pzero = x.kind === 'zero' || y.kind === 'zero';
  const zeroSign = pzero && z.kind === 'zero' && pneg === z.neg ? pneg : rm === RDN;
  const pn = pzero ? 0n : (x as Num).num * (y as Num).num, pd = pzero ? 1n : (x as Num).den * (y as Num).den;
  const q = asNum(z);
  return exactSum(f, pneg, pn, pd, q.neg, q.num, q.den, zeroSign, rm);
}

/** Signed comparison of two non-NaN values: -1, 0, 1 (zeros equal). */
function cmp(x: Val, y: Val): number {
  const key = (v: Val): [number, bigint, bigint] => {
    if (v.kind === 'inf') return [v.neg ? -1 : 1, 1n, 0n];
    if (v.kind === 'zero') return [0, 0n, 1n];
    const n = v as Num;
    return [n.neg ? -1 : 1, n.num, n.den];
  };
  const [sa, na, da] = key(x), [sb, nb, db] = key(y);
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (sa === 0) return 0;
  const infA = x.kind === 'inf', infB = y.kind === 'inf';
  let c: number;
  if (infA || infB) c = infA && infB ? 0 : infA ? 1 : -1;
  else c = na * db < nb * da ? -1 : na * db > nb * da ? 1 : 0;
  return sa * c;
}

export function eq(f: Fmt, a: bigint, b: bigint): Res {
  const x = decode(f, a), y = decode(f, b);
  if (x.kind === 'nan' || y.kind === 'nan') return { bits: 0n, flags: isSig(x) || isSig(y) ? NV : 0 };
  return { bits: cmp(x, y) === 0 ? 1n : 0n, flags: 0 };
}

export function lt(f: Fmt, a: bigint, b: bigint): Res {
  const x = decode(f, a), y = decode(f, b);
  if (x.kind === 'nan' || y.kind === 'nan') return { bits: 0n, flags: NV };
  return { bits: cmp(x, y) < 0 ? 1n : 0n, flags: 0 };
}

export function le(f: Fmt, a: bigint, b: bigint): Res {
  const x = decode(f, a), y = decode(f, b);
  if (x.kind === 'nan' || y.kind === 'nan') return { bits: 0n, flags: NV };
  return { bits: cmp(x, y) <= 0 ? 1n : 0n, flags: 0 };
}

function minmax(f: Fmt, a: bigint, b: bigint, wantMax: boolean): Res {
  const x = decode(f, a), y = decode(f, b);
  const flags = isSig(x) || isSig(y) ? NV : 0;
  if (x.kind === 'nan' && y.kind === 'nan') return { bits: canonicalNaN(f), flags };
  if (x.kind === 'nan') return { bits: b, flags };
  if (y.kind === 'nan') return { bits: a, flags };
  let c = cmp(x, y);
  if (c === 0 && x.kind === 'zero' && y.kind === 'zero' && x.neg !== y.neg) c = x.neg ? -1 : 1; // -0 < +0
  const pickA = wantMax ? c >= 0 : c <= 0;
  return { bits: pickA ? a : b, flags };
}
export const min = (f: Fmt, a: bigint, b: bigint) => minmax(f, a, b, false);
export const max = (f: Fmt, a: bigint, b: bigint) => minmax(f, a, b, true);

export function classify(f: Fmt, a: bigint): Res {
  const v = decode(f, a);
  const bit = v.kind === 'nan' ? (v.signalling ? 8 : 9)
    : v.kind === 'inf' ? (v.neg ? 0 : 7)
    : v.kind === 'zero' ? (v.neg ? 3 : 4)
    : v.subnormal ? (v.neg ? 2 : 5) : (v.neg ? 1 : 6);
  return { bits: 1n << BigInt(bit), flags: 0 };
}

/** An integer format for conversions. */
export interface IntFmt { name: string; bits: 32 | 64; signed: boolean }
export const W: IntFmt = { name: 'w', bits: 32, signed: true };
export const WU: IntFmt = { name: 'wu', bits: 32, signed: false };
export const L: IntFmt = { name: 'l', bits: 64, signed: true };
export const LU: IntFmt = { name: 'lu', bits: 64, signed: false };

const M64 = (1n << 64n) - 1n;
/** The 64-bit register value of an integer result (32-bit results sign-extended). */
function regValue(t: IntFmt, v: bigint): bigint {
  return BigInt.asUintN(64, t.bits === 32 ? BigInt.asIntN(32, v) : v) & M64;
}

export function toInt(f: Fmt, t: IntFmt, a: bigint, rm: number): Res {
  const lo = t.signed ? -(1n << BigInt(t.bits - 1)) : 0n;
  const hi = t.signed ? (1n << BigInt(t.bits - 1)) - 1n : (1n << BigInt(t.bits)) - 1n;
  const v = decode(f, a);
  if (v.kind === 'nan') return { bits: regValue(t, hi), flags: NV };
  if (v.kind === 'inf') return { bits: regValue(t, v.neg ? lo : hi), flags: NV };
  if (v.kind === 'zero') return { bits: 0n, flags: 0 };
  const r = roundAt(v.num, v.den, 0, v.neg, rm);
  const n = v.neg ? -r.q : r.q;
  if (n < lo) return { bits: regValue(t, lo), flags: NV };
  if (n > hi) return { bits: regValue(t, hi), flags: NV };
  return { bits: regValue(t, n), flags: r.inexact ? NX : 0 };
}

/** The integer in the low `t.bits` of a register value, per the source's signedness, to format f. */
export function fromInt(f: Fmt, t: IntFmt, reg: bigint, rm: number): Res {
  const n = t.signed ? BigInt.asIntN(t.bits, reg) : BigInt.asUintN(t.bits, reg);
  if (n === 0n) return { bits: 0n, flags: 0 };
  return roundRational(f, n < 0n, n < 0n ? -n : n, 1n, rm);
}

/** FCVT between the formats. */
export function convert(from: Fmt, to: Fmt, a: bigint, rm: number): Res {
  const v = decode(from, a);
  if (v.kind === 'nan') return nanRes(to, v.signalling);
  if (v.kind === 'inf') return { bits: infBits(to, v.neg), flags: 0 };
  if (v.kind === 'zero') return { bits: zeroBits(to, v.neg), flags: 0 };
  return roundRational(to, v.neg, v.num, v.den, rm);
}

/**
 * fast-check generators of operands, biased toward where floating point goes
 * wrong: exponent extremes (subnormals, the smallest normal, overflow),
 * significands at and next to the halfway point, operand pairs whose sum
 * cancels or lands on a tie, fused multiply-add addends that cancel the
 * product or sit half a unit from it, and integers at the conversion bounds.
 */
import fc from 'fast-check';
import type { Fmt } from './reference.js';
import type { Op } from './subject.js';

const view = new DataView(new ArrayBuffer(8));
/** The JS number of a float's bits. */
export function valueOf(f: Fmt, bits: bigint): number {
  if (f.width === 32) {
    view.setUint32(0, Number(bits));
    return view.getFloat32(0);
  }
  view.setBigUint64(0, bits);
  return view.getFloat64(0);
}
/** The bits of a JS number (NaN canonical), rounded to nearest for binary32. */
export function bitsOf(f: Fmt, v: number): bigint {
  if (f.width === 32) {
    view.setFloat32(0, v);
    return BigInt(view.getUint32(0));
  }
  view.setFloat64(0, v);
  return view.getBigUint64(0);
}

const frac = (f: Fmt) => BigInt(f.p - 1);
const bias = (f: Fmt) => (1 << (f.ebits - 1)) - 1;
const maxExpField = (f: Fmt) => (1 << f.ebits) - 1;

function assemble(f: Fmt, neg: boolean, e: number, m: bigint): bigint {
  return (neg ? 1n << BigInt(f.width - 1) : 0n) | (BigInt(e) << frac(f)) | (m & ((1n << frac(f)) - 1n));
}

function specials(f: Fmt): bigint[] {
  const F = frac(f), E = BigInt(maxExpField(f));
  const s = 1n << BigInt(f.width - 1);
  const list = [
    0n, E << F, (E << F) | (1n << (F - 1n)), (E << F) | (1n << (F - 1n)) | 1n, (E << F) | 1n, (E << F) | ((1n << (F - 1n)) - 1n),
    1n, (1n << F) - 1n, 1n << F, ((E - 1n) << F) | ((1n << F) - 1n), BigInt(bias(f)) << F, (BigInt(bias(f)) << F) | (1n << (F - 1n)),
    BigInt(bias(f) + 1) << F,
  ];
  return [...list, ...list.map((b) => b | s)];
}

function mantissa(f: Fmt): fc.Arbitrary<bigint> {
  const F = frac(f), all = (1n << F) - 1n, half = 1n << (F - 1n);
  return fc.oneof(
    fc.constantFrom(0n, 1n, all, half, half - 1n, half + 1n, all - 1n),
    fc.bigInt({ min: 0n, max: all }),
    // short significands: exact products and sums are common
    fc.tuple(fc.bigInt({ min: 0n, max: all }), fc.integer({ min: 1, max: f.p - 1 })).map(([m, k]) => (m >> BigInt(k)) << BigInt(k)),
    // a random head, then a halfway-like tail 100...0 or 011...1
    fc.tuple(fc.bigInt({ min: 0n, max: all }), fc.integer({ min: 1, max: f.p - 2 }), fc.boolean()).map(([m, k, up]) => {
      const K = BigInt(k);
      const head = (m >> K) << K;
      return up ? head | (1n << (K - 1n)) : head | ((1n << (K - 1n)) - 1n);
    }),
  );
}

function exponent(f: Fmt): fc.Arbitrary<number> {
  const b = bias(f), top = maxExpField(f) - 1;
  return fc.oneof(
    fc.constantFrom(0, 1, 2, b - 1, b, b + 1, top - 1, top),
    fc.integer({ min: 0, max: top }),
    fc.integer({ min: 0, max: f.p + 2 }),
    fc.integer({ min: top - f.p - 2, max: top }),
    fc.integer({ min: b - f.p - 2, max: b + f.p + 2 }),
  );
}

/** Finite values of structured shape. */
export function structured(f: Fmt): fc.Arbitrary<bigint> {
  return fc.tuple(fc.boolean(), exponent(f), mantissa(f)).map(([s, e, m]) => assemble(f, s, e, m));
}

/** Any float bits, biased to edges. */
export function floatBits(f: Fmt): fc.Arbitrary<bigint> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...specials(f)), weight: 2 },
    { arbitrary: fc.bigInt({ min: 0n, max: (1n << BigInt(f.width)) - 1n }), weight: 2 },
    { arbitrary: structured(f), weight: 6 },
  );
}

/** Values around the integer conversion bounds and the halves between integers. */
function nearIntegers(f: Fmt): fc.Arbitrary<bigint> {
  const anchors = [0, 1, 2, 3, 2 ** 24, 2 ** 31, 2 ** 32, 2 ** 52, 2 ** 53, 2 ** 63, 2 ** 64, 2147483647, 4294967295];
  return fc.tuple(fc.constantFrom(...anchors), fc.constantFrom(0, 0.25, 0.5, 0.75, 1, 1.5, 2.5, -0.5, -1, -1.5, 128, 256, 1024, -1024), fc.boolean(), fc.integer({ min: -3, max: 3 }))
    .map(([a, d, neg, k]) => {
      const v = (neg ? -1 : 1) * (a + d);
      const bits = bitsOf(f, v);
      const stepped = bits + BigInt(k);
      return stepped < 0n ? bits : stepped & ((1n << BigInt(f.width)) - 1n);
    });
}

/** 64-bit integer register values for int-to-float conversions. */
export function intBits(): fc.Arbitrary<bigint> {
  const M = (1n << 64n) - 1n;
  return fc.oneof(
    fc.integer({ min: -100000, max: 100000 }).map((v) => BigInt.asUintN(64, BigInt(v))),
    fc.bigInt({ min: 0n, max: M }),
    fc.tuple(fc.integer({ min: 0, max: 63 }), fc.integer({ min: -5, max: 5 }), fc.boolean()).map(([k, d, neg]) => BigInt.asUintN(64, (neg ? -1n : 1n) * ((1n << BigInt(k)) + BigInt(d)))),
    // a random head and a halfway tail below 24 or 53 significant bits
    fc.tuple(fc.bigInt({ min: 0n, max: M }), fc.integer({ min: 1, max: 40 }), fc.boolean()).map(([v, k, up]) => {
      const K = BigInt(k);
      const head = (v >> K) << K;
      return up ? head | (1n << (K - 1n)) : head | ((1n << (K - 1n)) - 1n);
    }),
    fc.integer().map((v) => BigInt.asUintN(64, BigInt(v))),
  );
}

/** A second operand whose exponent is near the first's, so sums cancel, carry and tie. */
function related(f: Fmt): fc.Arbitrary<[bigint, bigint]> {
  return fc.tuple(structured(f), fc.integer({ min: -(f.p + 3), max: f.p + 3 }), fc.boolean(), mantissa(f)).map(([a, d, s, m]) => {
    const e = Number((a >> frac(f)) & BigInt(maxExpField(f)));
    const e2 = Math.min(Math.max(e + d, 0), maxExpField(f) - 1);
    return [a, assemble(f, s, e2, m)];
  });
}

/** fma triples: random, an addend cancelling the product, or one half a unit of it. */
function fmaTriple(f: Fmt): fc.Arbitrary<bigint[]> {
  const mask = (1n << BigInt(f.width)) - 1n;
  const nearProduct = fc.tuple(structured(f), structured(f), fc.integer({ min: -4, max: 4 }), fc.boolean(), fc.integer({ min: 0, max: f.p + 2 }), fc.boolean())
    .map(([a, b, k, negate, shift, cancel]) => {
      const prod = valueOf(f, a) * valueOf(f, b);
      let c: bigint;
      if (cancel) c = bitsOf(f, negate ? -prod : prod);
      else {
        // about half a unit of the product (scaled by 2^-shift), a tie-maker
        const e = Math.floor(Math.log2(Math.abs(prod) || 1));
        const v = 2 ** (e - f.p - shift + 2);
        c = bitsOf(f, negate ? -v : v);
      }
      c = (c + BigInt(k)) & mask;
      return [a, b, c];
    });
  return fc.oneof(
    fc.tuple(floatBits(f), floatBits(f), floatBits(f)),
    fc.tuple(structured(f), structured(f), structured(f)),
    nearProduct,
  );
}

/** Operands for an operation. */
export function argsFor(op: Op): fc.Arbitrary<bigint[]> {
  const f = op.fmt;
  if (op.inputs === 'int') return intBits().map((v) => [v]);
  if (op.arity === 3) return fmaTriple(f);
  if (op.arity === 2) {
    const sign = 1n << BigInt(f.width - 1);
    return fc.oneof(
      fc.tuple(floatBits(f), floatBits(f)),
      related(f),
      fc.tuple(fc.constantFrom(...specials(f)), fc.constantFrom(...specials(f))),
      // the same magnitude with either sign: exact cancellation, signed zeros, equal operands
      fc.tuple(fc.oneof(floatBits(f), fc.constant(0n)), fc.boolean()).map(([a, flip]): [bigint, bigint] => [a, flip ? a ^ sign : a]),
    );
  }
  return op.name.startsWith('fcvt.') && !op.name.startsWith('fcvt.s.d') && !op.name.startsWith('fcvt.d.s')
    ? fc.oneof(floatBits(f), nearIntegers(f)).map((v) => [v])
    : floatBits(f).map((v) => [v]);
}

/**
 * Hand-checked cases, one row per rule of the F and D chapters and IEEE
 * 754-2019 as RISC-V and QEMU 7.2 apply them: signed zeros, subnormals,
 * the range limits, infinities, quiet and signalling NaNs, ties under RNE
 * and RMM, overflow to infinity or to the largest finite value by mode,
 * underflow with and without inexactness (tininess after rounding), and
 * fused multiply-adds that a*b+c in doubles would round twice.
 * Expected values were derived by hand (and checked with Python's exact
 * fractions), not taken from either implementation.
 */
import { describe, expect, it } from 'vitest';
import { OPS } from './subject.js';

const NX = 1, UF = 2, OF = 4, DZ = 8, NV = 16;
const RNE = 0, RTZ = 1, RDN = 2, RUP = 3, RMM = 4;
const MODE = ['RNE', 'RTZ', 'RDN', 'RUP', 'RMM'];

// binary32
const ONE = 0x3f800000n, NEG_ONE = 0xbf800000n, P0 = 0n, N0 = 0x80000000n, INF = 0x7f800000n, NINF = 0xff800000n;
const QNAN = 0x7fc00000n, SNAN = 0x7f800001n, MAX = 0x7f7fffffn, NMAX = 0xff7fffffn, MINSUB = 1n, MINNORM = 0x00800000n, HALF = 0x3f000000n;
// binary64
const D_ONE = 0x3ff0000000000000n, D_QNAN = 0x7ff8000000000000n, D_SNAN = 0x7ff0000000000001n, D_MAX = 0x7fefffffffffffffn, D_INF = 0x7ff0000000000000n;

type Row = [what: string, op: string, rm: number, args: bigint[], bits: bigint, flags: number];

const ROWS: Row[] = [
  // ties: 1 + 2^-24 is halfway between 1 and 1 + 2^-23
  ['a tie rounds to even under RNE', 'fadd.s', RNE, [ONE, 0x33800000n], ONE, NX],
  ['a tie rounds away under RMM', 'fadd.s', RMM, [ONE, 0x33800000n], 0x3f800001n, NX],
  ['a tie rounds up under RUP', 'fadd.s', RUP, [ONE, 0x33800000n], 0x3f800001n, NX],
  ['a tie truncates under RTZ', 'fadd.s', RTZ, [ONE, 0x33800000n], ONE, NX],
  ['a tie with an odd lower neighbour rounds up under RNE', 'fadd.s', RNE, [0x3f800001n, 0x33800000n], 0x3f800002n, NX],
  // overflow by mode
  ['MAX+MAX overflows to inf under RNE', 'fadd.s', RNE, [MAX, MAX], INF, OF | NX],
  ['MAX+MAX overflows to MAX under RTZ', 'fadd.s', RTZ, [MAX, MAX], MAX, OF | NX],
  ['MAX+MAX overflows to MAX under RDN', 'fadd.s', RDN, [MAX, MAX], MAX, OF | NX],
  ['MAX+MAX overflows to inf under RUP', 'fadd.s', RUP, [MAX, MAX], INF, OF | NX],
  ['-MAX-MAX overflows to -inf under RDN', 'fadd.s', RDN, [NMAX, NMAX], NINF, OF | NX],
  ['-MAX-MAX overflows to -MAX under RUP', 'fadd.s', RUP, [NMAX, NMAX], NMAX, OF | NX],
  ['MAX + half an ulp ties to inf under RNE', 'fadd.s', RNE, [MAX, 0x73000000n], INF, OF | NX],
  ['MAX + half an ulp is MAX and no overflow under RTZ (overflow is judged after rounding)', 'fadd.s', RTZ, [MAX, 0x73000000n], MAX, NX],
  ['MAX + half an ulp overflows under RMM', 'fadd.s', RMM, [MAX, 0x73000000n], INF, OF | NX],
  ['binary64 MAX + half an ulp is MAX without overflow under RTZ', 'fadd.d', RTZ, [D_MAX, 0x7c90000000000000n], D_MAX, NX],
  ['binary64 MAX*2 overflows to MAX under RTZ', 'fmul.d', RTZ, [D_MAX, 0x4000000000000000n], D_MAX, OF | NX],
  ['binary64 MAX*2 overflows to inf under RNE', 'fmul.d', RNE, [D_MAX, 0x4000000000000000n], D_INF, OF | NX],
  // underflow
  ['an exact subnormal result raises nothing', 'fmul.s', RNE, [MINNORM, HALF], 0x00400000n, 0],
  ['half the smallest subnormal ties to +0 under RNE with UF and NX', 'fmul.s', RNE, [MINSUB, HALF], P0, UF | NX],
  ['half the smallest subnormal rounds away under RMM', 'fmul.s', RMM, [MINSUB, HALF], MINSUB, UF | NX],
  ['half the smallest subnormal rounds up under RUP', 'fmul.s', RUP, [MINSUB, HALF], MINSUB, UF | NX],
  ['minus half the smallest subnormal rounds down under RDN', 'fmul.s', RDN, [0x80000001n, HALF], 0x80000001n, UF | NX],
  ['minus half the smallest subnormal rounds up to -0 under RUP', 'fmul.s', RUP, [0x80000001n, HALF], N0, UF | NX],
  ['2^-126 - 2^-150 is tiny after rounding: rounds to the smallest normal with UF', 'fmul.s', RNE, [MINNORM, 0x3f7fffffn], MINNORM, UF | NX],
  ['2^-126(1 - 2^-25) rounds to 2^-126 with unbounded exponent: not tiny, NX only (RNE)', 'fcvt.s.d', RNE, [0x380ffffff0000000n], MINNORM, NX],
  ['2^-126(1 - 2^-25) is tiny under RTZ: the largest subnormal with UF', 'fcvt.s.d', RTZ, [0x380ffffff0000000n], 0x007fffffn, UF | NX],
  ['2^-126(1 - 2^-25) rounds up to 2^-126 under RUP: not tiny', 'fcvt.s.d', RUP, [0x380ffffff0000000n], MINNORM, NX],
  ['binary64 half the smallest subnormal ties to 0', 'fmul.d', RNE, [1n, 0x3fe0000000000000n], 0n, UF | NX],
  ['binary64 half the smallest subnormal rounds up under RUP', 'fmul.d', RUP, [1n, 0x3fe0000000000000n], 1n, UF | NX],
  // zeros
  ['x + (-x) is +0 under RNE', 'fadd.s', RNE, [ONE, NEG_ONE], P0, 0],
  ['x + (-x) is -0 under RDN', 'fadd.s', RDN, [ONE, NEG_ONE], N0, 0],
  ['+0 + -0 is +0 under RNE', 'fadd.s', RNE, [P0, N0], P0, 0],
  ['+0 + -0 is -0 under RDN', 'fadd.s', RDN, [P0, N0], N0, 0],
  ['-0 + -0 is -0', 'fadd.d', RUP, [0x8000000000000000n, 0x8000000000000000n], 0x8000000000000000n, 0],
  ['1 - 1 is -0 under RDN in binary64', 'fsub.d', RDN, [D_ONE, D_ONE], 0x8000000000000000n, 0],
  // NaNs
  ['a signalling NaN operand raises NV and gives the canonical NaN', 'fadd.s', RNE, [SNAN, ONE], QNAN, NV],
  ['a quiet NaN operand raises nothing and its payload and sign are dropped', 'fadd.s', RNE, [0xffc12345n, ONE], QNAN, 0],
  ['inf - inf is invalid', 'fsub.s', RNE, [INF, INF], QNAN, NV],
  ['0 * inf is invalid', 'fmul.d', RNE, [0n, D_INF], D_QNAN, NV],
  ['a binary64 signalling NaN gives the canonical NaN with NV', 'fmul.d', RNE, [D_SNAN, D_ONE], D_QNAN, NV],
  // division
  ['1/0 is +inf with DZ', 'fdiv.s', RNE, [ONE, P0], INF, DZ],
  ['-1/+0 is -inf with DZ', 'fdiv.s', RNE, [NEG_ONE, P0], NINF, DZ],
  ['0/0 is invalid', 'fdiv.s', RNE, [P0, P0], QNAN, NV],
  ['inf/0 is inf without DZ', 'fdiv.s', RNE, [INF, P0], INF, 0],
  ['inf/inf is invalid', 'fdiv.d', RNE, [D_INF, D_INF], D_QNAN, NV],
  ['1/3 rounds to nearest', 'fdiv.s', RNE, [ONE, 0x40400000n], 0x3eaaaaabn, NX],
  ['1/3 rounds down under RDN', 'fdiv.s', RDN, [ONE, 0x40400000n], 0x3eaaaaaan, NX],
  ['1/3 rounds toward zero under RTZ', 'fdiv.s', RTZ, [ONE, 0x40400000n], 0x3eaaaaaan, NX],
  ['-1/3 rounds up (toward zero) under RUP', 'fdiv.s', RUP, [NEG_ONE, 0x40400000n], 0xbeaaaaaan, NX],
  // square root
  ['sqrt(-0) is -0', 'fsqrt.s', RNE, [N0], N0, 0],
  ['sqrt(-1) is invalid', 'fsqrt.s', RNE, [NEG_ONE], QNAN, NV],
  ['sqrt(-inf) is invalid', 'fsqrt.d', RNE, [0xfff0000000000000n], D_QNAN, NV],
  ['sqrt(+inf) is +inf', 'fsqrt.s', RNE, [INF], INF, 0],
  ['sqrt(2) rounds to nearest (below the root)', 'fsqrt.s', RNE, [0x40000000n], 0x3fb504f3n, NX],
  ['sqrt(2) rounds up under RUP', 'fsqrt.s', RUP, [0x40000000n], 0x3fb504f4n, NX],
  ['sqrt(4) is exact', 'fsqrt.d', RUP, [0x4010000000000000n], 0x4000000000000000n, 0],
  // fused multiply-add
  ['fmadd.s rounds once where doubles would tie twice: (1+2^-12)^2 + 2^-60', 'fmadd.s', RNE, [0x3f800800n, 0x3f800800n, 0x21800000n], 0x3f801001n, NX],
  ['fmadd.d rounds once where a*b+c would tie to even: (1+2^-26)(1+2^-27) + 2^-100', 'fmadd.d', RNE, [0x3ff0000004000000n, 0x3ff0000002000000n, 0x39b0000000000000n], 0x3ff0000006000001n, NX],
  ['fmadd.d keeps the low product bits a*b+c in doubles loses: (1+2^-27)^2 - 1', 'fmadd.d', RNE, [0x3ff0000002000000n, 0x3ff0000002000000n, 0xbff0000000000000n], 0x3e50000001000000n, 0],
  ['inf * 0 + qNaN is invalid', 'fmadd.s', RNE, [INF, P0, QNAN], QNAN, NV],
  ['0 * inf + 1 is invalid', 'fmadd.d', RNE, [0n, D_INF, D_ONE], D_QNAN, NV],
  ['inf * 1 - inf is invalid', 'fmadd.s', RNE, [INF, ONE, NINF], QNAN, NV],
  ['a signalling addend is invalid', 'fmadd.s', RNE, [ONE, ONE, SNAN], QNAN, NV],
  ['fnmadd(+0, +0, +0) = -(0*0) - 0 = -0', 'fnmadd.s', RNE, [P0, P0, P0], N0, 0],
  ['fmsub(1, 1, 1) is +0 under RNE', 'fmsub.d', RNE, [D_ONE, D_ONE, D_ONE], 0n, 0],
  ['fmsub(1, 1, 1) is -0 under RDN', 'fmsub.d', RDN, [D_ONE, D_ONE, D_ONE], 0x8000000000000000n, 0],
  ['fnmsub(1, 1, 3) = -(1) + 3 = 2', 'fnmsub.s', RNE, [ONE, ONE, 0x40400000n], 0x40000000n, 0],
  // min / max
  ['fmin(+0, -0) is -0', 'fmin.s', RNE, [P0, N0], N0, 0],
  ['fmin(-0, +0) is -0', 'fmin.s', RNE, [N0, P0], N0, 0],
  ['fmax(-0, +0) is +0', 'fmax.s', RNE, [N0, P0], P0, 0],
  ['fmax(+0, -0) is +0 in binary64', 'fmax.d', RNE, [0n, 0x8000000000000000n], 0n, 0],
  ['fmin(qNaN, 1) is 1 without flags', 'fmin.s', RNE, [QNAN, ONE], ONE, 0],
  ['fmin(sNaN, 1) is 1 with NV', 'fmin.s', RNE, [SNAN, ONE], ONE, NV],
  ['fmax(1, sNaN) is 1 with NV', 'fmax.d', RNE, [D_ONE, D_SNAN], D_ONE, NV],
  ['fmin(sNaN, qNaN) is the canonical NaN with NV', 'fmin.s', RNE, [SNAN, QNAN], QNAN, NV],
  ['fmax(qNaN, qNaN) is the canonical NaN without flags', 'fmax.s', RNE, [0xffc00001n, QNAN], QNAN, 0],
  // compares
  ['feq with a quiet NaN is 0 without flags', 'feq.s', RNE, [QNAN, ONE], 0n, 0],
  ['feq with a signalling NaN raises NV', 'feq.s', RNE, [SNAN, ONE], 0n, NV],
  ['flt with a quiet NaN raises NV', 'flt.s', RNE, [QNAN, ONE], 0n, NV],
  ['fle with a quiet NaN raises NV', 'fle.d', RNE, [D_ONE, D_QNAN], 0n, NV],
  ['-0 == +0', 'feq.d', RNE, [0x8000000000000000n, 0n], 1n, 0],
  ['-0 < +0 is false', 'flt.s', RNE, [N0, P0], 0n, 0],
  ['-0 <= +0', 'fle.s', RNE, [N0, P0], 1n, 0],
  // fclass
  ['fclass -inf', 'fclass.s', RNE, [NINF], 1n << 0n, 0],
  ['fclass negative normal', 'fclass.s', RNE, [NEG_ONE], 1n << 1n, 0],
  ['fclass negative subnormal', 'fclass.s', RNE, [0x80000001n], 1n << 2n, 0],
  ['fclass -0', 'fclass.s', RNE, [N0], 1n << 3n, 0],
  ['fclass +0', 'fclass.s', RNE, [P0], 1n << 4n, 0],
  ['fclass positive subnormal', 'fclass.d', RNE, [1n], 1n << 5n, 0],
  ['fclass positive normal', 'fclass.d', RNE, [D_ONE], 1n << 6n, 0],
  ['fclass +inf', 'fclass.d', RNE, [D_INF], 1n << 7n, 0],
  ['fclass signalling NaN', 'fclass.d', RNE, [D_SNAN], 1n << 8n, 0],
  ['fclass quiet NaN', 'fclass.s', RNE, [QNAN], 1n << 9n, 0],
  // conversions to integers
  ['fcvt.wu.s of 3e9 is sign-extended: 0xffffffffb2d05e00', 'fcvt.wu.s', RTZ, [0x4f32d05en], 0xffffffffb2d05e00n, 0],
  ['fcvt.w.s of NaN is 2^31-1 with NV', 'fcvt.w.s', RNE, [QNAN], 0x7fffffffn, NV],
  ['fcvt.w.s of -inf is -2^31 with NV', 'fcvt.w.s', RNE, [NINF], 0xffffffff80000000n, NV],
  ['fcvt.w.s of +inf is 2^31-1 with NV', 'fcvt.w.s', RNE, [INF], 0x7fffffffn, NV],
  ['fcvt.wu.s of NaN is 2^32-1, sign-extended, with NV', 'fcvt.wu.s', RNE, [SNAN], 0xffffffffffffffffn, NV],
  ['fcvt.wu.s of -1.5 (RTZ) is 0 with NV and no NX', 'fcvt.wu.s', RTZ, [0xbfc00000n], 0n, NV],
  ['fcvt.wu.s of -0.5 (RTZ) rounds to 0 in range: NX only', 'fcvt.wu.s', RTZ, [0xbf000000n], 0n, NX],
  ['fcvt.lu.s of NaN is 2^64-1 with NV', 'fcvt.lu.s', RNE, [QNAN], 0xffffffffffffffffn, NV],
  ['fcvt.l.d of NaN is 2^63-1 with NV', 'fcvt.l.d', RNE, [D_QNAN], 0x7fffffffffffffffn, NV],
  ['fcvt.l.d of 2^63 saturates with NV', 'fcvt.l.d', RNE, [0x43e0000000000000n], 0x7fffffffffffffffn, NV],
  ['fcvt.l.d of -2^63 is exact', 'fcvt.l.d', RNE, [0xc3e0000000000000n], 0x8000000000000000n, 0],
  ['fcvt.lu.d of -0 is 0 without flags', 'fcvt.lu.d', RNE, [0x8000000000000000n], 0n, 0],
  ['fcvt.w.d of 2147483647.5 ties to 2^31 under RNE: out of range', 'fcvt.w.d', RNE, [0x41dfffffffe00000n], 0x7fffffffn, NV],
  ['fcvt.w.d of 2147483647.5 rounds down in range under RDN', 'fcvt.w.d', RDN, [0x41dfffffffe00000n], 0x7fffffffn, NX],
  ['fcvt.w.d of 2.5 ties to even under RNE', 'fcvt.w.d', RNE, [0x4004000000000000n], 2n, NX],
  ['fcvt.w.d of 2.5 ties away under RMM', 'fcvt.w.d', RMM, [0x4004000000000000n], 3n, NX],
  ['fcvt.w.d of -2.5 ties away under RMM', 'fcvt.w.d', RMM, [0xc004000000000000n], 0xfffffffffffffffdn, NX],
  ['fcvt.w.d of -2.5 rounds up under RUP', 'fcvt.w.d', RUP, [0xc004000000000000n], 0xfffffffffffffffen, NX],
  // conversions from integers and between formats
  ['fcvt.s.l of 2^24+1 ties to even', 'fcvt.s.l', RNE, [0x1000001n], 0x4b800000n, NX],
  ['fcvt.s.l of 2^24+1 ties away under RMM', 'fcvt.s.l', RMM, [0x1000001n], 0x4b800001n, NX],
  ['fcvt.d.lu of 2^64-1 rounds to 2^64', 'fcvt.d.lu', RNE, [0xffffffffffffffffn], 0x43f0000000000000n, NX],
  ['fcvt.d.lu of 2^64-1 truncates under RTZ', 'fcvt.d.lu', RTZ, [0xffffffffffffffffn], 0x43efffffffffffffn, NX],
  ['fcvt.s.w of -1 is -1', 'fcvt.s.w', RNE, [0xffffffffffffffffn], NEG_ONE, 0],
  ['fcvt.s.d of a signalling NaN is canonical with NV', 'fcvt.s.d', RNE, [D_SNAN], QNAN, NV],
  ['fcvt.d.s of a signalling NaN is canonical with NV', 'fcvt.d.s', RNE, [SNAN], D_QNAN, NV],
  ['fcvt.d.s of a quiet NaN drops its payload without flags', 'fcvt.d.s', RNE, [0xffc12345n], D_QNAN, 0],
  ['fcvt.s.d of 1e300 overflows to inf under RNE', 'fcvt.s.d', RNE, [0x7e37e43c8800759cn], INF, OF | NX],
  ['fcvt.s.d of 1e300 overflows to MAX under RTZ', 'fcvt.s.d', RTZ, [0x7e37e43c8800759cn], MAX, OF | NX],
  ['fcvt.d.s of the smallest subnormal is exact', 'fcvt.d.s', RNE, [MINSUB], 0x36a0000000000000n, 0],
];

describe('FPU special cases', () => {
  for (const [what, name, rm, args, bits, flags] of ROWS) {
    it(`${name} ${MODE[rm]}: ${what}`, () => {
      const op = OPS.find((o) => o.name === name);
      expect(op, name).toBeDefined();
      const got = op!.subject(args, rm);
      expect({ bits: `0x${got.bits.toString(16)}`, flags: got.flags }).toEqual({ bits: `0x${bits.toString(16)}`, flags });
      // the reference must agree with the hand-derived value too
      const want = op!.reference(args, rm);
      expect({ bits: `0x${want.bits.toString(16)}`, flags: want.flags }).toEqual({ bits: `0x${bits.toString(16)}`, flags });
    });
  }
});

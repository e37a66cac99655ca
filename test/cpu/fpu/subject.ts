/**
 * The FPU under test in the reference's terms: every operation takes and
 * returns BigInt bit patterns, with the flags it raised, so one table of
 * operations can pair each implementation entry point with its reference.
 */
import * as fpu from '../../../plugins/cpu-rv64/fpu/index.js';
import * as ref from './reference.js';
import type { Fmt, IntFmt, Res } from './reference.js';

const w32 = (b: bigint) => Number(BigInt.asIntN(32, b));
const lo = (b: bigint) => Number(BigInt.asIntN(32, b & 0xffffffffn));
const hi = (b: bigint) => Number(BigInt.asIntN(32, b >> 32n));
const out = () => (BigInt(fpu.fpOut[1]! >>> 0) << 32n) | BigInt(fpu.fpOut[0]! >>> 0);

function run(f: () => bigint): Res {
  fpu.fpFlags[0] = 0;
  fpu.fpOut[0] = 0x5a5a5a5a; // stale data, so a result that is not written shows up
  fpu.fpOut[1] = 0x5a5a5a5a;
  const bits = f();
  return { bits, flags: fpu.fpFlags[0]! };
}
const r32 = (v: number) => BigInt(v >>> 0);

/** One operation: arity, how to run it under test, and the reference. */
export interface Op {
  name: string;
  fmt: Fmt;
  /** What the inputs are: floats of `fmt`, or 64-bit integer register values for int-to-float conversions. */
  inputs: 'float' | 'int';
  arity: 1 | 2 | 3;
  rounds: boolean;
  subject: (args: bigint[], rm: number) => Res;
  reference: (args: bigint[], rm: number) => Res;
}

const F32 = ref.F32, F64 = ref.F64;
const ops: Op[] = [];

type Bin32 = (a: number, b: number, rm: number) => number;
type Bin64 = (alo: number, ahi: number, blo: number, bhi: number, rm: number) => void;
const arith: Array<[string, Bin32, Bin64, (f: Fmt, a: bigint, b: bigint, rm: number) => Res]> = [
  ['add', fpu.f32Add, fpu.f64Add, ref.add],
  ['sub', fpu.f32Sub, fpu.f64Sub, ref.sub],
  ['mul', fpu.f32Mul, fpu.f64Mul, ref.mul],
  ['div', fpu.f32Div, fpu.f64Div, ref.div],
];
for (const [name, s32, s64, rf] of arith) {
  ops.push({ name: `f${name}.s`, fmt: F32, inputs: 'float', arity: 2, rounds: true, subject: ([a, b], rm) => run(() => r32(s32(w32(a!), w32(b!), rm))), reference: ([a, b], rm) => rf(F32, a!, b!, rm) });
  ops.push({ name: `f${name}.d`, fmt: F64, inputs: 'float', arity: 2, rounds: true, subject: ([a, b], rm) => run(() => (s64(lo(a!), hi(a!), lo(b!), hi(b!), rm), out())), reference: ([a, b], rm) => rf(F64, a!, b!, rm) });
}
ops.push({ name: 'fsqrt.s', fmt: F32, inputs: 'float', arity: 1, rounds: true, subject: ([a], rm) => run(() => r32(fpu.f32Sqrt(w32(a!), rm))), reference: ([a], rm) => ref.sqrt(F32, a!, rm) });
ops.push({ name: 'fsqrt.d', fmt: F64, inputs: 'float', arity: 1, rounds: true, subject: ([a], rm) => run(() => (fpu.f64Sqrt(lo(a!), hi(a!), rm), out())), reference: ([a], rm) => ref.sqrt(F64, a!, rm) });
['fmadd', 'fmsub', 'fnmsub', 'fnmadd'].forEach((name, op) => {
  ops.push({ name: `${name}.s`, fmt: F32, inputs: 'float', arity: 3, rounds: true, subject: ([a, b, c], rm) => run(() => r32(fpu.f32MulAdd(w32(a!), w32(b!), w32(c!), rm, op))), reference: ([a, b, c], rm) => ref.fma(F32, a!, b!, c!, rm, op) });
  ops.push({ name: `${name}.d`, fmt: F64, inputs: 'float', arity: 3, rounds: true, subject: ([a, b, c], rm) => run(() => (fpu.f64MulAdd(lo(a!), hi(a!), lo(b!), hi(b!), lo(c!), hi(c!), rm, op), out())), reference: ([a, b, c], rm) => ref.fma(F64, a!, b!, c!, rm, op) });
});
const cmp32: Array<[string, (a: number, b: number) => number, (a: number, b: number, c: number, d: number) => number, (f: Fmt, a: bigint, b: bigint) => Res]> = [
  ['feq', fpu.f32Eq, fpu.f64Eq, ref.eq],
  ['flt', fpu.f32Lt, fpu.f64Lt, ref.lt],
  ['fle', fpu.f32Le, fpu.f64Le, ref.le],
];
for (const [name, s32, s64, rf] of cmp32) {
  ops.push({ name: `${name}.s`, fmt: F32, inputs: 'float', arity: 2, rounds: false, subject: ([a, b]) => run(() => BigInt(s32(w32(a!), w32(b!)))), reference: ([a, b]) => rf(F32, a!, b!) });
  ops.push({ name: `${name}.d`, fmt: F64, inputs: 'float', arity: 2, rounds: false, subject: ([a, b]) => run(() => BigInt(s64(lo(a!), hi(a!), lo(b!), hi(b!)))), reference: ([a, b]) => rf(F64, a!, b!) });
}
ops.push({ name: 'fmin.s', fmt: F32, inputs: 'float', arity: 2, rounds: false, subject: ([a, b]) => run(() => r32(fpu.f32Min(w32(a!), w32(b!)))), reference: ([a, b]) => ref.min(F32, a!, b!) });
ops.push({ name: 'fmax.s', fmt: F32, inputs: 'float', arity: 2, rounds: false, subject: ([a, b]) => run(() => r32(fpu.f32Max(w32(a!), w32(b!)))), reference: ([a, b]) => ref.max(F32, a!, b!) });
ops.push({ name: 'fmin.d', fmt: F64, inputs: 'float', arity: 2, rounds: false, subject: ([a, b]) => run(() => (fpu.f64Min(lo(a!), hi(a!), lo(b!), hi(b!)), out())), reference: ([a, b]) => ref.min(F64, a!, b!) });
ops.push({ name: 'fmax.d', fmt: F64, inputs: 'float', arity: 2, rounds: false, subject: ([a, b]) => run(() => (fpu.f64Max(lo(a!), hi(a!), lo(b!), hi(b!)), out())), reference: ([a, b]) => ref.max(F64, a!, b!) });
ops.push({ name: 'fclass.s', fmt: F32, inputs: 'float', arity: 1, rounds: false, subject: ([a]) => run(() => BigInt(fpu.f32Classify(w32(a!)))), reference: ([a]) => ref.classify(F32, a!) });
ops.push({ name: 'fclass.d', fmt: F64, inputs: 'float', arity: 1, rounds: false, subject: ([a]) => run(() => BigInt(fpu.f64Classify(lo(a!), hi(a!)))), reference: ([a]) => ref.classify(F64, a!) });

const toInt: Array<[IntFmt, (a: number, rm: number) => void, (lo: number, hi: number, rm: number) => void]> = [
  [ref.W, fpu.f32ToI32, fpu.f64ToI32],
  [ref.WU, fpu.f32ToU32, fpu.f64ToU32],
  [ref.L, fpu.f32ToI64, fpu.f64ToI64],
  [ref.LU, fpu.f32ToU64, fpu.f64ToU64],
];
for (const [t, s32, s64] of toInt) {
  ops.push({ name: `fcvt.${t.name}.s`, fmt: F32, inputs: 'float', arity: 1, rounds: true, subject: ([a], rm) => run(() => (s32(w32(a!), rm), out())), reference: ([a], rm) => ref.toInt(F32, t, a!, rm) });
  ops.push({ name: `fcvt.${t.name}.d`, fmt: F64, inputs: 'float', arity: 1, rounds: true, subject: ([a], rm) => run(() => (s64(lo(a!), hi(a!), rm), out())), reference: ([a], rm) => ref.toInt(F64, t, a!, rm) });
}
const fromInt: Array<[IntFmt, (a: number, rm: number) => number, (a: number, rm: number) => void]> = [
  [ref.W, fpu.i32ToF32, fpu.i32ToF64],
  [ref.WU, fpu.u32ToF32, fpu.u32ToF64],
];
for (const [t, s32, s64] of fromInt) {
  ops.push({ name: `fcvt.s.${t.name}`, fmt: F32, inputs: 'int', arity: 1, rounds: true, subject: ([a], rm) => run(() => r32(s32(lo(a!), rm))), reference: ([a], rm) => ref.fromInt(F32, t, a!, rm) });
  ops.push({ name: `fcvt.d.${t.name}`, fmt: F64, inputs: 'int', arity: 1, rounds: true, subject: ([a], rm) => run(() => (s64(lo(a!), rm), out())), reference: ([a], rm) => ref.fromInt(F64, t, a!, rm) });
}
const fromWide: Array<[IntFmt, (lo: number, hi: number, rm: number) => number, (lo: number, hi: number, rm: number) => void]> = [
  [ref.L, fpu.i64ToF32, fpu.i64ToF64],
  [ref.LU, fpu.u64ToF32, fpu.u64ToF64],
];
for (const [t, s32, s64] of fromWide) {
  ops.push({ name: `fcvt.s.${t.name}`, fmt: F32, inputs: 'int', arity: 1, rounds: true, subject: ([a], rm) => run(() => r32(s32(lo(a!), hi(a!), rm))), reference: ([a], rm) => ref.fromInt(F32, t, a!, rm) });
  ops.push({ name: `fcvt.d.${t.name}`, fmt: F64, inputs: 'int', arity: 1, rounds: true, subject: ([a], rm) => run(() => (s64(lo(a!), hi(a!), rm), out())), reference: ([a], rm) => ref.fromInt(F64, t, a!, rm) });
}
ops.push({ name: 'fcvt.s.d', fmt: F64, inputs: 'float', arity: 1, rounds: true, subject: ([a], rm) => run(() => r32(fpu.f64ToF32(lo(a!), hi(a!), rm))), reference: ([a], rm) => ref.convert(F64, F32, a!, rm) });
ops.push({ name: 'fcvt.d.s', fmt: F32, inputs: 'float', arity: 1, rounds: false, subject: ([a]) => run(() => (fpu.f32ToF64(w32(a!)), out())), reference: ([a]) => ref.convert(F32, F64, a!, 0) });

/** Every operation of the F and D extensions that the FPU computes. */
export const OPS: readonly Op[] = ops;

/** Hex of a result, for failure messages. */
export const show = (r: Res) => `0x${r.bits.toString(16)} flags=${r.flags}`;

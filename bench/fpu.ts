/**
 * FPU throughput: millions of operations per second of CPU time for each
 * operation of plugins/cpu-rv64/fpu, in RNE and in RDN (a directed mode),
 * next to the host's own double arithmetic on the same operands measured in
 * the same run; the ratio is host / FPU (how many times slower the exact
 * engine is than a bare JS operator).
 *
 *   npx tsx bench/fpu.ts [operations per measurement, default 2000000]
 */
import * as F from '../plugins/cpu-rv64/fpu/index.js';

const N = Number(process.argv[2] ?? 2_000_000);
const SIZE = 4096; // operand pool, cycled

// Operands: normal values in [0.5, 2) x random binades near 1, both signs (common-case arithmetic).
let seed = 12345;
const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) | 0) >>> 0) / 4294967296;
const d64 = new Float64Array(SIZE * 3), w64 = new Int32Array(d64.buffer);
const d32 = new Float32Array(SIZE * 3), w32 = new Int32Array(d32.buffer);
for (let i = 0; i < SIZE * 3; i++) {
  const v = (rnd() < 0.5 ? -1 : 1) * (0.5 + 1.5 * rnd()) * 2 ** Math.floor(rnd() * 16 - 8);
  d64[i] = v;
  d32[i] = v;
}
const ints = new Int32Array(SIZE * 2);
for (let i = 0; i < SIZE * 2; i++) ints[i] = (rnd() * 4294967296) | 0;
const sqrtIn = Float64Array.from(d64, Math.abs), sqrtW = new Int32Array(sqrtIn.buffer);
const sqrt32 = Float32Array.from(d32, Math.abs), sqrt32W = new Int32Array(sqrt32.buffer);

function cpuSeconds(f: () => number): number {
  const t = process.cpuUsage();
  sink ^= f();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1e6;
}
let sink = 0;
const M = SIZE - 1;

/** A measured loop: returns something derived from the results so nothing is dead. */
type Loop = (rm: number) => number;
const loops: Array<[name: string, fpu: Loop, host: () => number, rounds: boolean]> = [
  ['fadd.s', (rm) => { let s = 0; for (let i = 0; i < N; i++) { const k = i & M; s ^= F.f32Add(w32[k]!, w32[k + SIZE]!, rm); } return s; },
    () => { let s = 0; for (let i = 0; i < N; i++) { const k = i & M; s += Math.fround(d32[k]! + d32[k + SIZE]!); } return s; }, true],
  ['fmul.s', (rm) => { let s = 0; for (let i = 0; i < N; i++) { const k = i & M; s ^= F.f32Mul(w32[k]!, w32[k + SIZE]!, rm); } return s; },
    () => { let s = 0; for (let i = 0; i < N; i++) { const k = i & M; s += Math.fround(d32[k]! * d32[k + SIZE]!); } return s; }, true],
  ['fdiv.s', (rm) => { let s = 0; for (let i = 0; i < N; i++) { const k = i & M; s ^= F.f32Div(w32[k]!, w32[k + SIZE]!, rm); } return s; },
    () => { let s = 0; for (let i = 0; i < N; i++) { const k = i & M; s += Math.fround(d32[k]! / d32[k + SIZE]!); } return s; }, true],
  ['fsqrt.s', (rm) => { let s = 0; for (let i = 0; i < N; i++) { s ^= F.f32Sqrt(sqrt32W[i & M]!, rm); } return s; },
    () => { let s = 0; for (let i = 0; i < N; i++) { s += Math.fround(Math.sqrt(sqrt32[i & M]!)); } return s; }, true],
  ['fmadd.s', (rm) => { let s = 0; for (let i = 0; i < N; i++) { const k = i & M; s ^= F.f32MulAdd(w32[k]!, w32[k + SIZE]!, w32[k + 2 * SIZE]!, rm, F.FMADD); } return s; },
    () => { let s = 0; for (let i = 0; i < N; i++) { const k = i & M; s += Math.fround(d32[k]! * d32[k + SIZE]! + d32[k + 2 * SIZE]!); } return s; }, true],
  ['fadd.d', (rm) => { let s = 0; for (let i = 0; i < N; i++) { const k = (i & M) * 2, j = k + 2 * SIZE; F.f64Add(w64[k]!, w64[k + 1]!, w64[j]!, w64[j + 1]!, rm); s ^= F.fpOut[0]!; } return s; },
    () => { let s = 0; for (let i = 0; i < N; i++) { const k = i & M; s += d64[k]! + d64[k + SIZE]!; } return s; }, true],
  ['fmul.d', (rm) => { let s = 0; for (let i = 0; i < N; i++) { const k = (i & M) * 2, j = k + 2 * SIZE; F.f64Mul(w64[k]!, w64[k + 1]!, w64[j]!, w64[j + 1]!, rm); s ^= F.fpOut[0]!; } return s; },
    () => { let s = 0; for (let i = 0; i < N; i++) { const k = i & M; s += d64[k]! * d64[k + SIZE]!; } return s; }, true],
  ['fdiv.d', (rm) => { let s = 0; for (let i = 0; i < N; i++) { const k = (i & M) * 2, j = k + 2 * SIZE; F.f64Div(w64[k]!, w64[k + 1]!, w64[j]!, w64[j + 1]!, rm); s ^= F.fpOut[0]!; } return s; },
    () => { let s = 0; for (let i = 0; i < N; i++) { const k = i & M; s += d64[k]! / d64[k + SIZE]!; } return s; }, true],
  ['fsqrt.d', (rm) => { let s = 0; for (let i = 0; i < N; i++) { const k = (i & M) * 2; F.f64Sqrt(sqrtW[k]!, sqrtW[k + 1]!, rm); s ^= F.fpOut[0]!; } return s; },
    () => { let s = 0; for (let i = 0; i < N; i++) { s += Math.sqrt(sqrtIn[i & M]!); } return s; }, true],
  ['fmadd.d', (rm) => { let s = 0; for (let i = 0; i < N; i++) { const k = (i & M) * 2, j = k + 2 * SIZE, l = k + 4 * SIZE; F.f64MulAdd(w64[k]!, w64[k + 1]!, w64[j]!, w64[j + 1]!, w64[l]!, w64[l + 1]!, rm, F.FMADD); s ^= F.fpOut[0]!; } return s; },
    () => { let s = 0; for (let i = 0; i < N; i++) { const k = i & M; s += d64[k]! * d64[k + SIZE]! + d64[k + 2 * SIZE]!; } return s; }, true],
  ['fmin.d', () => { let s = 0; for (let i = 0; i < N; i++) { const k = (i & M) * 2, j = k + 2 * SIZE; F.f64Min(w64[k]!, w64[k + 1]!, w64[j]!, w64[j + 1]!); s ^= F.fpOut[0]!; } return s; },
    () => { let s = 0; for (let i = 0; i < N; i++) { const k = i & M; s += Math.min(d64[k]!, d64[k + SIZE]!); } return s; }, false],
  ['flt.d', () => { let s = 0; for (let i = 0; i < N; i++) { const k = (i & M) * 2, j = k + 2 * SIZE; s += F.f64Lt(w64[k]!, w64[k + 1]!, w64[j]!, w64[j + 1]!); } return s; },
    () => { let s = 0; for (let i = 0; i < N; i++) { const k = i & M; s += d64[k]! < d64[k + SIZE]! ? 1 : 0; } return s; }, false],
  ['fcvt.w.d', (rm) => { let s = 0; for (let i = 0; i < N; i++) { const k = (i & M) * 2; F.f64ToI32(w64[k]!, w64[k + 1]!, rm); s ^= F.fpOut[0]!; } return s; },
    () => { let s = 0; for (let i = 0; i < N; i++) { s ^= Math.round(d64[i & M]!) | 0; } return s; }, true],
  ['fcvt.d.l', (rm) => { let s = 0; for (let i = 0; i < N; i++) { const k = (i & M) * 2; F.i64ToF64(ints[k]!, ints[k + 1]!, rm); s ^= F.fpOut[0]!; } return s; },
    () => { let s = 0; for (let i = 0; i < N; i++) { const k = (i & M) * 2; s += ints[k + 1]! * 4294967296 + (ints[k]! >>> 0); } return s; }, true],
  ['fcvt.s.d', (rm) => { let s = 0; for (let i = 0; i < N; i++) { const k = (i & M) * 2; s ^= F.f64ToF32(w64[k]!, w64[k + 1]!, rm); } return s; },
    () => { let s = 0; for (let i = 0; i < N; i++) { s += Math.fround(d64[i & M]!); } return s; }, true],
];

/** Best of three timed runs after a warm-up, in Mops/s (the JIT settles at different times for each loop). */
function best(f: () => number): number {
  f();
  let top = 0;
  for (let r = 0; r < 3; r++) top = Math.max(top, N / cpuSeconds(f) / 1e6);
  return top;
}

console.log(`${N.toLocaleString()} operations per measurement; Mops/s of CPU time, best of 3; ratio = host / FPU`);
console.log('operation   mode   FPU Mops/s   host Mops/s   ratio');
for (const [name, fpu, host, rounds] of loops) {
  for (const rm of rounds ? [F.RNE, F.RDN] : [F.RNE]) {
    const ours = best(() => fpu(rm)), theirs = best(host);
    console.log(`${name.padEnd(10)}  ${(rounds ? (rm === F.RNE ? 'RNE' : 'RDN') : '-').padEnd(5)}  ${ours.toFixed(1).padStart(10)}  ${theirs.toFixed(1).padStart(12)}  ${(theirs / ours).toFixed(1).padStart(6)}x`);
  }
}
if (sink === 0.5) console.log('');

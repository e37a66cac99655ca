/**
 * Core speed: MIPS (instructions retired per second of CPU time) of the
 * rv64 core on a compute loop (test/isa/bench-loop.S, committed built in
 * test/isa/programs), as it runs by default (the loop gets hot and is compiled) and
 * interpreted only (jit=off), next to a plain JS loop doing the same
 * integer work on the host, measured in the same run.
 *
 *   npx tsx bench/cpu-mips.ts [iterations]
 */
import { isaProgram } from '../test/isa/build.js';
import { runProgram, TestBus } from '../test/cpu/test-bus.js';

const ITERS = Number(process.argv[2] ?? 20_000_000);
const INSNS_PER_ITER = 9;

function cpuSeconds(f: () => void): number {
  const t = process.cpuUsage();
  f();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1e6;
}

const image = isaProgram('bench-loop');
// Patch the iteration count (the first .dword of .data, found by its 1000 marker).
const dv = new DataView(image.buffer, image.byteOffset, image.byteLength);
let itersOff = -1;
for (let o = 0; o + 8 <= image.length; o += 8) if (dv.getUint32(o, true) === 1000 && dv.getUint32(o + 4, true) === 0) { itersOff = o; break; }
if (itersOff < 0) throw new Error('iteration marker not found');
dv.setUint32(itersOff, ITERS, true);

/** Runs the program to its end with the given compile threshold (undefined: the default, -1: never); returns [retired, CPU seconds]. */
function core(hot: number | undefined): [number, number] {
  let retired = 0;
  const secs = cpuSeconds(() => {
    const bus = new TestBus(1 << 20);
    const { outcome, cluster } = runProgram(image, { bus, maxInsns: ITERS * INSNS_PER_ITER + 1000, slice: 1_000_000, hot });
    if (outcome.kind !== 'pass') throw new Error(`bench program did not finish: ${JSON.stringify(outcome)}`);
    retired = cluster.retired();
  });
  return [retired, secs];
}
const [retired, emuSecs] = core(undefined);
const [retiredInterp, interpSecs] = core(-1);

// The same work on host integers (64-bit values as int32 pairs would be
// unfair to the host; the baseline uses 32-bit ops, one per guest instruction).
let sink = 0;
const jsSecs = cpuSeconds(() => {
  const buf = new Int32Array(4);
  buf[0] = 0x89abcdef;
  let t2 = 1, t3 = 0;
  for (let i = ITERS; i !== 0; i = (i - 1) | 0) {
    const t1 = buf[0]!;
    t2 = (t2 + t1) | 0;
    t3 ^= t2;
    const t4 = t3 << 3, t5 = t2 >>> 7;
    t2 = (t4 + t5) | 0;
    buf[2] = t2;
  }
  sink = t2;
});
const jsOps = ITERS * INSNS_PER_ITER;

const emuMips = retired / emuSecs / 1e6;
const interpMips = retiredInterp / interpSecs / 1e6;
const jsMips = jsOps / jsSecs / 1e6;
console.log('workload                        instructions     cpu s      MIPS');
console.log(`rv64 core, default (compute)    ${String(retired).padStart(12)}  ${emuSecs.toFixed(3).padStart(8)}  ${emuMips.toFixed(1).padStart(8)}`);
console.log(`rv64 core, jit=off (compute)    ${String(retiredInterp).padStart(12)}  ${interpSecs.toFixed(3).padStart(8)}  ${interpMips.toFixed(1).padStart(8)}`);
console.log(`host JS loop (same work)        ${String(jsOps).padStart(12)}  ${jsSecs.toFixed(3).padStart(8)}  ${jsMips.toFixed(1).padStart(8)}`);
console.log(`ratio host/core: ${(jsMips / emuMips).toFixed(1)}x, core/interpreter: ${(emuMips / interpMips).toFixed(1)}x   (target: core >= 300 MIPS)${sink === 0.5 ? '' : ''}`);

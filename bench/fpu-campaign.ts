/**
 * The long FPU campaign: the property comparison of test/cpu/fpu (every
 * operation x every rounding mode, bits and flags against the exact
 * reference) on many more edge-biased cases than `npm test` runs. Prints one
 * line per operation as it goes and the seed of any failure, so it
 * reproduces with the same seed.
 *
 *   npx tsx bench/fpu-campaign.ts [cases per operation and mode, default 25000] [seed]
 */
import fc from 'fast-check';
import { argsFor } from '../test/cpu/fpu/generators.js';
import { OPS, show } from '../test/cpu/fpu/subject.js';

const PER = Number(process.argv[2] ?? 25_000);
const SEED = Number(process.argv[3] ?? Date.now() % 2 ** 31);
const MODES = ['RNE', 'RTZ', 'RDN', 'RUP', 'RMM'];

console.log(`seed ${SEED}, ${PER.toLocaleString()} cases per operation and mode`);
const start = Date.now();
let total = 0, failed = 0;
for (const op of OPS) {
  const modes = op.rounds ? [0, 1, 2, 3, 4] : [0];
  const t = Date.now();
  for (const rm of modes) {
    const r = fc.check(
      fc.property(argsFor(op), (args) => {
        const got = op.subject(args, rm), want = op.reference(args, rm);
        return got.bits === want.bits && got.flags === want.flags;
      }),
      { numRuns: PER, seed: SEED + rm },
    );
    total += r.numRuns;
    if (r.failed) {
      failed++;
      const args = r.counterexample![0];
      console.log(`FAIL ${op.name} ${MODES[rm]} (seed ${SEED + rm}): (${args.map((a) => `0x${a.toString(16)}`).join(', ')}) gives ${show(op.subject(args, rm))}, reference ${show(op.reference(args, rm))}`);
    }
  }
  console.log(`${op.name.padEnd(11)} ${modes.length} mode(s)  ${((Date.now() - t) / 1000).toFixed(1)} s`);
}
console.log(`${total.toLocaleString()} cases in ${((Date.now() - start) / 1000).toFixed(0)} s: ${failed === 0 ? 'all agree' : `${failed} operation/mode pairs FAILED`}`);
process.exitCode = failed === 0 ? 0 : 1;

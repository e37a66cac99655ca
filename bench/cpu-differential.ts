/**
 * A long differential campaign against QEMU 7.2 (the oracle of
 * test/cpu/differential.test.ts, on many more random sequences): prints
 * the sequences and instructions run, the time, and a report for every
 * sequence where vmledger and QEMU differ, with its seed.
 *
 *   npx tsx bench/cpu-differential.ts [--sequences N] [--batch B] [--seed S]
 *   npx tsx bench/cpu-differential.ts --seeds S1,S2,...     (just these)
 *
 * Without --seed the first seed is drawn at random and printed. Needs
 * qemu-system-riscv64 (Debian package qemu-system-misc).
 */
import { parseArgs } from 'node:util';
import { haveQemu, QEMU_BIN } from '../test/isa/qemu.js';
import { runSeeds } from '../test/cpu/diff/oracle.js';
import { maxBatch } from '../test/cpu/diff/batch.js';

const { values } = parseArgs({
  options: {
    sequences: { type: 'string', default: '20000' },
    batch: { type: 'string', default: '150' },
    seed: { type: 'string' },
    seeds: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log('usage: npx tsx bench/cpu-differential.ts [--sequences N] [--batch B (at most ' + maxBatch() + ')] [--seed S] [--seeds S1,S2,...]');
  process.exit(0);
}
if (!haveQemu()) {
  console.error(`${QEMU_BIN} not found: install Debian's qemu-system-misc`);
  process.exit(1);
}

const batch = Math.min(Number(values.batch), maxBatch());
const first = Number(values.seed ?? Math.floor(Math.random() * 2 ** 31));
const seeds = values.seeds
  ? values.seeds.split(',').map(Number)
  : Array.from({ length: Number(values.sequences) }, (_, i) => first + i);
const rerun = (seed: number) => `npx tsx bench/cpu-differential.ts --seeds ${seed}`;

console.log(`differential campaign: ${seeds.length} sequences from seed ${seeds[0]}, ${batch} per QEMU run`);
const start = process.hrtime.bigint();
let sequences = 0, instructions = 0;
const reports: string[] = [];
const chunk = batch * 10;
for (let at = 0; at < seeds.length; at += chunk) {
  const r = await runSeeds(seeds.slice(at, at + chunk), batch, rerun);
  sequences += r.sequences;
  instructions += r.instructions;
  reports.push(...r.reports);
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`  ${sequences} sequences, ${instructions} instructions, ${reports.length} differences, ${secs.toFixed(0)} s`);
}
const secs = Number(process.hrtime.bigint() - start) / 1e9;
console.log(`sequences ${sequences}  instructions ${instructions}  differences ${reports.length}  time ${secs.toFixed(1)} s (${(sequences / secs).toFixed(0)} sequences/s)`);
for (const r of reports) console.log(`\n${r}`);
process.exitCode = reports.length === 0 ? 0 : 1;

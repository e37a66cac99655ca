/**
 * The differential oracle: sequences by seed, run in batches on QEMU 7.2
 * and on vmledger (interpreted, and compiled), compared bit for bit. A
 * seed alone reproduces a sequence (its class is the seed modulo the
 * number of classes).
 */
import { buildBatch } from './batch.js';
import { compareBatch, describeDiff } from './compare.js';
import { RAM_BASE, SHARED } from './layout.js';
import { CORE_MODES, runQemu, runVmledger } from './machines.js';
import { CLASSES, generate, SHARED_WINDOW, type Sequence } from './sequence.js';

export function sequenceFor(seed: number): Sequence {
  return generate(seed, CLASSES[seed % CLASSES.length]!);
}

export interface OracleResult {
  readonly sequences: number;
  /** Instructions in the sequences' bodies as placed (each ran at most once). */
  readonly instructions: number;
  /** One report per sequence that differs, and per difference outside any sequence. */
  readonly reports: string[];
}

/** Runs `seeds` in batches of `batchSize`; `rerun(seed)` is the command a report gives for one seed. */
export async function runSeeds(seeds: readonly number[], batchSize: number, rerun: (seed: number) => string): Promise<OracleResult> {
  let instructions = 0;
  const reports: string[] = [];
  for (let at = 0; at < seeds.length; at += batchSize) {
    const batch = buildBatch(seeds.slice(at, at + batchSize).map(sequenceFor));
    instructions += batch.listings.reduce((n, l) => n + l.length, 0);
    // Everything up to the end of the shared window: records, blocks, and the region the superpages reach.
    const length = SHARED - RAM_BASE + SHARED_WINDOW;
    const reference = runQemu(batch.image, length);
    const runs = CORE_MODES.map((mode) => ({ mode: mode.mode, ...runVmledger(batch.image, length, mode) }));
    const qemu = await reference;
    for (const vm of runs) {
      const { sequences, elsewhere } = compareBatch(batch, qemu, vm.ram);
      if (!vm.finished) reports.push(`vmledger (${vm.mode}) did not reach the end of the batch (seeds ${batch.sequences[0]!.seed}..${batch.sequences.at(-1)!.seed})`);
      for (const d of sequences) reports.push(`${vm.mode}: ${describeDiff(batch, d, rerun(d.seq.seed))}`);
      if (elsewhere.length) reports.push(`${vm.mode}, outside any sequence:\n${elsewhere.slice(0, 16).map((l) => `  ${l}`).join('\n')}`);
    }
  }
  return { sequences: seeds.length, instructions, reports };
}

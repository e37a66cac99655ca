/**
 * Differential test against QEMU 7.2: random instruction sequences
 * (diff/sequence.ts: integer, memory through Sv39/Sv48 tables with random
 * permissions, F/D state), run in batches on qemu-system-riscv64 and on
 * vmledger's rv64 core, interpreted and compiled; afterwards their RAM, which holds every
 * sequence's registers, fcsr, mstatus, recorded traps, data pages and
 * page tables, must agree bit for bit.
 *
 * The seeds are fixed (DIFF_BASE moves them); a failure names each
 * differing sequence's seed, and DIFF_SEEDS=<seed>[,<seed>...] runs just
 * those. bench/cpu-differential.ts runs long campaigns on random seeds.
 */
import { describe, expect, it } from 'vitest';
import { itNeeding, lacking } from '../needs.js';
import { buildBatch } from './diff/batch.js';
import { compareBatch, describeDiff } from './diff/compare.js';
import { CTX, CTX_BASE, RAM_BASE } from './diff/layout.js';
import { runSeeds, sequenceFor } from './diff/oracle.js';

const COUNT = 300;
const BATCH = 150;
const BASE = Number(process.env.DIFF_BASE ?? 20_261_203);
const SEEDS = process.env.DIFF_SEEDS
  ? process.env.DIFF_SEEDS.split(',').map(Number)
  : Array.from({ length: COUNT }, (_, i) => BASE + i);

const rerun = (seed: number) => `DIFF_SEEDS=${seed} npx vitest run test/cpu/differential.test.ts`;

describe('differential test against QEMU 7.2', () => {
  it('names the differing register, both values and the seed to run again', () => {
    const batch = buildBatch([sequenceFor(7), sequenceFor(8)]);
    const qemu = batch.image.slice(0, 0x100000);
    const vmledger = qemu.slice();
    vmledger[CTX_BASE - RAM_BASE + 0x1000 + CTX.xOut + 8 * 4] = 0x5a;    // x5 of the second sequence
    const { sequences, elsewhere } = compareBatch(batch, qemu, vmledger);
    expect(elsewhere).toEqual([]);
    expect(sequences.map((d) => d.seq.seed)).toEqual([8]);
    const report = describeDiff(batch, sequences[0]!, rerun(8));
    expect(report).toContain('sequence seed 8');
    expect(report).toContain('x5: QEMU 0x0000000000000000, vmledger 0x000000000000005a');
    expect(report).toContain('DIFF_SEEDS=8 npx vitest run test/cpu/differential.test.ts');
  });

  itNeeding(`agrees bit for bit on ${SEEDS.length} random sequences of integer, paged memory and F/D instructions`, lacking('qemu-system-riscv64'), async () => {
    const result = await runSeeds(SEEDS, BATCH, rerun);
    expect(result.reports, `${result.reports.length} differences:\n\n${result.reports.join('\n\n')}`).toEqual([]);
  });
});

/**
 * Every operation in every rounding mode agrees bit for bit, flags included,
 * with the independent exact reference (reference.ts) on edge-biased
 * operands. The run is kept short for `npm test`; bench/fpu-campaign.ts runs
 * the same comparison on millions of cases.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { argsFor } from './generators.js';
import { OPS, show } from './subject.js';

const RUNS = Number(process.env.FPU_RUNS ?? 300);
const MODES = ['RNE', 'RTZ', 'RDN', 'RUP', 'RMM'];

describe('FPU against the exact reference', () => {
  for (const op of OPS) {
    const modes = op.rounds ? [0, 1, 2, 3, 4] : [0];
    for (const rm of modes) {
      it(`${op.name}${op.rounds ? ` ${MODES[rm]}` : ''} gives the reference's bits and flags`, () => {
        fc.assert(
          fc.property(argsFor(op), (args) => {
            const got = op.subject(args, rm), want = op.reference(args, rm);
            if (got.bits !== want.bits || got.flags !== want.flags)
              throw new Error(`${op.name} rm=${rm} (${args.map((a) => `0x${a.toString(16)}`).join(', ')}): got ${show(got)}, want ${show(want)}`);
          }),
          { numRuns: RUNS },
        );
      });
    }
  }
});

/**
 * A second oracle: the host C library on x86-64, whose SSE arithmetic is
 * IEEE 754 with tininess detected after rounding (as RISC-V), and glibc's
 * fma/fmaf, exact in every mode with exact flags. host-oracle.c is built
 * with the host gcc at test time and fed the same edge-biased operands as
 * the property tests (fixed seed), in RNE, RTZ, RDN and RUP.
 *
 * Not comparable, so left to the reference: RMM (x86 has no such mode), NaN
 * bits (x86 propagates payloads; only "is a NaN" is compared), FMIN/FMAX
 * (C's fmin differs on signalling NaNs and zeros), out-of-range and NaN
 * float-to-integer conversions (x86 does not saturate), and 0*inf + qNaN in
 * fma (whether it raises NV is implementation-defined; RISC-V says it does).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeNeeding, lacking } from '../../needs.js';
import { argsFor, valueOf } from './generators.js';
import { OPS, type Op } from './subject.js';

const PER_MODE = 400;
const SEED = 20261203;
const COMPARED = new Set(OPS.filter((o) => !/^f(min|max|class)\./.test(o.name)).map((o) => o.name));

const isNaNBits = (op: Op, bits: bigint, isFloatResult: boolean) => isFloatResult && Number.isNaN(valueOf(resultFmt(op), bits));
function resultFmt(op: Op) {
  if (op.name === 'fcvt.s.d') return { ...op.fmt, name: 'f32' as const, p: 24, ebits: 8, width: 32 };
  if (op.name === 'fcvt.d.s') return { ...op.fmt, name: 'f64' as const, p: 53, ebits: 11, width: 64 };
  if (/^fcvt\.[sd]\.(w|wu|l|lu)$/.test(op.name)) return op.name[5] === 's' ? { name: 'f32' as const, p: 24, ebits: 8, width: 32 } : { name: 'f64' as const, p: 53, ebits: 11, width: 64 };
  return op.fmt;
}

/** The oracle relies on x86-64's SSE semantics: elsewhere it cannot run, whatever is installed. */
const MISSING = process.arch === 'x64' ? lacking('gcc') : `an x86-64 host (this one is ${process.arch}): the oracle relies on SSE semantics`;

describeNeeding('FPU against the host C library (x86-64 SSE and glibc fma)', MISSING, () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmledger-fpu-oracle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const exe = join(dir, 'host-oracle');
  beforeAll(() => {
    const src = fileURLToPath(new URL('./host-oracle.c', import.meta.url));
    execFileSync('gcc', ['-O1', '-frounding-math', '-fno-math-errno', '-ffp-contract=off', '-o', exe, src, '-lm'], { stdio: ['ignore', 'ignore', 'pipe'] });
  });

  for (const op of OPS.filter((o) => COMPARED.has(o.name))) {
    it(`${op.name} agrees with the host in RNE, RTZ, RDN and RUP`, () => {
      const modes = op.rounds ? [0, 1, 2, 3] : [0];
      const cases: Array<{ args: bigint[]; rm: number }> = [];
      for (const rm of modes) for (const args of fc.sample(argsFor(op), { numRuns: PER_MODE, seed: SEED + rm })) cases.push({ args, rm });
      const input = cases.map(({ args, rm }) => `${op.name} ${rm} ${[0, 1, 2].map((i) => (args[i] ?? 0n).toString(16)).join(' ')}`).join('\n') + '\n';
      const lines = execFileSync(exe, { input, maxBuffer: 64 << 20 }).toString().trim().split('\n');
      expect(lines.length).toBe(cases.length);
      const floatResult = !/^f(eq|lt|le)\.|^fcvt\.(w|wu|l|lu)\./.test(op.name);
      const toInt = /^fcvt\.(w|wu|l|lu)\./.test(op.name);
      let compared = 0;
      const mismatches: string[] = [];
      cases.forEach(({ args, rm }, i) => {
        const [hb, hf] = lines[i]!.split(' ');
        const host = { bits: BigInt(`0x${hb}`), flags: parseInt(hf!, 16) };
        const got = op.subject(args, rm);
        if (toInt && (got.flags & 16) !== 0) return; // saturation: x86 does not
        if (toInt && op.name.startsWith('fcvt.lu') && got.bits >= 1n << 63n) return; // beyond llrint's range
        if (/^fn?m(add|sub)\./.test(op.name) && args.some((a) => isNaNBits(op, a, true))) return; // 0*inf + qNaN: implementation-defined
        const bitsAgree = isNaNBits(op, got.bits, floatResult) ? isNaNBits(op, host.bits, floatResult) : toInt ? BigInt.asUintN(op.name.includes('.w') ? 32 : 64, got.bits) === BigInt.asUintN(op.name.includes('.w') ? 32 : 64, host.bits) : got.bits === host.bits;
        compared++;
        if (!bitsAgree || got.flags !== host.flags)
          mismatches.push(`${op.name} rm=${rm} (${args.map((a) => `0x${a.toString(16)}`).join(', ')}): fpu 0x${got.bits.toString(16)} flags=${got.flags}, host 0x${host.bits.toString(16)} flags=${host.flags}`);
      });
      expect(mismatches.slice(0, 5)).toEqual([]);
      expect(compared).toBeGreaterThan(cases.length / 3);
    });
  }
});

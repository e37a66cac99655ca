import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogEntryDraft } from '../kernel/log/log-entry.js';

/** A scratch directory for a benchmark's databases, removed by `cleanup`. */
export function scratch(): { path: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'vmledger-bench-'));
  return { path: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const origin = { transport: 'qmp', endpoint: 'unix:/run/vm.sock', client: '1' };

/** A typical small change command (`qom-set` of one property), numbered `i`. */
export function benchDraft(i: number, stateHash: string): LogEntryDraft {
  return {
    time: Date.now(),
    origin,
    command: 'qom-set',
    args: { path: '/objects/c1', property: 'value', value: i },
    kind: 'change',
    applied: true,
    result: {},
    phaseBefore: 'machine-ready',
    phaseAfter: 'machine-ready',
    runStateBefore: 'prelaunch',
    runStateAfter: 'prelaunch',
    stateHash,
  };
}

/** Runs `step` (which does `unit` operations) repeatedly for at least `ms` and `minOps`; returns operations per second. */
export function rate(step: () => number, ms: number, minOps = 1): number {
  let ops = 0;
  const t0 = performance.now();
  let elapsed = 0;
  while (elapsed < ms || ops < minOps) {
    ops += step();
    elapsed = performance.now() - t0;
  }
  return ops / (elapsed / 1000);
}

/** Like `rate`, for asynchronous steps. */
export async function rateAsync(step: () => Promise<number>, ms: number): Promise<number> {
  let ops = 0;
  const t0 = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    ops += await step();
    elapsed = performance.now() - t0;
  }
  return ops / (elapsed / 1000);
}

/** `12,345/s`. */
export function perSecond(n: number): string {
  return `${Math.round(n).toLocaleString('en-US')}/s`;
}

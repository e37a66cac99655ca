/**
 * Planner time for a descriptive config of 1,000 devices (target: under
 * 200 ms), written in reverse dependency order so every edge matters:
 * each device references the one after it (a chain), a backend, and the
 * machine. Also times loading the same config from a YAML file.
 *
 *   npx tsx bench/cli-planner.ts
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadConfigFile, planDescriptive } from '../transports/config/index.js';

const N = 1000;
const devices: Record<string, Record<string, unknown>> = {};
for (let i = 0; i < N; i++) devices[`d${i}`] = { driver: 'virtio-blk-device', drive: `hd${i % 100}`, ...(i + 1 < N ? { bus: `d${i + 1}.0` } : {}) };
const blockdevs: Record<string, unknown> = {};
for (let i = 0; i < 100; i++) blockdevs[`hd${i}`] = { driver: 'file', filename: `disk${i}.img` };
const doc = { devices, blockdevs, machine: { type: 'virt', memory: '1G' } };

const time = (f: () => unknown): number => {
  const t0 = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t0) / 1e6;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

time(() => planDescriptive(doc)); // warm-up
const plan = [...Array(9)].map(() => time(() => planDescriptive(doc)));
const steps = planDescriptive(doc);
if (steps[0]!.execute !== 'blockdev-add' || steps.at(-2)!.arguments['id'] !== 'd0') throw new Error('unexpected plan order');

const dir = mkdtempSync(join(tmpdir(), 'vmledger-plan-'));
writeFileSync(join(dir, 'big.yaml'), stringify(doc));
const load = [...Array(5)].map(() => time(() => loadConfigFile(join(dir, 'big.yaml'))));

console.log(`planner, ${N} devices + 100 blockdevs + machine (${steps.length} commands), median of 9: ${median(plan).toFixed(1)} ms (target < 200 ms)`);
console.log(`load + plan from YAML, median of 5: ${median(load).toFixed(1)} ms`);

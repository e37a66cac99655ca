/**
 * Snapshot save and load of a 256 MiB virt machine running U-Boot
 * (`npx tsx bench/snapshot.ts`): time and file size with RAM as U-Boot
 * leaves it (mostly zero pages), then with 64 MiB of guest data that
 * deflate cannot shrink (the worst case), each against copying the whole
 * of RAM once in the same run.
 */
import { randomFillSync } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKernel } from '../kernel/index.js';
import { DEFAULT_PLUGINS } from '../main/default-plugins.js';
import { boardOf } from '../plugins/machines/virt/index.js';

const UBOOT = '/usr/lib/u-boot/qemu-riscv64/u-boot.bin';
const API = { transport: 'api' } as const;
const dir = mkdtempSync(join(tmpdir(), 'vmledger-bench-snap-'));
const k = await createKernel({ plugins: [...DEFAULT_PLUGINS] });
const run = (c: string, a: Record<string, unknown> = {}) => k.execute(c, a, API);
await run('machine-set', { type: 'virt', memory: 256 << 20, firmware: UBOOT, 'snapshot-dir': dir });
await run('until-phase', { phase: 'machine-ready' });
const board = boardOf(k.objects.get('/machine'));
for (let i = 0; i < 300; i++) {
  board.cluster.run(10_000);
  board.clock.advance(100_000);
}

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
let t0 = process.hrtime.bigint();
const copy = board.memory.ram.slice();
const copyMs = ms(t0);
console.log(`baseline: copy 256 MiB of RAM once      ${copyMs.toFixed(0).padStart(6)} ms`);

async function measure(label: string): Promise<void> {
  t0 = process.hrtime.bigint();
  await run('savevm', { tag: label });
  const save = ms(t0);
  const size = statSync(join(dir, `${label}.vmsnap`)).size;
  t0 = process.hrtime.bigint();
  await run('loadvm', { tag: label });
  const load = ms(t0);
  console.log(
    `${label.padEnd(14)} save ${save.toFixed(0).padStart(6)} ms (${(save / copyMs).toFixed(1)}x the copy)  load ${load.toFixed(0).padStart(6)} ms (${(load / copyMs).toFixed(1)}x)  file ${(size / 2 ** 20).toFixed(2)} MiB`,
  );
}

await measure('u-boot');
randomFillSync(board.memory.ram, 128 << 20, 64 << 20);
await measure('64MiB-random');
await run('quit');
rmSync(dir, { recursive: true, force: true });

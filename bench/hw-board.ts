/**
 * Time to build and realize a virt board with 8 virtio devices through the
 * kernel (machine-set, 8 x device_add, until-phase machine-ready), with a
 * stub CPU so only the board is measured (`npx tsx bench/hw-board.ts`).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKernel, definePlugin } from '../kernel/index.js';
import blockPlugin from '../plugins/backends/block/index.js';
import chardevPlugin from '../plugins/backends/chardev/index.js';
import devicesPlugin from '../plugins/devices/index.js';
import { CPU_MODELS, type CpuModel } from '../plugins/hw/cpu.js';
import hwPlugin from '../plugins/hw/index.js';
import virtPlugin from '../plugins/machines/virt/index.js';

const stub: CpuModel = {
  name: 'rv64',
  properties: {},
  describe: () => ({ isa: 'rv64imac_zicsr_zifencei', isaBase: 'rv64i', isaExtensions: ['i', 'm', 'a', 'c', 'zicsr', 'zifencei'] }),
  createCluster: ({ harts }) => ({
    harts: Array.from({ length: harts }, (_, hartId) => ({ hartId, setInterrupt() {}, pc: () => 0, halted: () => true })),
    reset() {},
    run: () => ({ executed: 0, idle: true }),
    retired: () => 0,
  }),
};
const cpu = definePlugin({ name: 'stub-cpu', version: '0', dependsOn: ['hw'], setup: (h) => void h.use<Map<string, CpuModel>>(CPU_MODELS).set('rv64', stub) });
const dir = mkdtempSync(join(tmpdir(), 'bench-'));
for (let i = 0; i < 4; i++) writeFileSync(join(dir, `d${i}.img`), new Uint8Array(1 << 20));
const api = { transport: 'api' };

async function once(): Promise<number> {
  const t0 = performance.now();
  const k = await createKernel({ plugins: [hwPlugin, devicesPlugin, virtPlugin, chardevPlugin, blockPlugin, cpu] });
  await k.execute('machine-set', { type: 'virt' }, api);
  await k.execute('until-phase', { phase: 'machine-initialized' }, api);
  for (let i = 0; i < 4; i++) {
    await k.execute('blockdev-add', { driver: 'file', 'node-name': `d${i}`, filename: join(dir, `d${i}.img`) }, api);
    await k.execute('device_add', { driver: 'virtio-blk-device', drive: `d${i}` }, api);
  }
  for (let i = 0; i < 4; i++) await k.execute('device_add', { driver: 'virtio-rng-device' }, api);
  await k.execute('until-phase', { phase: 'machine-ready' }, api);
  const ms = performance.now() - t0;
  await k.close();
  return ms;
}

const runs: number[] = [];
for (let i = 0; i < 12; i++) runs.push(await once());
const warm = runs.slice(2).sort((a, b) => a - b);
console.log(`virt + 8 virtio devices, kernel to machine-ready: first ${runs[0]!.toFixed(1)} ms, warm median ${warm[warm.length >> 1]!.toFixed(2)} ms, min ${warm[0]!.toFixed(2)} ms`);

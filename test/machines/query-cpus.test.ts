import { afterEach, describe, expect, it } from 'vitest';
import type { Kernel } from '../../kernel/index.js';
import cpuRv64Plugin from '../../plugins/cpu-rv64/index.js';
import hmpPlugin, { HMP_PROMPT } from '../../transports/hmp/index.js';
import { API, hwKernel, run } from './helpers.js';

const kernels: Kernel[] = [];
afterEach(async () => {
  for (const k of kernels.splice(0)) await k.close();
});

/** A two-hart virt machine built and stopped at the reset vector, with the real RISC-V core. */
async function twoHarts(): Promise<Kernel> {
  const k = await hwKernel([hmpPlugin], cpuRv64Plugin);
  kernels.push(k);
  await run(k, ['machine-set', { type: 'virt', cpus: 2 }], ['until-phase', { phase: 'machine-ready' }]);
  return k;
}

describe('query-cpus-fast', () => {
  it('lists every hart in QEMU’s shape, with its pc and whether it waits in wfi', async () => {
    const k = await twoHarts();
    expect(await run(k, ['query-cpus-fast'])).toEqual([0, 1].map((i) => ({
      'cpu-index': i,
      'qom-path': `/machine/soc0/harts[${i}]`,
      'thread-id': process.pid,
      target: 'riscv64',
      props: { 'core-id': i },
      pc: 0x1000,
      halted: false,
    })));
  });

  it('is refused before the board has harts, naming the phase it needs', async () => {
    const k = await hwKernel();
    kernels.push(k);
    await run(k, ['machine-set', { type: 'virt' }]);
    await expect(k.execute('query-cpus-fast', {}, API)).rejects.toThrow(/machine-initialized/);
  });

  it('HMP info cpus prints it as QEMU does: the current CPU starred, the others indented', async () => {
    const k = await twoHarts();
    await run(k, ['chardev-add', { id: 'mon', backend: { type: 'ringbuf' } }], ['monitor-add', { protocol: 'hmp', endpoint: 'chardev:mon' }]);
    k.setConfigured();
    await run(k, ['ringbuf-write', { device: 'mon', data: 'info cpus\r' }]);
    let out = '';
    while (!(out.includes('CPU #1') && out.endsWith(HMP_PROMPT))) {
      await new Promise((r) => setImmediate(r));
      out += (await run(k, ['ringbuf-read', { device: 'mon', size: 4096 }])) as string;
    }
    expect(out).toContain(`* CPU #0: thread_id=${process.pid}\r\n  CPU #1: thread_id=${process.pid}\r\n`);
  });
});

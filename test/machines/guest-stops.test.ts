/**
 * A guest the machine cannot run any further: a hart whose trap vector
 * itself faults (a trap storm) makes the machine report guest-panicked, and
 * a fault of the emulator's CPU makes it report internal-error; either way
 * with the pc and the cause in the event and in query-status, and never a
 * host stack trace. The first tests use a stand-in CPU whose hart reports
 * what the real core's `trapStorm` hook reports (the board, run loop and
 * kernel are real); the last ones run real programs on the real core.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { definePlugin, type Kernel, type KernelEvent, type Plugin } from '../../kernel/index.js';
import cpuRv64Plugin from '../../plugins/cpu-rv64/index.js';
import { CPU_MODELS, type CpuCluster, type CpuModel, type Hart, type TrapStorm } from '../../plugins/hw/cpu.js';
import { TRAP_STORM_REPEATS } from '../../plugins/hw/run-loop.js';
import { runVmledger } from '../e2e/run-vmledger.js';
import { API, hwKernel, run, stubCpu } from './helpers.js';

/** A one-hart CPU whose `run` does what `behave` says once the guest starts. */
function cpuPlugin(behave: { storm?: TrapStorm; throws?: Error; pc?: number }) {
  const model: CpuModel = {
    ...stubCpu,
    createCluster(): CpuCluster {
      let ran = false;
      const hart: Hart = {
        hartId: 0,
        setInterrupt() {},
        pc: () => behave.pc ?? 0,
        halted: () => false,
        trapStorm: () => (ran && behave.storm ? behave.storm : { repeats: 0, cause: 0, pc: 0, tval: 0 }),
      };
      return {
        harts: [hart],
        reset() {},
        run(budget) {
          if (behave.throws) throw behave.throws;
          ran = true;
          return { executed: budget, idle: false };
        },
        retired: () => 0,
      };
    },
  };
  return definePlugin({ name: 'test-cpu', version: '0', dependsOn: ['hw'], setup: (host) => void host.use<Map<string, CpuModel>>(CPU_MODELS).set('rv64', model) });
}

const kernels: Kernel[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const k of kernels.splice(0)) await k.close();
});

/** Starts a virt machine on `cpu` (with `machine` properties and `actions` for set-action) and waits for the event `until`. */
async function startUntil(cpu: Plugin, until: string, actions: Record<string, string> = {}, machine: Record<string, unknown> = {}): Promise<{ k: Kernel; events: KernelEvent[] }> {
  const k = await hwKernel([], cpu);
  kernels.push(k);
  const events: KernelEvent[] = [];
  const seen = new Promise<void>((done) => k.bus.events.subscribe((e) => {
    events.push(e);
    if (e.event === until) done();
  }));
  await run(k, ['set-action', actions], ['machine-set', { type: 'virt', ...machine }], ['cont']);
  await seen;
  return { k, events };
}

/** Instruction access fault at pc 0, which is where mtvec sends it: RAM ran out and nothing handles the fault. */
const OFF_THE_END: TrapStorm = { repeats: TRAP_STORM_REPEATS, cause: 1, pc: 0, tval: 0 };

describe('a guest the machine cannot run any further', () => {
  it('reports a trap storm as guest-panicked, with the hart, pc, cause and tval in GUEST_PANICKED and in query-status', async () => {
    const { k, events } = await startUntil(cpuPlugin({ storm: { repeats: TRAP_STORM_REPEATS + 5, cause: 2, pc: Number(BigInt.asIntN(64, 0xffffffff80001234n)), tval: 0x73 } }), 'GUEST_PANICKED', { panic: 'pause' });
    const info = {
      type: 'riscv',
      message: `trap storm on hart 0: illegal instruction at pc 0xffffffff80001234 (tval 0x73), ${TRAP_STORM_REPEATS + 5} times in a row at the address it traps to: the trap handler faults`,
      hart: 0,
      pc: '0xffffffff80001234',
      cause: 2,
      tval: '0x73',
    };
    expect(events.find((e) => e.event === 'GUEST_PANICKED')?.data).toEqual({ action: 'pause', info });
    expect(await run(k, ['query-status'])).toEqual({ running: false, singlestep: false, status: 'guest-panicked', info });
  });

  it('with the default panic action, shuts down after GUEST_PANICKED with reason guest-panic and exit status 1', async () => {
    const { k, events } = await startUntil(cpuPlugin({ storm: OFF_THE_END }), 'SHUTDOWN');
    const exit = new Promise<number>((done) => k.onExit(done));
    expect(events.map((e) => e.event).filter((e) => e !== 'RESUME')).toEqual(['GUEST_PANICKED', 'SHUTDOWN']);
    expect(events.find((e) => e.event === 'GUEST_PANICKED')?.data).toMatchObject({ action: 'shutdown', info: { pc: '0x0', cause: 1 } });
    expect(events.find((e) => e.event === 'SHUTDOWN')?.data).toEqual({ guest: true, reason: 'guest-panic' });
    expect(await exit).toBe(1);
  });

  it('takes a run of fewer exceptions than the storm threshold for a guest still making progress', async () => {
    const k = await hwKernel([], cpuPlugin({ storm: { ...OFF_THE_END, repeats: TRAP_STORM_REPEATS - 1 } }));
    kernels.push(k);
    await run(k, ['machine-set', { type: 'virt' }], ['cont']);
    await new Promise((r) => setTimeout(r, 50));
    expect(await run(k, ['query-status'])).toEqual({ running: true, singlestep: false, status: 'running' });
  });

  it('reports a fault of the CPU itself as internal-error: one line on stderr, no stack, the message and pc in query-status', async () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    const { k } = await startUntil(cpuPlugin({ throws: new Error('decoder table has no entry 0x7f'), pc: 0x80000040 }), 'STOP');
    const status = await run(k, ['query-status']);
    vi.restoreAllMocks();
    expect(status).toEqual({
      running: false,
      singlestep: false,
      status: 'internal-error',
      info: { type: 'riscv', message: 'the CPU stopped: decoder table has no entry 0x7f', hart: 0, pc: '0x80000040' },
    });
    expect(written).toEqual(['vmledger: the CPU stopped: decoder table has no entry 0x7f\n']);
    await expect(run(k, ['cont'])).rejects.toThrow(/Resetting the Virtual Machine is required/);
  });
});

/** A raw firmware image of little-endian 32-bit words. */
function firmware(name: string, words: number[]): string {
  const image = new Uint8Array(words.length * 4);
  const v = new DataView(image.buffer);
  words.forEach((w, i) => v.setUint32(i * 4, w, true));
  const path = join(mkdtempSync(join(tmpdir(), 'vmledger-storm-')), name);
  writeFileSync(path, image);
  return path;
}

describe('trap storms on the real core', () => {
  it('a guest that jumps past the end of RAM, with no trap handler, is reported with the fetch fault at pc 0', async () => {
    // li t0, 0x81000000 (the end of 16 MiB of RAM); jr t0. The fetch faults, and mtvec is still 0, where nothing can be fetched either.
    const fw = firmware('off-the-end.bin', [0x00100293, 0x01f29293, 0x01000337, 0x006282b3, 0x00028067]);
    const { k, events } = await startUntil(cpuRv64Plugin, 'GUEST_PANICKED', { panic: 'pause' }, { memory: 16 * 1024 * 1024, firmware: fw });
    const info = events.find((e) => e.event === 'GUEST_PANICKED')?.data?.info;
    expect(info).toMatchObject({ type: 'riscv', hart: 0, pc: '0x0', cause: 1 });
    expect(await run(k, ['query-status'])).toMatchObject({ status: 'guest-panicked', info });
  });

  it('ends the program with status 1 and one line naming the pc and the cause (the default panic action)', async () => {
    const fw = firmware('off-the-end.bin', [0x00100293, 0x01f29293, 0x01000337, 0x006282b3, 0x00028067]);
    const r = await runVmledger(['-M', 'virt', '-m', '16M', '-bios', fw, '-display', 'none', '-serial', 'null'], dirname(fw));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^vmledger: trap storm on hart 0: instruction access fault at pc 0x0 \(tval 0x0\), \d+ times in a row at the address it traps to: the trap handler faults\n$/);
  });

  it('a trap handler that is itself an illegal instruction is reported with its pc and cause 2', async () => {
    // auipc t0, 0; addi t0, t0, 12; csrw mtvec, t0; then mtvec's own word: 0, an illegal instruction.
    const fw = firmware('loop.bin', [0x00000297, 0x00c28293, 0x30529073, 0x00000000]);
    const { k } = await startUntil(cpuRv64Plugin, 'GUEST_PANICKED', { panic: 'pause' }, { firmware: fw });
    expect(await run(k, ['query-status'])).toMatchObject({ status: 'guest-panicked', info: { hart: 0, pc: '0x8000000c', cause: 2, tval: '0x0' } });
  });
});

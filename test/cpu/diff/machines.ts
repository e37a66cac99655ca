/**
 * The two machines a batch runs on, each returning its RAM afterwards.
 *
 * QEMU 7.2 (the reference): -M virt -bios none with the batch as a raw
 * -kernel at 0x80000000 and its RAM in a shared memory-backend-file, so
 * the whole RAM is read back when QEMU exits, with no dump code in the
 * guest.
 *
 * vmledger: the rv64 core itself on the test bus (test/cpu/test-bus.ts),
 * in this process, rather than the program dist/vmledger.mjs. What is
 * compared is the core's architectural effect, and this way all of RAM
 * is compared directly, a batch costs no process start-up, the core's
 * execution paths can be chosen (interpreted only, or every block
 * compiled when first reached: the sequences run once, so at the
 * program's default threshold they would never be compiled), and a
 * failing seed can be stepped through in a debugger. The sequences touch
 * only RAM and the test device, which the test bus has as QEMU's virt
 * board does; the program adds the board's other devices and the command
 * log, which they never reach, and runs the same core.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QEMU_BIN, REFERENCE_CPU, smpArg } from '../../isa/qemu.js';
import { runProgram, TestBus } from '../test-bus.js';
import { RAM_SIZE } from './layout.js';

/** Bound on one batch (a few hundred sequences take well under a second). */
const TIMEOUT_MS = 60_000;

/** Runs `image` on QEMU; resolves with its RAM (`length` bytes from RAM_BASE). */
export function runQemu(image: Uint8Array, length: number): Promise<Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), 'vmledger-diff-'));
  const kernel = join(dir, 'batch.bin');
  const ramFile = join(dir, 'ram');
  writeFileSync(kernel, image);
  const args = [
    '-M', 'virt,memory-backend=ram', '-object', `memory-backend-file,id=ram,size=${RAM_SIZE >> 20}M,mem-path=${ramFile},share=on`,
    '-m', `${RAM_SIZE >> 20}M`, '-cpu', REFERENCE_CPU, '-smp', smpArg(1), '-accel', 'tcg,thread=multi',
    '-bios', 'none', '-kernel', kernel, '-display', 'none', '-serial', 'null', '-monitor', 'none',
  ];
  return new Promise<Uint8Array>((done, fail) => {
    const child = spawn(QEMU_BIN, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let timedOut = false;
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, TIMEOUT_MS);
    child.on('error', (e) => { clearTimeout(timer); fail(new Error(`${QEMU_BIN}: ${e.message}`)); });
    child.on('close', (status) => {
      clearTimeout(timer);
      if (timedOut) return fail(new Error(`QEMU did not finish the batch in ${TIMEOUT_MS / 1000} s`));
      if (status !== 0 || stderr.trim() !== '') return fail(new Error(`QEMU ended with status ${status}: ${stderr.trim()}`));
      done(new Uint8Array(readFileSync(ramFile).subarray(0, length)));
    });
  }).finally(() => rmSync(dir, { recursive: true, force: true }));
}

/** Most instructions a batch may take on vmledger (a batch of a few hundred sequences takes about 100,000). */
const MAX_INSNS = 20_000_000;

/** How vmledger's core runs a batch: `hot` as in runProgram (-1 interprets everything, 1 compiles each block when first reached). */
export const CORE_MODES = [
  { mode: 'interpreted', hot: -1 },
  { mode: 'compiled', hot: 1 },
] as const;
export type CoreMode = typeof CORE_MODES[number];

/**
 * Runs `image` on vmledger's rv64 core in `mode`; returns its RAM
 * (`length` bytes from RAM_BASE), and whether the driver reached its end:
 * if not, the records of the sequences it did not finish stay empty, and
 * the comparison shows the first of them.
 */
export function runVmledger(image: Uint8Array, length: number, mode: CoreMode): { ram: Uint8Array; finished: boolean } {
  const bus = new TestBus(RAM_SIZE);
  const { outcome } = runProgram(image, { bus, maxInsns: MAX_INSNS, slice: 100_000, hot: mode.hot });
  return { ram: bus.ram.slice(0, length), finished: outcome.kind === 'pass' };
}

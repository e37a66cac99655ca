/**
 * Firmware boot time: wall time from process start to U-Boot's "Hit any key
 * to stop autoboot" line, vmledger (dist/vmledger.mjs, run `npm run build`
 * first) against qemu-system-riscv64 TCG with the same firmware and memory,
 * in the same run, plus vmledger's MIPS over that boot (instructions retired
 * / process CPU seconds, from the CPU plugin's VMLEDGER_CPU_STATS report).
 *
 *   npx tsx bench/boot-autoboot.ts [runs]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cpuMsOf } from './process-cpu.js';

const RUNS = Number(process.argv[2] ?? 3);
const UBOOT = '/usr/lib/u-boot/qemu-riscv64/u-boot.bin';
const MARKER = 'Hit any key to stop autoboot';
const VMLEDGER = resolve('dist/vmledger.mjs');
const TIMEOUT_MS = 300_000;

interface Sample { ms: number; cpuMs: number; mips?: number; retired?: number }

/** Spawns `cmd`, resolves with the time until MARKER appears on stdout, then stops the process. */
function timeToMarker(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Sample> {
  return new Promise((done, fail) => {
    const start = performance.now();
    const child = spawn(cmd, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '', err = '', ms = -1, cpuMs = NaN;
    const timer = setTimeout(() => { child.kill('SIGKILL'); fail(new Error(`${cmd}: no marker after ${TIMEOUT_MS} ms:\n${out}\n${err}`)); }, TIMEOUT_MS);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('latin1');
      if (ms < 0 && out.includes(MARKER)) {
        ms = performance.now() - start;
        cpuMs = cpuMsOf(child.pid);
        child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (d: Buffer) => { err += d.toString('latin1'); });
    child.on('exit', () => {
      clearTimeout(timer);
      if (ms < 0) { fail(new Error(`${cmd} exited before the marker:\n${out}\n${err}`)); return; }
      const m = /cpu-rv64 stats: retired=(\d+) cpu_s=([\d.]+) mips=([\d.]+)/.exec(err);
      done(m ? { ms, cpuMs, retired: Number(m[1]), mips: Number(m[3]) } : { ms, cpuMs });
    });
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

if (!existsSync(UBOOT)) throw new Error(`${UBOOT} missing (apt-get install u-boot-qemu)`);
if (!existsSync(VMLEDGER)) throw new Error(`${VMLEDGER} missing (npm run build)`);
const cwd = mkdtempSync(join(tmpdir(), 'vmledger-bench-'));
const vm: Sample[] = [], qemu: Sample[] = [];
try {
  for (let i = 0; i < RUNS; i++) {
    // Alternate the two so a change in machine load hits both alike.
    vm.push(await timeToMarker(process.execPath, [VMLEDGER, '-log', join(cwd, `run${i}.db`), '-M', 'virt', '-m', '128M', '-bios', UBOOT, '-nographic'],
      { ...process.env, VMLEDGER_CPU_STATS: '1' }, cwd));
    qemu.push(await timeToMarker('qemu-system-riscv64', ['-M', 'virt', '-m', '128M', '-bios', UBOOT, '-nographic'], process.env, cwd));
  }
} finally {
  rmSync(cwd, { recursive: true, force: true });
}
const v = median(vm.map((s) => s.ms)), q = median(qemu.map((s) => s.ms));
console.log(`runs: ${RUNS} (medians)`);
console.log(`vmledger             ${v.toFixed(0).padStart(7)} ms   [${vm.map((s) => s.ms.toFixed(0)).join(', ')}]`);
console.log(`qemu-system-riscv64  ${q.toFixed(0).padStart(7)} ms   [${qemu.map((s) => s.ms.toFixed(0)).join(', ')}]`);
console.log(`ratio vmledger/qemu: ${(v / q).toFixed(2)}x   (target, issue 11: <= 1.5x)`);
const vc = median(vm.map((s) => s.cpuMs)), qc = median(qemu.map((s) => s.cpuMs));
console.log(`CPU time to the marker: vmledger ${vc.toFixed(0)} ms, qemu ${qc.toFixed(0)} ms, ratio ${(vc / qc).toFixed(2)}x`);
const mips = vm.filter((s) => s.mips !== undefined);
if (mips.length) console.log(`vmledger MIPS over the boot (retired / process CPU s): ${median(mips.map((s) => s.mips!)).toFixed(1)}   retired ≈ ${median(mips.map((s) => s.retired!))}`);

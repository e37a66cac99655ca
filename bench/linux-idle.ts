/**
 * An idle Linux guest's cost to the host: Debian's kernel booted to a busybox
 * shell waiting at its prompt (the hart in wfi), left 30 s to finish the work
 * the kernel defers past starting init, then the emulator process's CPU time
 * over a measured stretch of wall time, as a share of one core;
 * vmledger (dist/vmledger.mjs, run `npm run build` first) against
 * qemu-system-riscv64 TCG with the same command line, in the same run.
 * Target (issue 11): an idle guest uses under 5% of a host core.
 *
 *   npx tsx bench/linux-idle.ts [seconds]
 *
 * Needs the guest in .cache/linux-guest (fetched by the tests or .ci/run) and cpio.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { linuxCommandLine } from '../test/linux/boot.js';
import { INIT_MOUNTS, initramfsWithInit, linuxGuest } from '../test/linux/guest.js';

const SECONDS = Number(process.argv[2] ?? 20);
const VMLEDGER = resolve('dist/vmledger.mjs');
const PROMPT = 'idle-bench# ';
const BOOT_LIMIT_MS = 20 * 60_000;
const SETTLE_MS = 30_000;
/** Clock ticks per second of /proc/PID/stat's utime and stime (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** /init: a shell on the console, waiting for input. */
const INIT = `${INIT_MOUNTS}\nexport PS1='${PROMPT}'\nexec /bin/busybox sh\n`;

/** CPU seconds the process has used (user + system), from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
}

/** Resolves once `marker` has been printed (after `from` bytes), rejects after the boot limit or if the process exits. */
function printed(child: ChildProcess, marker: string): Promise<void> {
  return new Promise((done, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`no ${JSON.stringify(marker)} after ${BOOT_LIMIT_MS} ms:\n${out.slice(-2000)}`)), BOOT_LIMIT_MS);
    child.stdout!.setEncoding('latin1').on('data', (d: string) => {
      out += d;
      if (out.includes(marker)) {
        clearTimeout(timer);
        done();
      }
    });
    child.on('exit', (code) => fail(new Error(`exited with ${code} before ${JSON.stringify(marker)}:\n${out.slice(-2000)}`)));
  });
}

/** Boots `cmd`, waits for the prompt, then returns the share of a core it used over SECONDS of idling. */
async function idleShare(cmd: string, args: string[], cwd: string): Promise<number> {
  const child = spawn(cmd, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  try {
    await printed(child, PROMPT);
    // The kernel goes on working for a while after it starts init (at vmledger's speed, tens of seconds).
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const before = cpuSeconds(child.pid!);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    return (cpuSeconds(child.pid!) - before) / ((performance.now() - t0) / 1000);
  } finally {
    child.kill('SIGKILL');
  }
}

const { guest, missing } = await linuxGuest();
if (!guest) throw new Error(`missing: ${missing}`);
if (!existsSync(VMLEDGER)) throw new Error(`${VMLEDGER} missing (npm run build)`);
const dir = mkdtempSync(join(tmpdir(), 'vmledger-idle-'));
try {
  const args = linuxCommandLine(guest, initramfsWithInit(guest, INIT, dir, 'initrd-idle.gz'));
  const vm = await idleShare(process.execPath, [VMLEDGER, '-log', join(dir, 'idle.db'), ...args], dir);
  const qemu = await idleShare('qemu-system-riscv64', args, dir);
  const pct = (x: number) => `${(100 * x).toFixed(1)}% of a core`;
  console.log(`idle Linux guest at a shell prompt, CPU over ${SECONDS} s of wall time:`);
  console.log(`vmledger             ${pct(vm)}`);
  console.log(`qemu-system-riscv64  ${pct(qemu)}`);
  console.log(`vmledger - qemu: ${(100 * (vm - qemu)).toFixed(1)} points   (target: vmledger < 5% of a core)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

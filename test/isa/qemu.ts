/**
 * QEMU 7.2 as the reference machine: runs a bare-metal program on
 * `qemu-system-riscv64 -M virt -bios none` (Debian package qemu-system-misc)
 * with a CPU configured to have exactly what vmledger's rv64 core has, and
 * reads what it reported through the SiFive test device (QEMU exits with
 * status 0 for 0x5555, with `code` for (code << 16) | 0x3333).
 */
import { spawn, spawnSync } from 'node:child_process';

export const QEMU_BIN = process.env.QEMU_SYSTEM_RISCV64 ?? 'qemu-system-riscv64';

/**
 * `-cpu`: QEMU 7.2's rv64 with what vmledger lacks turned off, so that
 * misa, the CSR set and the decoder match: no hypervisor (h), no bit
 * manipulation (zba, zbb, zbc, zbs), no Sstc, no pause hint, no hpm
 * counters, no debug triggers, and marchid/mimpid 0 as vmledger reports.
 * QEMU 7.2 has no switch for its Sv57 (satp accepts mode 10 there).
 */
export const REFERENCE_CPU = 'rv64,h=false,zba=false,zbb=false,zbc=false,zbs=false,sstc=false,Zihintpause=false,pmu-num=0,debug=false,marchid=0,mimpid=0';

/**
 * `-smp`: with room for a second hart QEMU's TCG takes its parallel path,
 * where an AMO is one read-modify-write access checked as a store, as the
 * specification requires. With a single possible hart, QEMU 7.2 splits an
 * AMO into a load and a store, so a misaligned AMO raises a load
 * address-misaligned exception (cause 4) instead of the store/AMO one (6),
 * and an AMO to a page it may not read raises a load page fault.
 */
export function smpArg(harts: number): string {
  return `${harts},maxcpus=${Math.max(2, harts)}`;
}

/** Whether qemu-system-riscv64 runs here. */
export function haveQemu(): boolean {
  return spawnSync(QEMU_BIN, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** What a program reported on QEMU. */
export type QemuOutcome = { kind: 'pass' } | { kind: 'fail'; code: number } | { kind: 'timeout' };

/** Longest a program may run on QEMU (they finish in well under a second). */
const QEMU_TIMEOUT_MS = 30_000;

/** Runs `kernel` (an ELF or raw image for 0x80000000) on QEMU's virt board with `harts` harts and `memoryMiB` of RAM. */
export function runOnQemu(kernel: string, opts: { harts?: number; memoryMiB?: number; extra?: string[] } = {}): Promise<QemuOutcome> {
  const args = [
    '-M', 'virt', '-cpu', REFERENCE_CPU, '-smp', smpArg(opts.harts ?? 1), '-accel', 'tcg,thread=multi',
    '-m', `${opts.memoryMiB ?? 4}M`, '-bios', 'none', '-kernel', kernel,
    '-display', 'none', '-serial', 'null', '-monitor', 'none', ...(opts.extra ?? []),
  ];
  return new Promise((done, fail) => {
    const child = spawn(QEMU_BIN, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let timedOut = false;
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, QEMU_TIMEOUT_MS);
    child.on('error', (e) => { clearTimeout(timer); fail(new Error(`${QEMU_BIN}: ${e.message}`)); });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      if (timedOut) return done({ kind: 'timeout' });
      // QEMU's own errors (bad options, a kernel it cannot load) also exit with 1: tell them apart by what it printed.
      if (stderr.trim() !== '') return fail(new Error(`${QEMU_BIN} ${args.join(' ')}: ${stderr.trim()}`));
      if (status === 0) return done({ kind: 'pass' });
      if (status !== null) return done({ kind: 'fail', code: status });
      fail(new Error(`${QEMU_BIN} ended by signal ${signal}`));
    });
  });
}

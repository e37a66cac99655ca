/**
 * Builds the bare-metal ISA test programs in this folder with Debian's
 * cross toolchain (gcc-riscv64-linux-gnu, binutils-riscv64-linux-gnu):
 * `-nostdlib -nostartfiles`, linked at 0x80000000 by link.ld, flattened
 * with objcopy. Tests and bench/cpu-mips.ts call it; nothing is committed
 * in binary form.
 *
 * Each program is built for one of two platforms: the test bus
 * (test/cpu/test-bus.ts, where vmledger's core runs it) and QEMU 7.2's
 * virt board (the reference run, `-DQEMU_VIRT`). The CPU expectations are
 * the same in both; common.h says where the platforms differ.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folder holding the .S sources and link.ld. */
export const ISA_DIR = dirname(fileURLToPath(import.meta.url));
const GCC = process.env.RISCV_GCC ?? 'riscv64-linux-gnu-gcc';
const OBJCOPY = process.env.RISCV_OBJCOPY ?? 'riscv64-linux-gnu-objcopy';

/** The machine a program is built for. */
export type Platform = 'test-bus' | 'qemu-virt';

/** Whether the cross toolchain is installed. */
export function haveToolchain(): boolean {
  try {
    for (const tool of [GCC, OBJCOPY]) execFileSync(tool, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Throws a clear error when the cross toolchain is not installed. */
export function requireToolchain(): void {
  if (!haveToolchain()) {
    throw new Error(`${GCC} or ${OBJCOPY} not found: install Debian's gcc-riscv64-linux-gnu and binutils-riscv64-linux-gnu (apt-get install gcc-riscv64-linux-gnu)`);
  }
}

/** Build output folder (one per process). */
export const BUILD_DIR = join(tmpdir(), `vmledger-isa-${process.pid}`);

/** Assembles `name`.S for `platform` into an ELF file linked at 0x80000000; returns its path. */
export function buildIsaElf(name: string, platform: Platform = 'test-bus'): string {
  if (!existsSync(BUILD_DIR)) mkdirSync(BUILD_DIR, { recursive: true });
  const src = join(ISA_DIR, `${name}.S`);
  const elf = join(BUILD_DIR, `${name}.${platform}.elf`);
  try {
    execFileSync(GCC, [
      '-nostdlib', '-nostartfiles', '-static', '-fno-pic', '-fno-pie', '-no-pie', '-Wl,--build-id=none',
      '-march=rv64imafdc_zicsr_zifencei', '-mabi=lp64', ...(platform === 'qemu-virt' ? ['-DQEMU_VIRT'] : []),
      `-I${ISA_DIR}`, '-Wl,-T,' + join(ISA_DIR, 'link.ld'), '-Wl,--no-relax', '-o', elf, src,
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`${name}.S does not assemble:\n${stderr ?? (e as Error).message}`);
  }
  return elf;
}

/** Assembles `name`.S for the test bus into a flat binary image loaded at 0x80000000. */
export function buildIsaProgram(name: string): Uint8Array {
  const elf = buildIsaElf(name);
  const bin = elf.replace(/\.elf$/, '.bin');
  execFileSync(OBJCOPY, ['-O', 'binary', elf, bin]);
  return new Uint8Array(readFileSync(bin));
}

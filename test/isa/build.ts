/**
 * Builds the bare-metal ISA test programs in this folder with Debian's
 * cross toolchain (gcc-riscv64-linux-gnu, binutils-riscv64-linux-gnu):
 * `-nostdlib -nostartfiles`, linked at 0x80000000 by link.ld, flattened
 * with objcopy. Tests and bench/cpu-mips.ts call it; nothing is committed
 * in binary form.
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

/** Throws a clear error when the cross toolchain is not installed. */
export function requireToolchain(): void {
  for (const tool of [GCC, OBJCOPY]) {
    try {
      execFileSync(tool, ['--version'], { stdio: 'ignore' });
    } catch {
      throw new Error(`${tool} not found: install Debian's gcc-riscv64-linux-gnu and binutils-riscv64-linux-gnu (apt-get install gcc-riscv64-linux-gnu)`);
    }
  }
}

/** Build output folder (one per process). */
export const BUILD_DIR = join(tmpdir(), `vmledger-isa-${process.pid}`);

/** Assembles `name`.S into a flat binary image loaded at 0x80000000. */
export function buildIsaProgram(name: string): Uint8Array {
  if (!existsSync(BUILD_DIR)) mkdirSync(BUILD_DIR, { recursive: true });
  const src = join(ISA_DIR, `${name}.S`);
  const elf = join(BUILD_DIR, `${name}.elf`);
  const bin = join(BUILD_DIR, `${name}.bin`);
  execFileSync(GCC, [
    '-nostdlib', '-nostartfiles', '-static', '-fno-pic', '-fno-pie', '-no-pie', '-Wl,--build-id=none', '-march=rv64imac_zicsr_zifencei', '-mabi=lp64',
    `-I${ISA_DIR}`, '-Wl,-T,' + join(ISA_DIR, 'link.ld'), '-Wl,--no-relax', '-o', elf, src,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  execFileSync(OBJCOPY, ['-O', 'binary', elf, bin]);
  return new Uint8Array(readFileSync(bin));
}

/**
 * The bare-metal ISA test programs in this folder, built with Debian's
 * cross toolchain (gcc-riscv64-linux-gnu, binutils-riscv64-linux-gnu):
 * `-nostdlib -nostartfiles`, linked at 0x80000000 by link.ld, flattened
 * with objcopy.
 *
 * The built images are committed under programs/, as the demo firmware is,
 * so the tests run on a machine with Node alone; programs/programs.json
 * holds the digest of the sources each image was built from and of the
 * image itself. `npm run build:isa` rebuilds them; test/cpu/isa-programs.test.ts
 * fails when a source changed without a rebuild, and, where the toolchain
 * is installed, when a rebuild gives other bytes than the committed ones.
 *
 * Each program is built for one of two platforms: the test bus
 * (test/cpu/test-bus.ts, where vmledger's core runs it) and QEMU 7.2's
 * virt board (the reference run, `-DQEMU_VIRT`). The CPU expectations are
 * the same in both; common.h says where the platforms differ.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folder holding the .S sources and link.ld. */
export const ISA_DIR = dirname(fileURLToPath(import.meta.url));
/** Folder holding the committed images and their digests. */
export const PROGRAMS_DIR = join(ISA_DIR, 'programs');
const MANIFEST = join(PROGRAMS_DIR, 'programs.json');
const GCC = process.env.RISCV_GCC ?? 'riscv64-linux-gnu-gcc';
const OBJCOPY = process.env.RISCV_OBJCOPY ?? 'riscv64-linux-gnu-objcopy';

/** The machine a program is built for. */
export type Platform = 'test-bus' | 'qemu-virt';
export const PLATFORMS: readonly Platform[] = ['test-bus', 'qemu-virt'];

/** The compiler flags of every program, by platform; part of each source digest. */
const FLAGS: Record<Platform, readonly string[]> = {
  'test-bus': ['-nostdlib', '-nostartfiles', '-static', '-fno-pic', '-fno-pie', '-no-pie', '-Wl,--build-id=none',
    '-march=rv64imafdc_zicsr_zifencei', '-mabi=lp64', '-Wl,--no-relax'],
  'qemu-virt': ['-nostdlib', '-nostartfiles', '-static', '-fno-pic', '-fno-pie', '-no-pie', '-Wl,--build-id=none',
    '-march=rv64imafdc_zicsr_zifencei', '-mabi=lp64', '-Wl,--no-relax', '-DQEMU_VIRT'],
};

/** What programs.json records for one program. */
export interface ProgramDigests {
  /** sha256 of everything its build reads (sourceDigest). */
  readonly source: string;
  /** sha256 of each platform's image. */
  readonly images: Record<Platform, string>;
}

/** programs.json: the toolchain that built the images and each program's digests. */
export interface ProgramManifest {
  readonly toolchain: string;
  readonly programs: Record<string, ProgramDigests>;
}

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');

/** Every program in this folder, by name (its .S file without the extension). */
export function isaProgramNames(): string[] {
  return readdirSync(ISA_DIR).filter((f) => f.endsWith('.S')).map((f) => f.slice(0, -2)).sort();
}

/**
 * The digest of what building `name` reads: its .S file, every header in
 * this folder (any may be included), link.ld and the flags of both platforms.
 */
export function sourceDigest(name: string): string {
  const headers = readdirSync(ISA_DIR).filter((f) => f.endsWith('.h')).sort();
  const inputs = [`${name}.S`, ...headers, 'link.ld'].map((f) => `${f}\n${sha256(readFileSync(join(ISA_DIR, f)))}\n`);
  return sha256([...inputs, JSON.stringify(FLAGS)].join(''));
}

/** Whether the cross toolchain is installed. */
export function haveToolchain(): boolean {
  try {
    for (const tool of [GCC, OBJCOPY]) execFileSync(tool, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The cross compiler's version line, as programs.json records it. */
export function toolchainVersion(): string {
  return execFileSync(GCC, ['--version'], { encoding: 'utf8' }).split('\n')[0]!.trim();
}

/** Build output folder (one per process). */
const BUILD_DIR = join(tmpdir(), `vmledger-isa-${process.pid}`);

/** Assembles `name`.S for `platform` into an ELF file linked at 0x80000000; returns its path. */
export function buildIsaElf(name: string, platform: Platform = 'test-bus'): string {
  if (!existsSync(BUILD_DIR)) mkdirSync(BUILD_DIR, { recursive: true });
  const src = join(ISA_DIR, `${name}.S`);
  const elf = join(BUILD_DIR, `${name}.${platform}.elf`);
  try {
    execFileSync(GCC, [...FLAGS[platform], `-I${ISA_DIR}`, '-Wl,-T,' + join(ISA_DIR, 'link.ld'), '-o', elf, src], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`${name}.S does not assemble:\n${stderr ?? (e as Error).message}`);
  }
  return elf;
}

/** Assembles `name`.S for `platform` into a flat image loaded at 0x80000000. */
export function buildIsaImage(name: string, platform: Platform = 'test-bus'): Uint8Array {
  const elf = buildIsaElf(name, platform);
  const bin = elf.replace(/\.elf$/, '.bin');
  execFileSync(OBJCOPY, ['-O', 'binary', elf, bin]);
  return new Uint8Array(readFileSync(bin));
}

/** Where the committed image of `name` for `platform` is. */
export function isaProgramPath(name: string, platform: Platform = 'test-bus'): string {
  return join(PROGRAMS_DIR, `${name}.${platform}.bin`);
}

/** The committed image of `name` for `platform` (a flat image loaded at 0x80000000). */
export function isaProgram(name: string, platform: Platform = 'test-bus'): Uint8Array {
  const path = isaProgramPath(name, platform);
  if (!existsSync(path)) throw new Error(`${path} is missing: run npm run build:isa (needs gcc-riscv64-linux-gnu) and commit test/isa/programs`);
  return new Uint8Array(readFileSync(path));
}

/** programs.json as committed. */
export function readProgramManifest(): ProgramManifest {
  return JSON.parse(readFileSync(MANIFEST, 'utf8')) as ProgramManifest;
}

/** The sha256 of an image, as programs.json records it. */
export const imageDigest = sha256;

/** Builds every program for both platforms into programs/ (removing images of programs that are gone) and writes programs.json; returns the names built. */
export function writeIsaPrograms(): string[] {
  mkdirSync(PROGRAMS_DIR, { recursive: true });
  const programs: Record<string, ProgramDigests> = {};
  for (const name of isaProgramNames()) {
    const images = {} as Record<Platform, string>;
    for (const platform of PLATFORMS) {
      const image = buildIsaImage(name, platform);
      writeFileSync(isaProgramPath(name, platform), image);
      images[platform] = sha256(image);
    }
    programs[name] = { source: sourceDigest(name), images };
  }
  const built = new Set(Object.keys(programs).flatMap((name) => PLATFORMS.map((p) => `${name}.${p}.bin`)));
  for (const f of readdirSync(PROGRAMS_DIR)) if (f.endsWith('.bin') && !built.has(f)) rmSync(join(PROGRAMS_DIR, f));
  const manifest: ProgramManifest = { toolchain: toolchainVersion(), programs };
  writeFileSync(MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
  return Object.keys(programs);
}

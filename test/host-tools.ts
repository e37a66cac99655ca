/**
 * What the tests take from the host beyond Node: reference tools (QEMU, dtc,
 * the cross toolchain, ...) and Debian's firmware, each with the Debian
 * package that installs it. Plain lookups, free of vitest, so benches and
 * helpers can ask too; test/needs.ts turns an absence into a skip or a failure.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Debian's firmware for QEMU's virt board (packages u-boot-qemu and opensbi). */
export const DEBIAN_FIRMWARE = {
  ubootM: '/usr/lib/u-boot/qemu-riscv64/u-boot.bin',
  ubootS: '/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin',
  fwJump: '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin',
} as const;

/**
 * What tests take from the host: a program looked up on PATH or a file at a
 * fixed place, and the Debian package that installs it. The README's
 * optional-packages line installs every package named here.
 */
const HOST = {
  'qemu-system-riscv64': { program: process.env.QEMU_SYSTEM_RISCV64 ?? 'qemu-system-riscv64', pkg: 'qemu-system-misc' },
  dtc: { program: 'dtc', pkg: 'device-tree-compiler' },
  'riscv64-linux-gnu-gcc': { program: process.env.RISCV_GCC ?? 'riscv64-linux-gnu-gcc', pkg: 'gcc-riscv64-linux-gnu' },
  'riscv64-linux-gnu-objcopy': { program: process.env.RISCV_OBJCOPY ?? 'riscv64-linux-gnu-objcopy', pkg: 'binutils-riscv64-linux-gnu' },
  gcc: { program: 'gcc', pkg: 'gcc' },
  openssl: { program: 'openssl', pkg: 'openssl' },
  unshare: { program: 'unshare', pkg: 'util-linux' },
  script: { program: 'script', pkg: 'bsdutils' },
  'U-Boot (M-mode)': { file: DEBIAN_FIRMWARE.ubootM, pkg: 'u-boot-qemu' },
  'U-Boot (S-mode)': { file: DEBIAN_FIRMWARE.ubootS, pkg: 'u-boot-qemu' },
  'OpenSBI fw_jump': { file: DEBIAN_FIRMWARE.fwJump, pkg: 'opensbi' },
} as const satisfies Record<string, { program: string; pkg: string } | { file: string; pkg: string }>;

/** Something a test may need from the host. */
export type HostNeed = keyof typeof HOST;

/** The full path of `program` if it is an executable on PATH (or, given with a slash, at that path). */
export function onPath(program: string): string | undefined {
  const candidates = program.includes('/') ? [program] : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, program));
  return candidates.find((p) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Where `need` is on this machine (the program's full path or the file), or undefined when it is absent. */
export function hostPath(need: HostNeed): string | undefined {
  const h: { program?: string; file?: string } = HOST[need];
  if (h.program !== undefined) return onPath(h.program);
  return existsSync(h.file!) ? h.file : undefined;
}

/** One line naming what of `needs` is absent and the packages that provide it, or undefined when all are here. */
export function lacking(...needs: HostNeed[]): string | undefined {
  const absent = needs.filter((n) => hostPath(n) === undefined);
  if (absent.length === 0) return undefined;
  return `${absent.join(', ')} (apt-get install ${[...new Set(absent.map((n) => HOST[n].pkg))].join(' ')})`;
}

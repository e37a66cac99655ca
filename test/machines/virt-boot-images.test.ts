/**
 * Images the board is given that it cannot load (too large for RAM, on top
 * of another image, not a file, not a device tree): the program stops before
 * the guest starts with one line naming the file and the sizes, and exit
 * status 1. Every case uses real files and the real program.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cellsOf, decodeFdt, encodeFdt, findNode, node, stringsOf } from '../../plugins/hw/fdt.js';
import { runVmledger } from '../e2e/run-vmledger.js';

const MiB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'vmledger-images-'));

/** A file of `size` bytes starting with `head`. */
function file(name: string, size: number, head: Uint8Array = new Uint8Array(0)): string {
  const bytes = new Uint8Array(size);
  bytes.set(head);
  writeFileSync(join(dir, name), bytes);
  return join(dir, name);
}

/** A raw RISC-V Linux Image header (Documentation/arch/riscv/boot-image-header.rst) that claims `imageSize` bytes once running. */
function imageHeader(imageSize: number): Uint8Array {
  const h = new Uint8Array(64);
  const v = new DataView(h.buffer);
  v.setUint32(8, 0x200000, true); // text_offset
  v.setUint32(16, imageSize % 2 ** 32, true);
  v.setUint32(20, Math.floor(imageSize / 2 ** 32), true);
  h.set(new TextEncoder().encode('RISCV\0\0\0RSC\x05'), 48);
  return h;
}

/** An ELF64 kernel with one loadable segment of `size` bytes at physical `paddr`. */
function elfAt(name: string, paddr: number, size: number): string {
  const b = new Uint8Array(120 + size);
  const v = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  v.setUint16(16, 2, true);
  v.setUint16(18, 243, true); // EM_RISCV
  v.setUint32(24, paddr, true); // e_entry
  v.setUint32(32, 64, true); // e_phoff
  v.setUint16(54, 56, true);
  v.setUint16(56, 1, true);
  v.setUint32(64, 1, true); // PT_LOAD
  v.setUint32(64 + 8, 120, true); // p_offset
  v.setUint32(64 + 24, paddr, true); // p_paddr
  v.setUint32(64 + 32, size, true); // p_filesz
  v.setUint32(64 + 40, size, true); // p_memsz
  writeFileSync(join(dir, name), b);
  return join(dir, name);
}

const firmware = file('fw.bin', 64 * 1024);

/** Runs the program on `args` (no console) and returns its exit status and stderr. */
async function start(args: string[]): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const cwd = mkdtempSync(join(dir, 'run-'));
  return runVmledger(['-M', 'virt', '-display', 'none', '-serial', 'null', ...args], cwd);
}

/** Expects the program to refuse `args` with exit status 1 and exactly one line matching each of `parts`. */
async function refuses(args: string[], ...parts: Array<string | RegExp>): Promise<string> {
  const r = await start(args);
  expect(r.code, r.stderr).toBe(1);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  for (const p of parts) expect(lines[0]).toMatch(p);
  return lines[0]!;
}

describe('virt board: images that cannot be loaded stop the machine before the guest starts', () => {
  it('refuses a kernel larger than RAM, naming both sizes', async () => {
    const kernel = file('big-kernel', 20 * MiB);
    await refuses(['-m', '16M', '-bios', firmware, '-kernel', kernel],
      `kernel '${kernel}': 20971520 bytes (20.0 MiB) is larger than RAM (RAM is 16777216 bytes (16.0 MiB) at 0x80000000..0x81000000)`);
  });

  it('refuses an initrd that would run past the end of RAM', async () => {
    const kernel = file('kernel', 1 * MiB);
    const initrd = file('big-initrd', 40 * MiB);
    // The initrd goes half-way into RAM (32 MiB above the kernel at 0x80200000).
    await refuses(['-m', '64M', '-bios', firmware, '-kernel', kernel, '-initrd', initrd],
      `initrd '${initrd}': 41943040 bytes (40.0 MiB) at 0x82200000..0x84a00000 lie outside RAM (RAM is 67108864 bytes (64.0 MiB) at 0x80000000..0x84000000)`);
  });

  it('refuses an initrd on top of the memory the kernel\'s Image header says it needs once running', async () => {
    const kernel = file('kernel-with-bss', 1 * MiB, imageHeader(40 * MiB));
    const initrd = file('initrd', 1 * MiB);
    await refuses(['-m', '64M', '-bios', firmware, '-kernel', kernel, '-initrd', initrd],
      `initrd '${initrd}': 1048576 bytes (1.0 MiB) at 0x82200000..0x82300000 overlap kernel '${kernel}' at 0x80200000..0x82a00000`);
  });

  it('refuses an ELF kernel whose segment overlaps the firmware', async () => {
    const kernel = elfAt('kernel.elf', 0x80008000, 4096);
    await refuses(['-m', '64M', '-bios', firmware, '-kernel', kernel],
      `kernel '${kernel}': 4096 bytes at 0x80008000..0x80009000 overlap firmware '${firmware}' at 0x80000000..0x80010000`);
  });

  it('refuses an initrd that reaches the device tree below the end of RAM', async () => {
    const kernel = file('kernel', 1 * MiB);
    // 28 MiB from 0x82200000 ends where the DTB starts (0x83e00000); one more byte overlaps it.
    const initrd = file('initrd-28m', 28 * MiB + 1);
    await refuses(['-m', '64M', '-bios', firmware, '-kernel', kernel, '-initrd', initrd],
      /^vmledger: .*the generated device tree: \d+ bytes at 0x83e00000\.\.0x83e[0-9a-f]{5} overlap initrd '.*initrd-28m' at 0x82200000\.\.0x83e00001 /);
  });

  for (const what of ['kernel', 'initrd', 'dtb'] as const) {
    const args = (path: string) => ['-m', '64M', '-bios', firmware, ...(what === 'kernel' ? [] : ['-kernel', file('k', 4096)]), `-${what}`, path];
    it(`refuses a ${what} that is a directory, a device or missing`, async () => {
      const sub = join(dir, `${what}-dir`);
      mkdirSync(sub, { recursive: true });
      await refuses(args(sub), `${what} '${sub}': Is a directory`);
      await refuses(args('/dev/zero'), `${what} '/dev/zero': Could not open '/dev/zero': it is a character device; expected a regular file`);
      await refuses(args(join(dir, 'none')), `${what} '${join(dir, 'none')}': No such file or directory`);
    });
  }

  it('refuses a -dtb that is not a flattened device tree, or is larger than RAM', async () => {
    const junk = file('junk.dtb', 4096, new TextEncoder().encode('not a dtb'));
    await refuses(['-m', '64M', '-bios', firmware, '-dtb', junk], `dtb '${junk}': not a flattened device tree (bad magic)`);
    const huge = file('huge.dtb', 17 * MiB);
    await refuses(['-m', '16M', '-bios', firmware, '-dtb', huge], `dtb '${huge}': 17825792 bytes (17.0 MiB) is larger than RAM`);
  });
});

describe('virt board: -dtb', () => {
  it('passes the user\'s device tree with /chosen given the command line and the initrd, as QEMU does', async () => {
    const own = join(dir, 'own.dtb');
    expect((await start(['-m', '64M', '-machine', `dumpdtb=${own}`])).code).toBe(0);
    // A node the board would never write shows the guest gets the user's tree, not a generated one.
    const user = decodeFdt(new Uint8Array(readFileSync(own)));
    user.children.push(node('vmledger-user-node'));
    writeFileSync(`${own}.user`, encodeFdt(user));
    const kernel = file('k2', 4096);
    const initrd = file('rd2', 1000);
    const out = join(dir, 'patched.dtb');
    const r = await start(['-m', '64M', '-bios', firmware, '-kernel', kernel, '-initrd', initrd, '-append', 'console=ttyS0 quiet', '-dtb', `${own}.user`, '-machine', `dumpdtb=${out}`]);
    expect(r.code, r.stderr).toBe(0);
    const tree = decodeFdt(new Uint8Array(readFileSync(out)));
    expect(findNode(tree, '/vmledger-user-node')).toBeDefined();
    expect(stringsOf(findNode(tree, '/chosen')!.props.get('bootargs'))).toEqual(['console=ttyS0 quiet']);
    expect(cellsOf(findNode(tree, '/chosen')!.props.get('linux,initrd-start'))).toEqual([0x82200000]);
    expect(cellsOf(findNode(tree, '/chosen')!.props.get('linux,initrd-end'))).toEqual([0x82200000 + 1000]);
  });
});

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cellsOf, decodeFdt, findNode, stringsOf, walkNodes, type FdtNode } from '../../plugins/hw/fdt.js';
import { boardOf } from '../../plugins/machines/virt/index.js';
import { hostPath, itNeeding, lacking } from '../needs.js';
import { hwKernel, run } from './helpers.js';

async function dtb(props: Record<string, unknown> = {}, more: Array<[string, Record<string, unknown>]> = []) {
  const k = await hwKernel();
  await run(k, ['machine-set', { type: 'virt', ...props }], ['until-phase', { phase: 'machine-initialized' }], ...more, ['until-phase', { phase: 'machine-ready' }]);
  const board = boardOf(k.objects.get('/machine'));
  return { k, board, tree: decodeFdt(board.fdtBlob) };
}

describe('virt board device tree', () => {
  it('describes memory, cpus and the board devices at QEMU addresses', async () => {
    const { tree } = await dtb();
    expect(cellsOf(findNode(tree, '/memory@80000000')!.props.get('reg'))).toEqual([0, 0x80000000, 0, 128 * 1024 * 1024]);
    expect(stringsOf(findNode(tree, '/cpus/cpu@0')!.props.get('riscv,isa'))).toEqual(['rv64imac_zicsr_zifencei']);
    expect(stringsOf(findNode(tree, '/cpus/cpu@0')!.props.get('riscv,isa-extensions'))).toEqual(['i', 'm', 'a', 'c', 'zicsr', 'zifencei']);
    expect(stringsOf(findNode(tree, '/cpus/cpu@0')!.props.get('mmu-type'))).toEqual(['riscv,sv48']);
    expect(cellsOf(findNode(tree, '/cpus')!.props.get('timebase-frequency'))).toEqual([10_000_000]);
    for (const path of ['/soc/serial@10000000', '/soc/clint@2000000', '/soc/plic@c000000', '/soc/test@100000', '/soc/rtc@101000', '/soc/virtio_mmio@10001000', '/soc/virtio_mmio@10008000', '/poweroff', '/reboot'])
      expect(findNode(tree, path), path).toBeDefined();
    expect(cellsOf(findNode(tree, '/soc/serial@10000000')!.props.get('interrupts'))).toEqual([10]);
    expect(stringsOf(findNode(tree, '/chosen')!.props.get('stdout-path'))).toEqual(['/soc/serial@10000000']);
  });

  it('places the DTB 2 MiB-aligned below the end of RAM, as QEMU does, and passes it in the boot ROM', async () => {
    const { board } = await dtb({ memory: 256 * 1024 * 1024 });
    expect(board.fdtAddr).toBe(0x8fe00000);
    const out = new Uint32Array(2);
    expect(board.memory.read(0x1000 + 32, 8, out)).toBe(true);
    expect(out[0]).toBe(0x8fe00000);
  });

  it('gives every hart its cpu node and interrupt-controller, wired into CLINT and PLIC', async () => {
    const { tree } = await dtb({ cpus: 2 });
    const intc = (h: number) => cellsOf(findNode(tree, `/cpus/cpu@${h}/interrupt-controller`)!.props.get('phandle'))[0]!;
    expect(cellsOf(findNode(tree, '/soc/clint@2000000')!.props.get('interrupts-extended'))).toEqual([intc(0), 3, intc(0), 7, intc(1), 3, intc(1), 7]);
    expect(cellsOf(findNode(tree, '/soc/plic@c000000')!.props.get('interrupts-extended'))).toEqual([intc(0), 11, intc(0), 9, intc(1), 11, intc(1), 9]);
  });

  it('puts -append into bootargs and writes dumpdtb', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'virt-')), 'out.dtb');
    const { tree } = await dtb({ append: 'console=ttyS0', dumpdtb: file });
    expect(stringsOf(findNode(tree, '/chosen')!.props.get('bootargs'))).toEqual(['console=ttyS0']);
    expect(existsSync(file)).toBe(true);
    expect(findNode(decodeFdt(new Uint8Array(readFileSync(file))), '/soc/serial@10000000')).toBeDefined();
  });

  it('places the kernel 2 MiB above the firmware and the initrd half-way into RAM, like QEMU', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'virt-'));
    const fw = join(dir, 'fw.bin');
    const kern = join(dir, 'k.bin');
    const rd = join(dir, 'rd.bin');
    execFileSync('sh', ['-c', `head -c 1000 /dev/zero > ${fw}; head -c 3000 /dev/zero > ${kern}; head -c 5000 /dev/zero > ${rd}`]);
    const { tree, board } = await dtb({ firmware: fw, kernel: kern, initrd: rd });
    expect(cellsOf(findNode(tree, '/chosen')!.props.get('linux,initrd-start'))).toEqual([0x84200000]);
    expect(cellsOf(findNode(tree, '/chosen')!.props.get('linux,initrd-end'))).toEqual([0x84200000 + 5000]);
    expect(board.images.map((i) => i.segments[0]!.addr)).toEqual([0x80000000, 0x80200000, 0x84200000]);
  });

  it('gives the kernel 32 bytes of entropy in /chosen/rng-seed, fresh for every board and every reset, as QEMU 7.2 does', async () => {
    const seedOf = (t: FdtNode) => findNode(t, '/chosen')!.props.get('rng-seed')!;
    const a = await dtb();
    const b = await dtb();
    expect(seedOf(a.tree)).toHaveLength(32);
    expect(seedOf(a.tree)).not.toEqual(seedOf(b.tree));
    const inRam = () => seedOf(decodeFdt(a.board.memory.readBytes(a.board.fdtAddr, a.board.fdtBlob.length)!.slice()));
    expect(inRam()).toEqual(seedOf(a.tree));
    a.board.reset();
    expect(inRam()).toHaveLength(32);
    expect(inRam()).not.toEqual(seedOf(a.tree));
  });

  it('names the file and the reason when firmware is missing', async () => {
    await expect(dtb({ firmware: '/nonexistent/fw.bin' })).rejects.toThrow(/firmware '\/nonexistent\/fw.bin'.*No such file or directory/);
  });
});

/**
 * Properties we do not expect to match QEMU's: the CPU advertises what our
 * core implements, also in the newer isa-base/isa-extensions properties
 * QEMU 7.2 does not write, and QEMU adds a random seed.
 */
const DIFFERENT_ON_PURPOSE = new Set(['/cpus/cpu@0:riscv,isa', '/cpus/cpu@0:riscv,isa-base', '/cpus/cpu@0:riscv,isa-extensions', '/chosen:rng-seed']);

describe('virt device tree against QEMU 7.2', () => {
  itNeeding('matches qemu-system-riscv64 -M virt on every node both boards have', lacking('qemu-system-riscv64'), async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'qemu-')), 'q.dtb');
    execFileSync(hostPath('qemu-system-riscv64')!, ['-M', `virt,dumpdtb=${file}`, '-m', '128M', '-nographic'], { stdio: 'ignore' });
    const qemu = decodeFdt(new Uint8Array(readFileSync(file)));
    const { tree: ours } = await dtb();
    const qemuNodes = new Map<string, FdtNode>(walkNodes(qemu));
    const compared: string[] = [];
    for (const [path, n] of walkNodes(ours)) {
      const q = qemuNodes.get(path);
      expect(q, `QEMU has no ${path}`).toBeDefined();
      for (const name of new Set([...n.props.keys(), ...q!.props.keys()])) {
        if (DIFFERENT_ON_PURPOSE.has(`${path}:${name}`)) continue;
        expect(n.props.get(name), `${path}:${name}`).toEqual(q!.props.get(name));
      }
      compared.push(path);
    }
    expect(compared.length).toBeGreaterThan(20);
  });
});

import { type KernelContext, fail, type QObject, definePlugin, t } from '../../../kernel/index.js';
import { chooseCpu, CPU_MODELS, type CpuModel, hex64 } from '../../hw/cpu.js';
import { decodeFdt, encodeFdt, findNode, node, type FdtNode } from '../../hw/fdt.js';
import { rawImage } from '../../hw/loader.js';
import { boardOf, type BootInfo, VirtBoard } from './board.js';
import { checkPlacement, extent, kernelFootprint, parseGuestImage, type PlacedImage, readGuestFile } from './boot-images.js';
import { queryCpusFast } from './query-cpus.js';
import { KERNEL_ALIGN, VIRT, VIRT_IRQ, VIRTIO_COUNT } from './memory-map.js';
import { demoFirmwarePath } from './demo-firmware.js';

export { VirtBoard, boardOf } from './board.js';
export { VIRT, VIRT_IRQ } from './memory-map.js';

const MiB = 1024 * 1024;
/** The most guest RAM the board can hold. */
const MAX_RAM = 4096 * MiB;
/** Harts the board takes (QEMU 7.2 takes up to 512). */
const VIRT_MAX_CPUS = 8;

/**
 * The board's own devices: object name, type and placement, in the order they
 * are created (the PLIC first, so it gets the first phandle after the harts,
 * as on QEMU); `serial` is the port number whose machine property `serialN`
 * may name the UART's chardev.
 */
export const VIRT_DEVICES: ReadonlyArray<{ name: string; type: string; addr: number; irq?: number; serial?: number }> = [
  { name: 'plic', type: 'riscv.sifive.plic', addr: VIRT.PLIC.base },
  { name: 'clint', type: 'riscv.sifive.clint', addr: VIRT.CLINT.base },
  { name: 'test', type: 'riscv.sifive.test', addr: VIRT.TEST.base },
  { name: 'rtc', type: 'goldfish_rtc', addr: VIRT.RTC.base, irq: VIRT_IRQ.RTC },
  { name: 'uart0', type: 'ns16550a', addr: VIRT.UART0.base, irq: VIRT_IRQ.UART0, serial: 0 },
  ...Array.from({ length: VIRTIO_COUNT }, (_, i) => ({
    name: `virtio-mmio${i}`,
    type: 'virtio-mmio',
    addr: VIRT.VIRTIO.base + i * VIRT.VIRTIO.size,
    irq: VIRT_IRQ.VIRTIO + i,
  })),
];


/** The user's device tree (-dtb) with /chosen given the command line and the initrd, as QEMU patches it. */
function userFdt(path: string, data: Uint8Array, board: VirtBoard, boot: BootInfo): FdtNode {
  let tree: FdtNode;
  try {
    tree = decodeFdt(data);
  } catch (e) {
    fail(`dtb '${path}': ${(e as Error).message}`);
  }
  let chosen = findNode(tree, '/chosen');
  if (!chosen) tree.children.unshift((chosen = node('chosen')));
  for (const [name, value] of Object.entries(board.chosenProps(boot))) if (name !== 'rng-seed' && name !== 'stdout-path') chosen.props.set(name, value);
  return tree;
}

/**
 * Loads firmware, kernel and initrd where QEMU puts them (firmware at the
 * start of RAM; the kernel 2 MiB-aligned after it, where OpenSBI `fw_jump`
 * looks; the initrd half-way into RAM, at most 128 MiB above the kernel),
 * and the device tree (generated, or the user's with /chosen patched) 2 MiB
 * aligned below the end of RAM, then writes the reset vector. Every image is
 * read and checked (a regular file, inside RAM, clear of the others) before
 * any is copied, so a bad one stops the machine before the guest starts.
 * With `dumpdtb` it writes the blob and quits, as QEMU does: the guest never
 * runs and the program exits with status 0.
 */
async function boot(machine: QObject, ctx: KernelContext, board: VirtBoard): Promise<void> {
  const p = (name: string) => machine.get(name) as string | undefined;
  const live = ctx.mode === 'live';
  const ram = { base: VIRT.DRAM.base, size: board.memory.ram.length };
  const placed: PlacedImage[] = [];
  let start: number = VIRT.DRAM.base;
  let kernelEntry = 0;
  let firmwareEnd: number = VIRT.DRAM.base;
  let initrd: { start: number; end: number } | undefined;
  // Neither firmware nor kernel: boot the demo firmware (QEMU boots its default OpenSBI here).
  const firmware = p('firmware') ?? (p('kernel') ? undefined : demoFirmwarePath());
  if (live && firmware) {
    const img = parseGuestImage('firmware', firmware, await readGuestFile(ctx, 'firmware', firmware, ram), VIRT.DRAM.base);
    placed.push({ name: `firmware '${firmware}'`, image: img, ...extent(img) });
    start = img.entry;
    firmwareEnd = img.end;
  }
  if (live && p('kernel')) {
    const path = p('kernel')!;
    const at = p('firmware') ? Math.ceil(firmwareEnd / KERNEL_ALIGN) * KERNEL_ALIGN : VIRT.DRAM.base;
    const img = parseGuestImage('kernel', path, await readGuestFile(ctx, 'kernel', path, ram), at);
    const { start: kstart, end } = extent(img);
    placed.push({ name: `kernel '${path}'`, image: img, start: kstart, end: img.format === 'raw' ? kstart + kernelFootprint(img) : end });
    kernelEntry = img.entry;
    if (!p('firmware')) start = kernelEntry;
    if (p('initrd')) {
      const ipath = p('initrd')!;
      const data = await readGuestFile(ctx, 'initrd', ipath, ram);
      const at2 = kernelEntry + Math.min(ram.size / 2, 128 * MiB);
      initrd = { start: at2, end: at2 + data.length };
      placed.push({ name: `initrd '${ipath}'`, image: { segments: [{ addr: at2, bytes: data }], entry: at2, end: initrd.end, format: 'raw' }, ...initrd });
    }
  } else if (p('initrd')) fail("'initrd' needs 'kernel'");
  const bootInfo = { bootargs: p('append'), initrd };
  const dtb = live ? p('dtb') : undefined;
  const tree = dtb ? userFdt(dtb, await readGuestFile(ctx, 'dtb', dtb, ram), board, bootInfo) : board.buildFdt(bootInfo);
  const blob = encodeFdt(tree);
  const fdtAt = board.fdtAddress(blob);
  checkPlacement([...placed, { name: dtb ? `dtb '${dtb}'` : 'the generated device tree', image: rawImage(blob, fdtAt), start: fdtAt, end: fdtAt + blob.length }], ram);
  board.images = [];
  for (const pl of placed) board.load(pl.image, pl.name);
  board.installFdt(tree, blob);
  board.setBootRom(start, kernelEntry);
  board.cluster.reset(VIRT.MROM.base, board.fdtAddr);
  const dumpdtb = p('dumpdtb');
  if (dumpdtb && live) {
    try {
      await ctx.broker.writeFile(dumpdtb, blob);
    } catch (e) {
      fail(`dumpdtb '${dumpdtb}': ${e instanceof Error ? e.message : String(e)}`);
    }
    await ctx.call('quit');
  }
}

/** RAM, harts and CPU model as the board will be built with them; a value that cannot work fails, naming it. */
function boardConfig(machine: QObject, ctx: KernelContext) {
  const memory = machine.get('memory') as number;
  const cpus = machine.get('cpus') as number;
  if (memory < 16 * MiB || memory % 4096) fail(`Invalid RAM size ${memory}: needs at least 16 MiB in whole pages`);
  // Guest RAM is one typed array, and Node's largest is 4 GiB.
  if (memory > MAX_RAM) fail(`Invalid RAM size ${memory}: at most 4 GiB (${MAX_RAM})`);
  if (cpus < 1 || cpus > VIRT_MAX_CPUS) fail(`Invalid number of CPUs ${cpus}: the virt board here takes 1 to ${VIRT_MAX_CPUS}`);
  try {
    return { memory, cpus, cpu: chooseCpu(machine.get('cpu-type') as string, ctx.service<Map<string, CpuModel>>(CPU_MODELS)) };
  } catch (e) {
    fail((e as Error).message);
  }
}

/** The `virt` machine type: QEMU's RISC-V VirtIO board. */
export const virtMachine = {
  name: 'virt',
  parent: 'machine',
  doc: 'RISC-V VirtIO board (compatible with QEMU -M virt)',
  props: {
    memory: { type: t.size(), default: 128 * MiB, doc: 'RAM size in bytes (-m)' },
    cpus: { type: t.int(), default: 1, doc: 'Number of harts (-smp)' },
    'cpu-type': { type: t.str(), default: 'rv64', doc: 'CPU model and its properties, e.g. rv64,sv48=off (-cpu)' },
    firmware: { type: t.host('file', 'r'), doc: 'Firmware image loaded at 0x80000000, raw or ELF (-bios); without it and without a kernel, the demo firmware' },
    kernel: { type: t.host('file', 'r'), doc: 'Kernel image; after the firmware at a 2 MiB boundary (0x80200000 for fw_jump) (-kernel)' },
    initrd: { type: t.host('file', 'r'), doc: 'Initial ram disk (-initrd)' },
    append: { type: t.str(), doc: 'Kernel command line, in /chosen/bootargs (-append)' },
    dtb: { type: t.host('file', 'r'), doc: 'Device tree blob to pass instead of the generated one; its /chosen gets bootargs and the initrd (-dtb)' },
    dumpdtb: { type: t.host('file', 'rw'), doc: 'Write the generated device tree blob to this file (replacing it, as QEMU does)' },
    serial0: { type: t.str(), doc: 'Chardev of the UART (-serial chardev:ID); default: the chardev named serial0' },
    'snapshot-dir': { type: t.host('dir', 'rw'), doc: 'Directory of the snapshots savevm / snapshot-save take by name (QEMU keeps them in qcow2 disks)' },
  },
  machine: {
    check(machine: QObject, ctx: KernelContext) {
      boardConfig(machine, ctx);
    },
    async initialize(machine: QObject, ctx: KernelContext) {
      const { memory, cpus, cpu } = boardConfig(machine, ctx);
      const board = new VirtBoard({
        memory,
        cpus,
        cpu,
        objects: ctx.objects,
        guest: ctx.guest,
        // A fault of the emulator, not of the guest: one line (the stack with VMLEDGER_DEBUG=1), then internal-error.
        onError: (e) => {
          const message = `the CPU stopped: ${e instanceof Error ? e.message : String(e)}`;
          process.stderr.write(`vmledger: ${message}\n`);
          if (process.env.VMLEDGER_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
          const where = board.harts.length === 1 ? { hart: 0, pc: hex64(board.harts[0]!.pc()) } : {};
          try {
            ctx.guest.internalError({ type: 'riscv', message, ...where });
          } catch {
            // the kernel could not record it; the loop is stopped either way
          }
        },
      });
      machine.runtime = board;
      ctx.onRollback(() => {
        board.loop.stop();
        machine.runtime = undefined;
      });
      for (const d of VIRT_DEVICES) {
        const path = `/machine/${d.name}`;
        const chardev = d.serial !== undefined ? machine.get(`serial${d.serial}`) : undefined;
        const props = { addr: d.addr, ...(d.irq !== undefined ? { irq: d.irq } : {}), ...(chardev !== undefined ? { chardev } : {}) };
        await ctx.objects.add(path, d.type, props, ctx);
        await ctx.objects.realize(path, ctx);
      }
    },
    async ready(machine: QObject, ctx: KernelContext) {
      await boot(machine, ctx, boardOf(machine));
    },
    resume(machine: QObject) {
      const board = boardOf(machine);
      // A machine that was quit (dumpdtb quits while it is being built) never runs again.
      if (!board.quit) board.loop.start();
    },
    // Before the board exists (machine-created) there is nothing to pause or
    // reset, and a host signal (SIGTERM) can ask for both at any moment.
    pause(machine: QObject) {
      if (machine.runtime instanceof VirtBoard) machine.runtime.loop.stop();
    },
    reset(machine: QObject) {
      const board = machine.runtime;
      if (board instanceof VirtBoard) board.loop.defer(() => board.reset());
    },
    quit(machine: QObject) {
      if (!(machine.runtime instanceof VirtBoard)) return;
      machine.runtime.quit = true;
      machine.runtime.loop.stop();
    },
  },
};

/** The plugin that registers the `virt` machine and `query-cpus-fast` over its harts. */
export const virtPlugin = definePlugin({
  name: 'machine-virt',
  version: '0.1.0',
  dependsOn: ['hw', 'devices'],
  setup(host) {
    host.type(virtMachine);
    host.command(queryCpusFast);
  },
});

export default virtPlugin;

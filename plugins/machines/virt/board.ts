import { type GuestControl, type GuestPanicInfo, fail, type ObjectTree, type QObject } from '../../../kernel/index.js';
import { AddressSpace, hex, MappingError } from '../../hw/address-space.js';
import { type CpuChoice, type CpuCluster, EXCEPTION_NAMES, type Hart, hex64, type MachineTimer, type TrapStorm } from '../../hw/cpu.js';
import type { DeviceHandle, DeviceHost, DeviceIo, FdtContext, Placement } from '../../hw/device-host.js';
import type { IrqLine } from '../../hw/irq.js';
import type { LoadedImage } from '../../hw/loader.js';
import { RunLoop } from '../../hw/run-loop.js';
import { TIMEBASE_HZ, VirtualClock } from '../../hw/virtual-clock.js';
import { randomBytes, randomFillSync } from 'node:crypto';
import { encodeFdt, findNode, node, prop, type FdtNode } from '../../hw/fdt.js';
import type { VirtioBackend } from '../../devices/virtio-mmio/index.js';
import type { VirtioMmioModel } from '../../devices/virtio-mmio/index.js';
import { bootRom } from './boot-rom.js';
import { FDT_ALIGN, FDT_LIMIT, PLATFORM_BUS_IRQS, RNG_SEED_BYTES, VIRT, VIRT_IRQ } from './memory-map.js';

/** What a board is built from: the machine's properties, resolved. */
export interface VirtBoardOptions {
  readonly memory: number;
  readonly cpus: number;
  readonly cpu: CpuChoice;
  /** Where back-ends live (`/chardevs`, `/blockdevs`, `/objects`). */
  readonly objects: ObjectTree;
  readonly guest: GuestControl;
  readonly onError?: (e: unknown) => void;
}

/** What `/chosen` says about the payload. */
export interface BootInfo {
  readonly bootargs?: string;
  readonly initrd?: { readonly start: number; readonly end: number };
}

/**
 * The runtime of a `virt` machine (`/machine`'s runtime): the address space,
 * the harts, the virtual clock and run loop, and the placement of every
 * realized device. It builds the device tree from what is placed, so only
 * devices that really answer are described.
 */
export class VirtBoard implements DeviceHost {
  readonly isDeviceHost = true as const;
  readonly memory: AddressSpace;
  readonly clock = new VirtualClock();
  readonly cluster: CpuCluster;
  readonly loop: RunLoop;
  readonly rom = new Uint8Array(VIRT.MROM.size);
  /** Realized devices by object path, in realize order. */
  readonly devices = new Map<string, DeviceHandle>();
  /** Images to copy into memory on every reset (QEMU's ROM blobs). */
  images: LoadedImage[] = [];
  fdtAddr = 0;
  fdtBlob: Uint8Array = new Uint8Array(0);
  /** Where /chosen/rng-seed sits in `fdtBlob`: every reset gives the guest fresh entropy there, as QEMU does. */
  private seedAt = -1;
  /** Set by `quit`: the run loop is never started again. */
  quit = false;
  private controller: DeviceHandle | undefined;
  private readonly lines = new Map<number, boolean>();
  private clintTimer: MachineTimer | undefined;
  private platformNext: number = VIRT.PLATFORM_BUS.base;
  private platformIrqNext: number = VIRT_IRQ.PLATFORM_BUS;
  private readonly guest: GuestControl;

  constructor(private readonly opts: VirtBoardOptions) {
    this.memory = new AddressSpace(VIRT.DRAM.base, opts.memory);
    this.memory.map({ name: 'mrom', base: VIRT.MROM.base, size: VIRT.MROM.size, kind: 'rom', data: this.rom });
    const timer: MachineTimer = { mtime: () => this.clintTimer?.mtime() ?? this.clock.ticks(), frequency: TIMEBASE_HZ };
    this.cluster = opts.cpu.model.createCluster({ harts: opts.cpus, bus: this.memory, timer, props: opts.cpu.props });
    this.loop = new RunLoop(this.cluster, this.clock, {
      onError: opts.onError,
      onTrapStorm: (hart, storm) => {
        const info = trapStormInfo(hart, storm);
        // Whatever the panic action does next (exit with status 1 by default), the user at the terminal learns why.
        process.stderr.write(`vmledger: ${info.message}\n`);
        opts.guest.panic(info);
      },
    });
    // Guest requests arrive while instructions run; act on them between chunks.
    this.guest = {
      shutdown: (reason, code) =>
        this.loop.defer(() => {
          this.loop.stop();
          opts.guest.shutdown(reason, code);
        }),
      reset: (reason) => this.loop.defer(() => opts.guest.reset(reason)),
      panic: (info) =>
        this.loop.defer(() => {
          this.loop.stop();
          opts.guest.panic(info);
        }),
      internalError: (info) =>
        this.loop.defer(() => {
          this.loop.stop();
          opts.guest.internalError(info);
        }),
    };
  }

  get harts(): readonly Hart[] {
    return this.cluster.harts;
  }

  io(obj: QObject, irqs: ReadonlyMap<string, IrqLine>): DeviceIo {
    const dirs = { chardev: '/chardevs', blockdev: '/blockdevs', object: '/objects' } as const;
    return {
      path: obj.path,
      prop: <T>(name: string) => obj.get(name) as T,
      irq: (name = 'irq') => irqs.get(name) ?? fail(`${obj.type} declares no IRQ line '${name}'`),
      clock: this.clock,
      memory: this.memory,
      harts: this.harts,
      backend: <T>(kind: keyof typeof dirs, id: string) => this.opts.objects.find(`${dirs[kind]}/${id}`)?.runtime as T | undefined,
      guest: this.guest,
      kick: () => this.loop.kick(),
    };
  }

  attach(handle: DeviceHandle): void {
    if (handle.decl.attach === 'virtio') return this.plugVirtio(handle);
    const placement = this.place(handle);
    const mapped: Array<Parameters<AddressSpace['map']>[0]> = [];
    try {
      for (const r of placement.regions) {
        const handlers = handle.model.mmio?.[r.name] ?? fail(`${handle.decl.name} has no handlers for region '${r.name}'`);
        const region = { name: `${handle.obj.path}.${r.name}`, base: r.base, size: r.size, kind: 'mmio' as const, handlers };
        this.memory.map(region);
        mapped.push(region);
      }
    } catch (e) {
      mapped.forEach((r) => this.memory.unmap(r));
      if (e instanceof MappingError) fail(`Device '${handle.obj.name}': ${e.message}`);
      throw e;
    }
    this.setPlacement(handle, placement);
    [...handle.irqs.values()].forEach((line, i) => line.connect((level) => this.raise(placement.irqs[i]!, level)));
    if (handle.decl.irqInputs) {
      this.controller = handle;
      for (const [n, level] of this.lines) handle.model.irqIn?.(n, level);
    }
    const timer = (handle.model as { timer?: MachineTimer }).timer;
    if (timer) this.clintTimer = timer;
    this.devices.set(handle.obj.path, handle);
  }

  detach(handle: DeviceHandle): void {
    this.devices.delete(handle.obj.path);
    this.setPlacement(handle, undefined);
    if (handle.decl.attach === 'virtio') {
      const transport = this.transportOf(handle);
      (transport?.model as VirtioMmioModel | undefined)?.unplug();
      return;
    }
    for (const line of handle.irqs.values()) line.disconnect();
    for (const r of [...this.memory.mapped()]) if (r.name.startsWith(`${handle.obj.path}.`)) this.memory.unmap(r);
    if (this.controller === handle) this.controller = undefined;
    if ((handle.model as { timer?: MachineTimer }).timer === this.clintTimer) this.clintTimer = undefined;
  }

  /** Copies an image into RAM or ROM; a clear error when it does not fit. */
  load(image: LoadedImage, what: string): void {
    for (const s of image.segments)
      if (!this.memory.writeBytes(s.addr, s.bytes))
        fail(`${what}: ${s.bytes.length} bytes at ${hex(s.addr)} do not fit in RAM (${this.memory.ram.length} bytes at ${hex(VIRT.DRAM.base)})`);
    this.images.push(image);
  }

  /** Where the DTB goes, as QEMU places it: 2 MiB aligned below the end of RAM or 3 GiB, whichever is lower. */
  fdtAddress(blob: Uint8Array): number {
    const end = Math.min(VIRT.DRAM.base + this.memory.ram.length, FDT_LIMIT);
    return Math.floor((end - blob.length) / FDT_ALIGN) * FDT_ALIGN;
  }

  /** Writes the reset vector into the mask ROM. */
  setBootRom(start: number, next: number): void {
    this.rom.fill(0);
    this.rom.set(bootRom(start, this.fdtAddr, next));
  }

  /** Power-on state: devices reset, images and DTB copied again, harts at the reset vector. */
  reset(): void {
    for (const d of this.devices.values()) d.model.reset?.();
    for (const img of this.images) for (const s of img.segments) this.memory.writeBytes(s.addr, s.bytes);
    if (this.seedAt >= 0) randomFillSync(this.fdtBlob, this.seedAt, RNG_SEED_BYTES);
    if (this.fdtBlob.length) this.memory.writeBytes(this.fdtAddr, this.fdtBlob);
    this.cluster.reset(VIRT.MROM.base, this.fdtAddr);
  }

  /** /chosen: entropy, the console, the command line and where the initrd is. */
  chosenProps(boot: BootInfo, stdout?: string): Record<string, Uint8Array> {
    // Entropy for the kernel's random pool before it has any source of its own (QEMU 7.1+).
    const chosen: Record<string, Uint8Array> = { 'rng-seed': randomBytes(RNG_SEED_BYTES) };
    if (stdout) chosen['stdout-path'] = prop.str(stdout);
    if (boot.bootargs) chosen.bootargs = prop.str(boot.bootargs);
    if (boot.initrd) {
      // QEMU 7.2 writes these as single cells (RAM starts below 4 GiB).
      const cell = (v: number) => (v < 2 ** 32 ? prop.cells(v) : prop.u64(v));
      chosen['linux,initrd-start'] = cell(boot.initrd.start);
      chosen['linux,initrd-end'] = cell(boot.initrd.end);
    }
    return chosen;
  }

  /** The flattened device tree of the board as it stands. */
  buildFdt(boot: BootInfo): FdtNode {
    const desc = this.opts.cpu.model.describe(this.opts.cpu.props);
    let nextPhandle = 1;
    const phandles = new Map<string, number>();
    const phandleOf = (key: string) => phandles.get(key) ?? (phandles.set(key, nextPhandle++), nextPhandle - 1);
    const cpuNodes: FdtNode[] = [];
    const cpuIntc: number[] = [];
    for (let h = 0; h < this.opts.cpus; h++) {
      const cpu = phandleOf(`cpu${h}`);
      const intc = phandleOf(`intc${h}`);
      cpuIntc.push(intc);
      const props: Record<string, Uint8Array> = {
        phandle: prop.cells(cpu),
        device_type: prop.str('cpu'),
        reg: prop.cells(h),
        status: prop.str('okay'),
        compatible: prop.str('riscv'),
        'riscv,isa': prop.str(desc.isa),
        'riscv,isa-base': prop.str(desc.isaBase),
        'riscv,isa-extensions': prop.strs(desc.isaExtensions),
      };
      if (desc.mmuType) props['mmu-type'] = prop.str(desc.mmuType);
      cpuNodes.push(
        node(`cpu@${h}`, props, [
          node('interrupt-controller', {
            '#interrupt-cells': prop.cells(1),
            'interrupt-controller': prop.empty(),
            compatible: prop.str('riscv,cpu-intc'),
            phandle: prop.cells(intc),
          }),
        ]),
      );
    }
    const cores = Array.from({ length: this.opts.cpus }, (_, h) => node(`core${h}`, { cpu: prop.cells(phandles.get(`cpu${h}`)!) }));
    const irqParent = this.controller ? phandleOf(this.controller.obj.path) : 0;
    const rootExtra: FdtNode[] = [];
    const soc: FdtNode[] = [];
    let stdout: string | undefined;
    for (const d of this.devices.values()) {
      if (!d.decl.fdt || !d.placement) continue;
      const f: FdtContext = {
        placement: d.placement,
        io: this.io(d.obj, d.irqs),
        model: d.model,
        phandle: () => phandleOf(d.obj.path),
        irqParent,
        cpuIntc,
        addRootNode: (n) => rootExtra.push(n),
      };
      const n = d.decl.fdt(f);
      if (!n) continue;
      soc.push(n);
      if (!stdout && d.decl.name === 'ns16550a') stdout = `/soc/${n.name}`;
    }
    const chosen = this.chosenProps(boot, stdout);
    return node(
      '',
      {
        '#address-cells': prop.cells(2),
        '#size-cells': prop.cells(2),
        compatible: prop.str('riscv-virtio'),
        model: prop.str('riscv-virtio,qemu'),
      },
      [
        node('chosen', chosen),
        ...rootExtra,
        node(`memory@${VIRT.DRAM.base.toString(16)}`, { device_type: prop.str('memory'), reg: prop.reg64([VIRT.DRAM.base, this.memory.ram.length]) }),
        node('cpus', { '#address-cells': prop.cells(1), '#size-cells': prop.cells(0), 'timebase-frequency': prop.cells(TIMEBASE_HZ) }, [
          ...cpuNodes,
          node('cpu-map', {}, [node('cluster0', {}, cores)]),
        ]),
        node('soc', { '#address-cells': prop.cells(2), '#size-cells': prop.cells(2), compatible: prop.str('simple-bus'), ranges: prop.empty() }, soc),
      ],
    );
  }

  /** Places `blob` (the encoding of `tree`, or of the tree when omitted) and copies it into RAM. */
  installFdt(tree: FdtNode, blob = encodeFdt(tree)): Uint8Array {
    const seed = findNode(tree, '/chosen')?.props.get('rng-seed');
    this.seedAt = seed ? indexOf(blob, seed) : -1;
    this.fdtBlob = blob;
    this.fdtAddr = this.fdtAddress(blob);
    this.memory.writeBytes(this.fdtAddr, blob);
    return blob;
  }

  private place(handle: DeviceHandle): Placement {
    const decls = handle.decl.mmio ?? [];
    const total = decls.reduce((end, m, i) => Math.max(end, (m.offset ?? (i ? end : 0)) + m.size), 0);
    let addr = handle.obj.get('addr') as number | undefined;
    if (addr === undefined && decls.length) {
      // Devices the user places without an address go to the platform-bus window, as on QEMU's virt.
      const align = Math.max(0x1000, 2 ** Math.ceil(Math.log2(total)));
      addr = Math.ceil(this.platformNext / align) * align;
      if (addr + total > VIRT.PLATFORM_BUS.base + VIRT.PLATFORM_BUS.size) fail(`Device '${handle.obj.name}': platform bus is full`);
      this.platformNext = addr + total;
    }
    let next = addr ?? 0;
    const regions = decls.map((m) => {
      const base = m.offset !== undefined ? addr! + m.offset : next;
      next = base + m.size;
      return { name: m.name, base, size: m.size };
    });
    const count = handle.irqs.size;
    let first = handle.obj.get('irq') as number | undefined;
    if (first === undefined && count) {
      if (this.platformIrqNext + count > VIRT_IRQ.PLATFORM_BUS + PLATFORM_BUS_IRQS) fail(`Device '${handle.obj.name}': no free platform-bus interrupts`);
      first = this.platformIrqNext;
      this.platformIrqNext += count;
    }
    const irqs = Array.from({ length: count }, (_, i) => first! + i);
    this.checkIrqs(handle, irqs);
    return { regions, irqs };
  }

  /** A device's interrupts must be inputs the interrupt controller has, and no other device's: a shared line would mix two devices' levels. */
  private checkIrqs(handle: DeviceHandle, irqs: readonly number[]): void {
    const inputs = this.controller?.decl.irqInputs;
    const name = handle.obj.name;
    for (const n of irqs) {
      if (inputs !== undefined && (n < 1 || n >= inputs))
        fail(`Device '${name}': irq=${irqs[0]} gives interrupt ${n}, which the interrupt controller does not have (it has sources 1-${inputs - 1})`);
      const user = [...this.devices.values()].find((d) => d.placement?.irqs.includes(n) && d.decl.attach !== 'virtio');
      if (user) fail(`Device '${name}': irq=${irqs[0]} gives interrupt ${n}, which device '${user.obj.name}' already uses`);
    }
  }

  private transports(): DeviceHandle[] {
    return [...this.devices.values()].filter((d) => d.decl.name === 'virtio-mmio').sort((a, b) => b.placement!.regions[0]!.base - a.placement!.regions[0]!.base);
  }

  private transportOf(handle: DeviceHandle): DeviceHandle | undefined {
    const backend = handle.model.virtio;
    return this.transports().find((t) => (t.model as VirtioMmioModel).plugged === backend);
  }

  /** Plugs a virtio back-end into the free transport with the highest address, as QEMU's virt does for `-device`. */
  private plugVirtio(handle: DeviceHandle): void {
    const backend = handle.model.virtio as VirtioBackend | undefined;
    if (!backend) fail(`${handle.decl.name} is a virtio device without a virtio back-end`);
    const free = this.transports().find((t) => !(t.model as VirtioMmioModel).plugged);
    if (!free) fail(`No free virtio-mmio transport for device '${handle.obj.name}'`);
    (free.model as VirtioMmioModel).plug(backend);
    this.setPlacement(handle, free.placement);
    this.devices.set(handle.obj.path, handle);
  }

  /** Where a device sits, on its handle (for the device tree) and in the object tree (for the state hash, as the guest sees it). */
  private setPlacement(handle: DeviceHandle, placement: Placement | undefined): void {
    handle.placement = placement;
    if (!this.opts.objects.has(handle.obj.path)) return;
    this.opts.objects.setPlacement(
      handle.obj.path,
      placement && { regions: placement.regions.map((r) => ({ name: r.name, base: r.base, size: r.size })), irqs: [...placement.irqs] },
    );
  }

  private raise(n: number, level: boolean): void {
    this.lines.set(n, level);
    this.controller?.model.irqIn?.(n, level);
  }
}

/** What GUEST_PANICKED and query-status say about a hart whose trap vector faults. */
export function trapStormInfo(hart: Hart, storm: TrapStorm): GuestPanicInfo {
  const what = EXCEPTION_NAMES[storm.cause] ?? `exception ${storm.cause}`;
  return {
    type: 'riscv',
    message: `trap storm on hart ${hart.hartId}: ${what} at pc ${hex64(storm.pc)} (tval ${hex64(storm.tval)}), ${storm.repeats} times in a row at the address it traps to: the trap handler faults`,
    hart: hart.hartId,
    pc: hex64(storm.pc),
    cause: storm.cause,
    tval: hex64(storm.tval),
  };
}

/** Offset of the first occurrence of `needle` in `hay`, or -1. */
function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  const first = needle[0];
  for (let i = hay.indexOf(first!); i >= 0 && i + needle.length <= hay.length; i = hay.indexOf(first!, i + 1))
    if (needle.every((b, k) => hay[i + k] === b)) return i;
  return -1;
}

/** The board behind `/machine`. */
export function boardOf(machine: QObject): VirtBoard {
  return machine.runtime instanceof VirtBoard ? machine.runtime : fail('The machine is not initialized');
}

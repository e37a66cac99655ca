import { type GuestControl, type GuestPanicInfo, type ObjectTypeDecl, type QObject } from '../../kernel/index.js';
import { AddressSpace } from './address-space.js';
import type { Hart } from './cpu.js';
import { HW_EXT, realizeInto, type DeviceDecl } from './device.js';
import type { DeviceHandle, DeviceHost, DeviceIo, Placement } from './device-host.js';
import type { IrqLine } from './irq.js';
import { VirtualClock } from './virtual-clock.js';

/** A hart stand-in that records the `mip` bits devices drive. */
export class FakeHart implements Hart {
  mip = 0;
  constructor(readonly hartId: number) {}
  setInterrupt(bit: number, level: boolean): void {
    this.mip = level ? this.mip | (1 << bit) : this.mip & ~(1 << bit);
  }
  /** Whether `mip` bit `bit` is set. */
  pending(bit: number): boolean {
    return (this.mip & (1 << bit)) !== 0;
  }
  pc(): number {
    return 0;
  }
  halted(): boolean {
    return false;
  }
}

/** What the guest asked for through `GuestControl`, in order. */
export interface GuestRequest {
  readonly kind: 'shutdown' | 'reset' | 'panic' | 'internal-error';
  readonly reason?: string;
  readonly exitCode?: number;
  readonly info?: GuestPanicInfo;
}

/** Where to put a device in the harness. */
export interface HarnessPlacement {
  readonly base: number;
  /** Interrupt-controller inputs for the device's output lines (default 1, 2, ...). */
  readonly irqs?: readonly number[];
  readonly id?: string;
  readonly props?: Record<string, unknown>;
}

/** The device declaration behind `defineDevice`'s type, or the declaration itself. */
function deviceDeclOf(device: ObjectTypeDecl | DeviceDecl): DeviceDecl {
  if ('instantiate' in device) return device;
  const decl = (device as ObjectTypeDecl).ext?.[HW_EXT] as DeviceDecl | undefined;
  if (!decl) throw new Error(`DeviceHarness.add: '${device.name}' is not a device: make it with defineDevice from vmledger/hw`);
  return decl;
}

/**
 * A device test bench like QEMU's qtest: no CPU, a stopped virtual clock
 * moved by `advance`, MMIO driven by `read`/`write`, output IRQ lines
 * observed by `irq(n)` (or fed into an interrupt controller placed here).
 */
export class DeviceHarness implements DeviceHost {
  readonly isDeviceHost = true as const;
  readonly clock = new VirtualClock();
  readonly memory: AddressSpace;
  readonly harts: FakeHart[];
  readonly guestRequests: GuestRequest[] = [];
  /** Back-ends devices find by kind and id: `backends.set('chardev:serial0', ...)`. */
  readonly backends = new Map<string, unknown>();
  private readonly lines = new Map<number, boolean>();
  private controller: DeviceHandle | undefined;
  private readonly pending = new Map<QObject, HarnessPlacement>();
  kicks = 0;

  constructor(opts: { harts?: number; ramBase?: number; ramSize?: number } = {}) {
    this.memory = new AddressSpace(opts.ramBase ?? 0x80000000, opts.ramSize ?? 1 << 20);
    this.harts = Array.from({ length: opts.harts ?? 1 }, (_, i) => new FakeHart(i));
  }

  /** Realizes a device (what `defineDevice` returns, or its declaration) at a fixed place and returns its handle. */
  add(device: ObjectTypeDecl | DeviceDecl, where: HarnessPlacement): DeviceHandle {
    const decl = deviceDeclOf(device);
    const props: Record<string, unknown> = {};
    for (const [name, p] of Object.entries(decl.props ?? {})) if (p.default !== undefined) props[name] = p.default;
    Object.assign(props, where.props);
    const id = where.id ?? decl.name;
    const obj: QObject = { path: `/harness/${id}`, name: id, type: decl.name, realized: true, placement: undefined, runtime: undefined, get: (p) => props[p], values: () => props };
    this.pending.set(obj, where);
    const handle = realizeInto(this, obj, decl);
    obj.runtime = handle;
    return handle;
  }

  /** Unrealizes a device added with `add`. */
  remove(handle: DeviceHandle): void {
    this.detach(handle);
    handle.model.unrealize?.();
  }

  io(obj: QObject, irqs: ReadonlyMap<string, IrqLine>): DeviceIo {
    const guest: GuestControl = {
      shutdown: (reason, exitCode) => this.guestRequests.push({ kind: 'shutdown', reason, exitCode }),
      reset: (reason) => this.guestRequests.push({ kind: 'reset', reason }),
      panic: (info) => this.guestRequests.push({ kind: 'panic', ...(info ? { info } : {}) }),
      internalError: (info) => this.guestRequests.push({ kind: 'internal-error', info }),
    };
    return {
      path: obj.path,
      prop: <T>(name: string) => obj.get(name) as T,
      irq: (name = 'irq') => {
        const line = irqs.get(name);
        if (!line) throw new Error(`${obj.type} declares no IRQ line '${name}'`);
        return line;
      },
      clock: this.clock,
      memory: this.memory,
      harts: this.harts,
      backend: <T>(kind: string, id: string) => this.backends.get(`${kind}:${id}`) as T | undefined,
      guest,
      kick: () => this.kicks++,
    };
  }

  attach(handle: DeviceHandle): void {
    const where = this.pending.get(handle.obj)!;
    let next = where.base;
    const regions = (handle.decl.mmio ?? []).map((m) => {
      const base = m.offset !== undefined ? where.base + m.offset : next;
      next = base + m.size;
      const handlers = handle.model.mmio?.[m.name];
      if (!handlers) throw new Error(`${handle.decl.name} has no handlers for region '${m.name}'`);
      this.memory.map({ name: `${handle.obj.name}.${m.name}`, base, size: m.size, kind: 'mmio', handlers });
      return { name: m.name, base, size: m.size };
    });
    const irqs = [...handle.irqs.keys()].map((_, i) => where.irqs?.[i] ?? i + 1);
    handle.placement = { regions, irqs } satisfies Placement;
    [...handle.irqs.values()].forEach((line, i) => line.connect((level) => this.raise(irqs[i]!, level)));
    if (handle.decl.irqInputs) {
      this.controller = handle;
      for (const [n, level] of this.lines) handle.model.irqIn?.(n, level);
    }
  }

  detach(handle: DeviceHandle): void {
    for (const line of handle.irqs.values()) line.disconnect();
    for (const r of [...this.memory.mapped()]) if (r.name.startsWith(`${handle.obj.name}.`)) this.memory.unmap(r);
    if (this.controller === handle) this.controller = undefined;
  }

  /** Level of interrupt-controller input `n` as devices drive it. */
  irq(n: number): boolean {
    return this.lines.get(n) ?? false;
  }

  /** Drives interrupt-controller input `n` by hand (testing a PLIC alone). */
  setIrq(n: number, level: boolean): void {
    this.raise(n, level);
  }

  /** An MMIO or memory load; throws on a bus error so tests see it. */
  read(addr: number, size: 1 | 2 | 4 | 8 = 4): number {
    const out = new Uint32Array(2);
    if (!this.memory.read(addr, size, out)) throw new Error(`bus error reading 0x${addr.toString(16)}`);
    return size === 8 ? out[1]! * 2 ** 32 + out[0]! : out[0]!;
  }

  /** An MMIO or memory store; throws on a bus error so tests see it. */
  write(addr: number, value: number, size: 1 | 2 | 4 | 8 = 4): void {
    const lo = value % 2 ** 32 >>> 0;
    const hi = Math.floor(value / 2 ** 32) >>> 0;
    if (!this.memory.write(addr, size, lo, hi)) throw new Error(`bus error writing 0x${addr.toString(16)}`);
  }

  /** Moves virtual time forward (ns) and fires due timers. */
  advance(ns: number): void {
    this.clock.advance(ns);
  }

  private raise(n: number, level: boolean): void {
    this.lines.set(n, level);
    this.controller?.model.irqIn?.(n, level);
  }
}

import { type GuestControl, type QObject } from '../../kernel/index.js';
import type { AddressSpace } from './address-space.js';
import type { Hart } from './cpu.js';
import type { DeviceDecl, DeviceModel } from './device.js';
import type { FdtNode } from './fdt.js';
import type { IrqLine } from './irq.js';
import type { VirtualClock } from './virtual-clock.js';

/** Everything a device model may touch, handed to `instantiate`; the same shape on a board and in the harness. */
export interface DeviceIo {
  /** Object path (`/machine/uart0`) for messages. */
  readonly path: string;
  /** A property's value (defaults filled in). */
  prop<T = unknown>(name: string): T;
  /** An output IRQ line the device declared in `irqs`. */
  irq(name?: string): IrqLine;
  /** Guest time (paused with the VM). */
  readonly clock: VirtualClock;
  /** Guest-physical memory, for DMA. */
  readonly memory: AddressSpace;
  /** The harts, for devices that drive `mip` bits directly (CLINT, PLIC). */
  readonly harts: readonly Hart[];
  /** The runtime of a backend object: `backend('chardev', 'serial0')`, `backend('blockdev', 'disk0')`, `backend('object', 'rng0')`. */
  backend<T>(kind: 'chardev' | 'blockdev' | 'object', id: string): T | undefined;
  /** Guest-initiated poweroff/reset (the SiFive test finisher). */
  readonly guest: GuestControl;
  /** Wakes the run loop: a device raised something the CPUs must see now. */
  kick(): void;
}

/** A realized device: its declaration, its model and its output lines; the `runtime` of its object. */
export interface DeviceHandle {
  readonly obj: QObject;
  readonly decl: DeviceDecl;
  readonly model: DeviceModel;
  readonly irqs: ReadonlyMap<string, IrqLine>;
  /** The live object of the declaration's `state` (sealed; empty for a device that declares none). */
  readonly state: Record<string, unknown>;
  /** Where the board put it (filled by `attach`). */
  placement?: Placement;
}

/** Addresses and interrupt numbers a board chose for a device. */
export interface Placement {
  readonly regions: ReadonlyArray<{ readonly name: string; readonly base: number; readonly size: number }>;
  /** Interrupt-controller inputs, one per declared output line. */
  readonly irqs: readonly number[];
}

/** What the device-tree hook of a device sees. */
export interface FdtContext {
  readonly placement: Placement;
  readonly io: DeviceIo;
  readonly model: DeviceModel;
  /** The device's own phandle (allocated on first use). */
  phandle(): number;
  /** The interrupt controller's phandle, for `interrupt-parent`. */
  readonly irqParent: number;
  /** Per hart, the phandle of its `riscv,cpu-intc` node. */
  readonly cpuIntc: readonly number[];
  /** Adds a node at the root (e.g. `poweroff` pointing at a syscon). */
  addRootNode(node: FdtNode): void;
}

/** A board (or the harness) that devices realize into. */
export interface DeviceHost {
  readonly isDeviceHost: true;
  io(obj: QObject, irqs: ReadonlyMap<string, IrqLine>): DeviceIo;
  attach(handle: DeviceHandle): void;
  detach(handle: DeviceHandle): void;
}

/** True when an object's runtime is a board devices can realize into. */
export function isDeviceHost(x: unknown): x is DeviceHost {
  return typeof x === 'object' && x !== null && (x as DeviceHost).isDeviceHost === true;
}

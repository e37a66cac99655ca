import { type KernelContext, fail, type ObjectTypeDecl, type PropDecl, QmpError, type QObject, toQmpError } from '../../kernel/index.js';
import type { MmioHandlers } from './bus.js';
import type { DeviceHandle, DeviceIo, FdtContext } from './device-host.js';
import { isDeviceHost } from './device-host.js';
import type { FdtNode } from './fdt.js';
import { IrqLine } from './irq.js';
import { createState, type StateDecl, type StateFields, type StateOf } from './vmstate.js';

/** One MMIO window a device exposes; the board decides its base. */
export interface MmioDecl {
  readonly name: string;
  readonly size: number;
  /** Offset from the device's `addr` (default: right after the previous region). */
  readonly offset?: number;
}

/** What a device is attached to: the system bus (MMIO + IRQ lines) or a virtio-mmio transport. */
export type Attachment = 'sysbus' | 'virtio';

/** The live model behind a realized device. */
export interface DeviceModel {
  /** Handlers per declared MMIO region, by name. */
  readonly mmio?: Readonly<Record<string, MmioHandlers>>;
  /** Input IRQ lines (an interrupt controller's sources). */
  irqIn?(line: number, level: boolean): void;
  /** Back to power-on state (`system_reset`). */
  reset?(): void;
  /** The device goes away: cancel timers, detach from backends. */
  unrealize?(): void;
  /** A property changed on the realized device (`qom-set` of an `always` property). */
  propertyChanged?(name: string, value: unknown): void;
  /** For `attach: 'virtio'` devices: the device-specific half the transport drives. */
  readonly virtio?: unknown;
  /**
   * A snapshot's state just went in: re-derive what the declared state
   * implies but does not hold (timers computed from registers). Output IRQ
   * levels and declared timers are restored already.
   */
  postLoad?(): void;
  /** Why the device cannot be saved as it stands (QEMU's migration blockers), or undefined when it can. */
  saveBlocker?(): string | undefined;
}

/** Everything about a device, in one declaration (docs/writing-a-device.md). */
export interface DeviceDecl<F extends StateFields = StateFields> {
  /** QOM type name (`ns16550a`), what `-device` and `device_add` use. */
  readonly name: string;
  /** Parent type; `sys-bus-device` for MMIO devices, `virtio-device` for virtio backends. */
  readonly parent?: string;
  readonly doc: string;
  readonly abstract?: boolean;
  readonly interfaces?: readonly string[];
  readonly props?: Readonly<Record<string, PropDecl>>;
  /** May be added and removed while the machine runs. */
  readonly hotpluggable?: boolean;
  readonly attach?: Attachment;
  readonly mmio?: readonly MmioDecl[];
  /** Output IRQ line names, in order; the board wires them to interrupt-controller inputs. */
  readonly irqs?: readonly string[];
  /** How many input lines the device takes (interrupt controllers). */
  readonly irqInputs?: number;
  /**
   * Everything the guest can observe that the device keeps, declared as
   * data (docs/writing-a-device.md, "State"): snapshots save and load it
   * generically. A device without it cannot be saved; one with no state
   * declares `{ version: 1, fields: {} }`.
   */
  readonly state?: StateDecl<F>;
  /** Builds the model when the device is realized; `state` is the live object of the `state` declaration, which the model keeps its state in. */
  instantiate(io: DeviceIo, state: StateOf<F>): DeviceModel;
  /** The device-tree node the device contributes under `/soc`, or undefined for none. */
  fdt?(f: FdtContext): FdtNode | undefined;
}

/** The key under which a device type carries its `DeviceDecl` in `ObjectTypeDecl.ext`. */
export const HW_EXT = 'hw';

/** The board an object realizes into: the runtime of `/machine`. */
export function deviceHostOf(ctx: KernelContext) {
  const host = ctx.objects.find('/machine')?.runtime;
  if (!isDeviceHost(host)) fail('No machine to attach the device to; choose one with machine-set first');
  return host;
}

/** Builds a device's model from its declaration into a host and returns the handle (also used by the harness). */
export function realizeInto<F extends StateFields>(host: ReturnType<typeof deviceHostOf>, obj: QObject, decl: DeviceDecl<F>): DeviceHandle {
  const irqs = new Map((decl.irqs ?? []).map((n) => [n, new IrqLine(n)] as const));
  const io = host.io(obj, irqs);
  const state = createState((decl.state ?? { version: 0, fields: {} }) as StateDecl<F>, { harts: io.harts.length }, io.clock);
  let model: DeviceModel;
  try {
    model = decl.instantiate(io, state);
  } catch (e) {
    // Realization runs late (at machine build or cont): without the device's name the error points nowhere.
    const error = toQmpError(e);
    if (error.desc.startsWith(`Device '${obj.name}'`)) throw error;
    throw new QmpError(error.errorClass, `Device '${obj.name}' (${decl.name}): ${error.desc}`);
  }
  const handle: DeviceHandle = { obj, decl, model, irqs, state };
  host.attach(handle);
  return handle;
}

/**
 * Declares a device type. The result is an ordinary kernel `ObjectTypeDecl`
 * (so the device appears in `qom-list-types`, `device-list-properties`,
 * `-device help` and every transport) with the hardware half in `ext.hw`.
 */
export function defineDevice<F extends StateFields>(decl: DeviceDecl<F>): ObjectTypeDecl {
  return {
    name: decl.name,
    parent: decl.parent ?? (decl.attach === 'virtio' ? 'virtio-device' : 'sys-bus-device'),
    doc: decl.doc,
    abstract: decl.abstract,
    interfaces: decl.interfaces,
    props: decl.props,
    hotpluggable: decl.hotpluggable,
    ext: { [HW_EXT]: decl },
    realize(obj, ctx) {
      const handle = realizeInto(deviceHostOf(ctx), obj, decl);
      obj.runtime = handle;
    },
    unrealize(obj, ctx) {
      const handle = obj.runtime as DeviceHandle | undefined;
      if (!handle) return;
      deviceHostOf(ctx).detach(handle);
      handle.model.unrealize?.();
      obj.runtime = undefined;
    },
    propertyChanged(obj, name, value) {
      (obj.runtime as DeviceHandle | undefined)?.model.propertyChanged?.(name, value);
    },
  };
}

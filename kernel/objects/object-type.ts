import type { Schema, Static } from '../schema/types.js';
import type { KernelContext } from '../context.js';
import type { QObject } from './qobject.js';

/**
 * When a property may be written:
 * - `create`: only in the arguments that create the object;
 * - `unrealized`: until the object is realized (most device properties);
 * - `always`: any time, including on a running machine (`qom-set`);
 * - `never`: read-only, maintained by the type itself.
 */
export type Settable = 'create' | 'unrealized' | 'always' | 'never';

/** A property's value type; `unknown` for the general case, which keeps the compiler from expanding every schema. */
type PropValue<S extends Schema> = Schema extends S ? unknown : Static<S>;

/** A typed property of an object type. */
export interface PropDecl<S extends Schema = Schema> {
  readonly type: S;
  readonly default?: PropValue<S>;
  readonly doc?: string;
  readonly settable?: Settable;
  /** The value names another object (by id or path) that must have this type. */
  readonly link?: string;
}

/** What a machine type does as the phases advance and the guest runs. */
export interface MachineHooks {
  /**
   * After every `machine-set`: refuses a value that cannot work (RAM size,
   * number of CPUs, CPU model) when it is given, not only when the board is
   * built, so `-m 0 -S` fails at once as QEMU's does. The change is undone.
   */
  check?(machine: QObject, ctx: KernelContext): void;
  /** machine-created -> machine-initialized: create the board's own devices. */
  initialize?(machine: QObject, ctx: KernelContext): void | Promise<void>;
  /** -> machine-ready, after every device is realized: build the device tree, load firmware. */
  ready?(machine: QObject, ctx: KernelContext): void | Promise<void>;
  /** The guest starts or resumes (`cont`). Never called during replay. */
  resume?(machine: QObject, ctx: KernelContext): void | Promise<void>;
  /** The guest pauses (`stop`). */
  pause?(machine: QObject, ctx: KernelContext): void | Promise<void>;
  /** `system_reset`. */
  reset?(machine: QObject, ctx: KernelContext): void | Promise<void>;
  /** The process is about to exit (`quit`). */
  quit?(machine: QObject, ctx: KernelContext): void | Promise<void>;
}

/** A QOM-like object type: parent, interfaces, properties, lifecycle hooks. */
export interface ObjectTypeDecl {
  readonly name: string;
  /** Defaults to `object`. */
  readonly parent?: string;
  readonly interfaces?: readonly string[];
  readonly abstract?: boolean;
  readonly doc?: string;
  readonly props?: Readonly<Record<string, PropDecl>>;
  /** Devices: may be added and removed once the machine is ready. */
  readonly hotpluggable?: boolean;
  /** After the object is created with its properties, before it is realized. */
  create?(obj: QObject, ctx: KernelContext): void | Promise<void>;
  realize?(obj: QObject, ctx: KernelContext): void | Promise<void>;
  unrealize?(obj: QObject, ctx: KernelContext): void | Promise<void>;
  /** A property of a realized object changed (`qom-set`); apply it to the running model. */
  propertyChanged?(obj: QObject, name: string, value: unknown, ctx: KernelContext): void;
  readonly machine?: MachineHooks;
  /** Extra declarations for plugins that build on the object model (MMIO, IRQs, FDT...). */
  readonly ext?: Readonly<Record<string, unknown>>;
}

/** Property declaration with its defining type, as the registry resolves it. */
export interface ResolvedProp extends PropDecl {
  readonly name: string;
  readonly definedBy: string;
}

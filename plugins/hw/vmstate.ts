/**
 * Saved state as data (QEMU's VMStateDescription, declared in the device's
 * own declaration): a version and named, typed fields. From one
 * declaration come the live state object a device model works on
 * (`createState`), its encoding into plain JSON-able data (`saveState`) and
 * the checked way back (`decodeState` then `applyState`, so a bad snapshot
 * is refused before anything changes). Nothing here knows a device by name.
 */
import type { TimerHandle, VirtualClock } from './virtual-clock.js';

/** Sizes an array field from the device's surroundings (one entry per hart, ...). */
export interface StateEnv {
  readonly harts: number;
}

type Length = number | ((env: StateEnv) => number);
type ArrayType = 'u8' | 'u16' | 'u32' | 'i32' | 'f64';
const ARRAYS = { u8: Uint8Array, u16: Uint16Array, u32: Uint32Array, i32: Int32Array, f64: Float64Array } as const;

/** One field of a state declaration; build them with `vm`. */
export type StateField =
  | { readonly kind: 'uint'; readonly bits: 8 | 16 | 32; readonly init: number }
  | { readonly kind: 'num'; readonly init: number }
  | { readonly kind: 'bool'; readonly init: boolean }
  | { readonly kind: 'bigint'; readonly init: bigint }
  | { readonly kind: 'array'; readonly type: ArrayType; readonly length: Length; readonly fill: number }
  | { readonly kind: 'fifo'; readonly capacity: number }
  | { readonly kind: 'timer' }
  | { readonly kind: 'list'; readonly item: StateFields; readonly max: number };

export type StateFields = Readonly<Record<string, StateField>>;

/** What a device (or hart) saves: the fields and the version of their layout. */
export interface StateDecl<F extends StateFields = StateFields> {
  /** Raised whenever a field is added, removed or changes meaning; a snapshot of another version is refused. */
  readonly version: number;
  readonly fields: F;
}

/** A timer whose deadline is part of the saved state: a snapshot re-arms it where it was. */
export class StateTimer {
  private handle: TimerHandle | undefined;
  private callback: () => void = () => undefined;

  constructor(private readonly clock: VirtualClock) {}

  /** What runs when the timer fires (set once, in `instantiate`). */
  onFire(callback: () => void): void {
    this.callback = callback;
  }

  /** Virtual time (ns) the timer fires at, or undefined when it is not armed. */
  get deadline(): number | undefined {
    return this.handle?.deadline;
  }

  get armed(): boolean {
    return this.handle !== undefined;
  }

  /** Fires at virtual time `deadline` (ns), replacing any earlier arming. */
  arm(deadline: number): void {
    this.handle?.cancel();
    this.handle = this.clock.setTimerAt(deadline, () => {
      this.handle = undefined;
      this.callback();
    });
  }

  cancel(): void {
    this.handle?.cancel();
    this.handle = undefined;
  }
}

type ValueOf<F extends StateField> = F extends { kind: 'uint' | 'num' }
  ? number
  : F extends { kind: 'bool' }
    ? boolean
    : F extends { kind: 'bigint' }
      ? bigint
      : F extends { kind: 'array'; type: infer T extends ArrayType }
        ? InstanceType<(typeof ARRAYS)[T]>
        : F extends { kind: 'fifo' }
          ? number[]
          : F extends { kind: 'timer' }
            ? StateTimer
            : F extends { kind: 'list'; item: infer I extends StateFields }
              ? Array<StateOf<I>>
              : never;

/** The live state object of a declaration: one property per field. */
export type StateOf<F extends StateFields> = { -readonly [K in keyof F]: ValueOf<F[K]> };

/** Field builders. */
export const vm = {
  u8: (init = 0) => ({ kind: 'uint', bits: 8, init }) as const,
  u16: (init = 0) => ({ kind: 'uint', bits: 16, init }) as const,
  u32: (init = 0) => ({ kind: 'uint', bits: 32, init }) as const,
  /** Any double: counters past 2^32, addresses, NaN for "none". */
  num: (init = 0) => ({ kind: 'num', init }) as const,
  bool: (init = false) => ({ kind: 'bool', init }) as const,
  bigint: (init = 0n) => ({ kind: 'bigint', init }) as const,
  array: <T extends ArrayType>(type: T, length: Length, fill = 0) => ({ kind: 'array', type, length, fill }) as const,
  /** Bytes in arrival order, at most `capacity` (a UART's FIFO). */
  fifo: (capacity: number) => ({ kind: 'fifo', capacity }) as const,
  timer: () => ({ kind: 'timer' }) as const,
  /** Records the device creates itself (one per virtqueue), at most `max`. */
  list: <I extends StateFields>(item: I, max: number) => ({ kind: 'list', item, max }) as const,
} as const;

/** A snapshot's state does not fit the declaration: says where and why. */
export class StateError extends Error {}

const lengthOf = (l: Length, env: StateEnv) => (typeof l === 'number' ? l : l(env));

/** A record of a `list` field's item declaration, at its initial values (a device calls it when it adds one). */
export function createRecord<I extends StateFields>(item: I): StateOf<I> {
  return createState({ version: 0, fields: item }, { harts: 0 }, undefined);
}

/** The state object a declaration describes, at initial values; timers run on `clock`. */
export function createState<F extends StateFields>(decl: StateDecl<F>, env: StateEnv, clock: VirtualClock | undefined): StateOf<F> {
  const s: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(decl.fields)) {
    switch (f.kind) {
      case 'uint':
      case 'num':
      case 'bool':
      case 'bigint':
        s[name] = f.init;
        break;
      case 'array':
        s[name] = new ARRAYS[f.type](lengthOf(f.length, env)).fill(f.fill);
        break;
      case 'fifo':
      case 'list':
        s[name] = [];
        break;
      case 'timer':
        if (!clock) throw new Error(`state field '${name}': a timer needs a clock`);
        s[name] = new StateTimer(clock);
        break;
    }
  }
  // Sealed: a model cannot hang undeclared state on it.
  return Object.seal(s) as StateOf<F>;
}

/** Plain, JSON-able data (numbers that JSON cannot hold are strings). */
export type SavedState = Record<string, unknown>;

function saveNumber(v: number): number | string {
  return Number.isFinite(v) && !Object.is(v, -0) ? v : String(Object.is(v, -0) ? '-0' : v);
}

function loadNumber(v: unknown, where: string): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (v === '-0') return -0;
  throw new StateError(`${where}: expected a number`);
}

/** Encodes a state object (a device's, or any object with the declared properties, such as a hart). */
export function saveState(fields: StateFields, s: Readonly<Record<string, unknown>>): SavedState {
  const out: SavedState = {};
  for (const [name, f] of Object.entries(fields)) {
    const v = s[name];
    switch (f.kind) {
      case 'uint':
      case 'num':
        out[name] = saveNumber(v as number);
        break;
      case 'bool':
        out[name] = v as boolean;
        break;
      case 'bigint':
        out[name] = (v as bigint).toString();
        break;
      case 'array': {
        const a = v as ArrayBufferView;
        out[name] = Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
        break;
      }
      case 'fifo':
        out[name] = [...(v as number[])];
        break;
      case 'timer':
        out[name] = (v as StateTimer).deadline ?? null;
        break;
      case 'list':
        out[name] = (v as Array<Record<string, unknown>>).map((r) => saveState(f.item, r));
        break;
    }
  }
  return out;
}

/** Saved state checked against the declaration and the live object it will go into, ready for `applyState`. */
export type DecodedState = Map<string, unknown>;

/**
 * Checks `data` against the declaration and the live object `s` (array and
 * list lengths must match what this machine has) and decodes it; throws a
 * `StateError` naming the field, and changes nothing.
 */
export function decodeState(fields: StateFields, s: Readonly<Record<string, unknown>>, data: unknown, where: string): DecodedState {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new StateError(`${where}: expected an object`);
  const d = data as Record<string, unknown>;
  const extra = Object.keys(d).find((k) => !Object.hasOwn(fields, k));
  if (extra !== undefined) throw new StateError(`${where}: field '${extra}' is not declared`);
  const out: DecodedState = new Map();
  for (const [name, f] of Object.entries(fields)) {
    const at = `${where}.${name}`;
    if (!Object.hasOwn(d, name)) throw new StateError(`${at}: missing`);
    const v = d[name];
    switch (f.kind) {
      case 'uint': {
        const n = loadNumber(v, at);
        if (!Number.isInteger(n) || n < 0 || n >= 2 ** f.bits) throw new StateError(`${at}: expected an unsigned ${f.bits}-bit integer`);
        out.set(name, n);
        break;
      }
      case 'num':
        out.set(name, loadNumber(v, at));
        break;
      case 'bool':
        if (typeof v !== 'boolean') throw new StateError(`${at}: expected true or false`);
        out.set(name, v);
        break;
      case 'bigint':
        if (typeof v !== 'string' || !/^-?\d+$/.test(v)) throw new StateError(`${at}: expected a decimal integer`);
        out.set(name, BigInt(v));
        break;
      case 'array': {
        const live = s[name] as ArrayBufferView;
        if (typeof v !== 'string') throw new StateError(`${at}: expected base64 bytes`);
        const bytes = Buffer.from(v, 'base64');
        if (bytes.length !== live.byteLength) throw new StateError(`${at}: ${bytes.length} bytes where this machine has ${live.byteLength}`);
        out.set(name, bytes);
        break;
      }
      case 'fifo':
        if (!Array.isArray(v) || v.length > f.capacity || !v.every((b) => Number.isInteger(b) && b >= 0 && b <= 255))
          throw new StateError(`${at}: expected at most ${f.capacity} bytes`);
        out.set(name, v);
        break;
      case 'timer':
        out.set(name, v === null ? null : loadNumber(v, at));
        break;
      case 'list': {
        const live = s[name] as Array<Record<string, unknown>>;
        if (!Array.isArray(v) || v.length !== live.length) throw new StateError(`${at}: expected ${live.length} entries`);
        out.set(name, v.map((r, i) => decodeState(f.item, live[i]!, r, `${at}[${i}]`)));
        break;
      }
    }
  }
  return out;
}

/** Puts decoded state into the live object, in place (typed arrays, lists and timers keep their identity). */
export function applyState(fields: StateFields, s: Record<string, unknown>, decoded: DecodedState): void {
  for (const [name, f] of Object.entries(fields)) {
    const v = decoded.get(name);
    switch (f.kind) {
      case 'array': {
        const live = s[name] as ArrayBufferView;
        new Uint8Array(live.buffer, live.byteOffset, live.byteLength).set(v as Buffer);
        break;
      }
      case 'fifo': {
        const live = s[name] as number[];
        live.length = 0;
        live.push(...(v as number[]));
        break;
      }
      case 'timer': {
        const t = s[name] as StateTimer;
        if (v === null) t.cancel();
        else t.arm(v as number);
        break;
      }
      case 'list': {
        const live = s[name] as Array<Record<string, unknown>>;
        (v as DecodedState[]).forEach((r, i) => applyState(f.item, live[i]!, r));
        break;
      }
      default:
        s[name] = v;
    }
  }
}

/**
 * The state of a whole machine, saved and loaded generically from what
 * each part declares: the virtual clock, the harts (`CpuCluster.snapshot`),
 * every realized device (`DeviceDecl.state`, its output IRQ levels) and
 * RAM. Loading checks everything first and changes nothing on a mismatch;
 * then it cannot fail. It never knows a device by name.
 */
import type { AddressSpace } from './address-space.js';
import type { CpuCluster } from './cpu.js';
import type { DeviceHandle } from './device-host.js';
import { applyState, decodeState, saveState, StateError, type DecodedState, type SavedState } from './vmstate.js';
import type { VirtualClock } from './virtual-clock.js';

/** What a board exposes for snapshots. */
export interface StatefulBoard {
  readonly clock: VirtualClock;
  readonly memory: AddressSpace;
  readonly cluster: CpuCluster;
  /** Realized devices by object path. */
  readonly devices: ReadonlyMap<string, DeviceHandle>;
  /** What runs the harts: a snapshot is taken and loaded with it stopped. */
  readonly loop: { readonly isRunning: boolean; start(): void; stop(): void };
  /** Set once the machine quit: it never runs again. */
  readonly quit?: boolean;
}

/** True when a machine's runtime can be saved and loaded. */
export function isStatefulBoard(x: unknown): x is StatefulBoard {
  const b = x as Partial<StatefulBoard> | null;
  return typeof b === 'object' && b !== null && b.clock !== undefined && b.memory !== undefined && b.cluster !== undefined && b.devices instanceof Map && b.loop !== undefined;
}

/** One device in a snapshot. */
export interface SavedDevice {
  readonly type: string;
  readonly version: number;
  readonly state: SavedState;
  /** Output IRQ line levels by name. */
  readonly irqs: Record<string, boolean>;
}

/** A machine's state besides RAM, as plain data. */
export interface MachineState {
  /** Virtual nanoseconds. */
  readonly clock: number;
  readonly cpus: SavedState;
  readonly devices: Record<string, SavedDevice>;
}

/** Saved state that `checkMachine` accepted for a board. */
export interface CheckedMachine {
  readonly clock: number;
  readonly cpus: unknown;
  readonly devices: ReadonlyArray<{ handle: DeviceHandle; state: DecodedState; irqs: Record<string, boolean> }>;
}

/** Why the board cannot be saved as it stands, or undefined. */
export function saveBlocker(board: StatefulBoard): string | undefined {
  if (!board.cluster.snapshot) return 'the CPU model cannot save its harts';
  for (const [path, d] of board.devices) {
    if (!d.decl.state) return `device '${path}' (${d.decl.name}) declares no state, so it cannot be saved`;
    const reason = d.model.saveBlocker?.();
    if (reason) return `device '${path}' (${d.decl.name}): ${reason}`;
  }
  return undefined;
}

/** A device's state and output levels. */
export function saveDevice(d: DeviceHandle): SavedDevice {
  const irqs: Record<string, boolean> = {};
  for (const [name, line] of d.irqs) irqs[name] = line.level;
  return { type: d.decl.name, version: d.decl.state?.version ?? 0, state: saveState(d.decl.state?.fields ?? {}, d.state), irqs };
}

/** Checks a saved device against a realized one; throws a `StateError` naming the field. */
export function checkDevice(d: DeviceHandle, saved: unknown, path: string): CheckedMachine['devices'][number] {
  const s = saved as Partial<SavedDevice> | null;
  if (typeof s !== 'object' || s === null) throw new StateError(`${path}: expected a device`);
  if (s.type !== d.decl.name) throw new StateError(`${path}: saved from a ${String(s.type)}, this machine has a ${d.decl.name}`);
  const version = d.decl.state?.version ?? 0;
  if (s.version !== version) throw new StateError(`${path}: ${d.decl.name} state version ${String(s.version)}, this build has version ${version}`);
  const irqs = s.irqs as Record<string, unknown> | undefined;
  if (typeof irqs !== 'object' || irqs === null) throw new StateError(`${path}.irqs: expected an object`);
  for (const name of new Set([...Object.keys(irqs), ...d.irqs.keys()]))
    if (!d.irqs.has(name) || typeof irqs[name] !== 'boolean') throw new StateError(`${path}.irqs.${name}: not a level of one of the device's lines`);
  return { handle: d, state: decodeState(d.decl.state?.fields ?? {}, d.state, s.state, path), irqs: irqs as Record<string, boolean> };
}

/** Puts a checked device's state in, output levels included (silently: the other end is restored too). */
export function loadDevice(c: CheckedMachine['devices'][number]): void {
  applyState(c.handle.decl.state?.fields ?? {}, c.handle.state, c.state);
  for (const [name, line] of c.handle.irqs) line.restore(c.irqs[name]!);
}

/** The board's state (the clock must stand still: the machine is paused). RAM is the live array, not a copy. */
export function saveMachine(board: StatefulBoard): { state: MachineState; ram: Uint8Array } {
  const reason = saveBlocker(board);
  if (reason) throw new StateError(reason);
  const devices: Record<string, SavedDevice> = {};
  for (const [path, d] of board.devices) devices[path] = saveDevice(d);
  return { state: { clock: board.clock.now(), cpus: board.cluster.snapshot!.save(), devices }, ram: board.memory.ram };
}

/** Checks saved state against the board; throws a `StateError` naming what differs, and changes nothing. */
export function checkMachine(board: StatefulBoard, state: unknown, ramSize: number): CheckedMachine {
  const s = state as Partial<MachineState> | null;
  if (typeof s !== 'object' || s === null) throw new StateError('machine state: expected an object');
  if (ramSize !== board.memory.ram.length) throw new StateError(`RAM: ${ramSize} bytes saved, this machine has ${board.memory.ram.length}`);
  if (typeof s.clock !== 'number' || !Number.isFinite(s.clock) || s.clock < 0) throw new StateError('clock: expected virtual nanoseconds');
  if (!board.cluster.snapshot) throw new StateError('the CPU model cannot load harts');
  board.cluster.snapshot.check(s.cpus);
  const saved = s.devices as Record<string, unknown> | undefined;
  if (typeof saved !== 'object' || saved === null) throw new StateError('devices: expected an object');
  const missing = [...board.devices.keys()].find((p) => !Object.hasOwn(saved, p));
  if (missing) throw new StateError(`${missing}: not in the snapshot`);
  const extra = Object.keys(saved).find((p) => !board.devices.has(p));
  if (extra) throw new StateError(`${extra}: saved, but this machine has no such device`);
  const devices = [...board.devices].map(([path, d]) => checkDevice(d, saved[path], path));
  return { clock: s.clock, cpus: s.cpus, devices };
}

/**
 * Loads checked state into a paused board, RAM through `writeRam`: the clock first (it
 * drops every timer), then RAM, harts, devices and their outputs, and last
 * each device's `postLoad`, which re-arms what its state implies.
 */
export function loadMachine(board: StatefulBoard, checked: CheckedMachine, writeRam: (ram: Uint8Array) => void): void {
  board.clock.restore(checked.clock);
  writeRam(board.memory.ram);
  board.cluster.snapshot!.load(checked.cpus);
  for (const d of checked.devices) loadDevice(d);
  for (const d of checked.devices) d.handle.model.postLoad?.();
}

import type { Observable } from 'rxjs';
import type { Origin } from './origin.js';
import type { Phase, RunState } from './phase.js';
import type { ObjectTree } from './objects/object-tree.js';
import type { TypeRegistry } from './objects/type-registry.js';
import type { HostBroker } from './host-broker.js';
import type { KernelEvent } from './event-bus.js';
import type { CommandDecl } from './command.js';

/** Whether commands drive a real machine or rebuild a configuration from the log. */
export type ExecutionMode = 'live' | 'replay';

/**
 * The narrow API a command handler, a type's hooks and a transport see of the
 * kernel. Everything a plugin does to the machine goes through here.
 */
export interface KernelContext {
  readonly origin: Origin;
  /** `replay` rebuilds configuration only: no guest starts, no host sockets open. */
  readonly mode: ExecutionMode;
  readonly phase: Phase;
  readonly runState: RunState;
  readonly objects: ObjectTree;
  readonly types: TypeRegistry;
  readonly broker: HostBroker;
  /** Advances the phase machine through every phase up to `phase`, running the machine's hooks. */
  advanceTo(phase: Phase): Promise<void>;
  /** Changes the run state and emits the matching event, if any. */
  setRunState(state: RunState): void;
  /** Queues an event; it is published when the command succeeds, dropped if it fails. */
  emit(event: string, data?: Record<string, unknown>): void;
  /** Registers an undo step for a side effect outside the object tree. */
  onRollback(undo: () => void | Promise<void>): void;
  /** A service a plugin provided under `token`. */
  service<T>(token: string): T;
  /** Every registered command's declaration, for a transport that types its input by a command's schema inside a command (`human-monitor-command`). */
  commands(): readonly CommandDecl[];
  /** Runs another command as part of this one (same origin, not logged separately). */
  call(command: string, args?: Record<string, unknown>): Promise<unknown>;
  /** Every published event, for plugins that react to the machine (transports, the sandbox). */
  readonly events: Observable<KernelEvent>;
  /** Guest-initiated run-state changes, for devices (the SiFive test finisher, a watchdog). */
  readonly guest: GuestControl;
}

/**
 * What the guest itself can do to the run state. These happen outside any
 * command, honour the `set-action` policy (`-no-reboot`), emit the QMP
 * events, and are not configuration changes, so they are not logged.
 */
export interface GuestControl {
  /**
   * The guest powered off, or the host ended it outside any command (a
   * reason starting `host-`: `host-ui` for Ctrl-A x, `host-signal`);
   * `exitCode` is the process status the machine asks for (SiFive test FAIL codes).
   */
  shutdown(reason?: string, exitCode?: number): void;
  /** The guest asked for a reset. */
  reset(reason?: string): void;
  /** The guest panicked (or the machine found it in a state it cannot leave); `info` says where and why. */
  panic(info?: GuestPanicInfo): void;
  /** The machine cannot go on running the guest (an emulator fault): it stops in `internal-error`. */
  internalError(info: GuestPanicInfo): void;
}

/**
 * Where and why a guest stopped for good, as GUEST_PANICKED and
 * `query-status` report it (QEMU's GuestPanicInformation, with a RISC-V
 * variant): addresses are hex strings, exact for every 64-bit value.
 */
export interface GuestPanicInfo {
  readonly type: 'riscv';
  /** One line: what happened. */
  readonly message: string;
  readonly hart?: number;
  /** The pc of the instruction that trapped, e.g. "0xffffffff80001234". */
  readonly pc?: string;
  /** The exception cause (privileged spec table 3.6). */
  readonly cause?: number;
  readonly tval?: string;
}

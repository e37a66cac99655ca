import type { CommandRegistry } from '../command-registry.js';
import type { GuestPanicInfo } from '../context.js';
import type { CommandLogStore } from '../log/log-entry.js';
import type { TransportDecl, TransportHandle, TransportHost } from '../transport.js';

/** The program version as `query-version` reports it. */
export interface VersionInfo {
  readonly major: number;
  readonly minor: number;
  readonly micro: number;
  readonly package: string;
}

/**
 * The QEMU release whose QMP vmledger follows: `query-version` and the
 * greeting report it as `qemu` (with vmledger's own version in `package`),
 * so the version checks of QMP clients (libvirt, qemu.qmp) pass.
 */
export const QEMU_QMP_VERSION = { major: 7, minor: 2, micro: 0 } as const;

/** Kernel internals the core commands read; plugins never see these. */
export interface CoreDeps {
  readonly registry: CommandRegistry;
  readonly version: VersionInfo;
  readonly transports: ReadonlyMap<string, TransportDecl>;
  readonly monitors: Map<string, TransportHandle>;
  readonly store?: CommandLogStore;
  transportHost(): TransportHost;
  /** Asks the program to exit once the current replies are out. */
  requestExit(code: number): void;
  /** Where and why the guest last panicked or stopped with an internal error. */
  stopInfo(): GuestPanicInfo | undefined;
}

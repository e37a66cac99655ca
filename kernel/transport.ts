import type { Observable } from 'rxjs';
import type { CommandDecl, EventDecl } from './command.js';
import type { KernelEvent } from './event-bus.js';
import type { ObjectTree } from './objects/object-tree.js';
import type { TypeRegistry } from './objects/type-registry.js';
import type { Origin } from './origin.js';
import type { Phase, RunState } from './phase.js';
import type { HostConnection, HostListener, HostSocketAddress, SocketOptions, SocketReach } from './host-sockets.js';

/** What a transport sees of the kernel: the dispatcher, the event stream, read-only introspection. */
export interface TransportHost {
  /** The one way in: validated, phase-checked, sandboxed, logged. Rejects with a QmpError. */
  execute(command: string, args: Record<string, unknown> | undefined, origin: Origin): Promise<unknown>;
  readonly events: Observable<KernelEvent>;
  commands(): readonly CommandDecl[];
  events_(): readonly EventDecl[];
  readonly types: TypeRegistry;
  /** Read-only view for formatting answers (HMP `info qtree`); changes go through `execute`. */
  readonly objects: ObjectTree;
  phase(): Phase;
  runState(): RunState;
  /** Resolves once the configuration feed (command line, config files) is done; monitors opened before stay suspended until then. */
  readonly configured: Promise<void>;
  readonly version: { major: number; minor: number; micro: number; package: string };
  /**
   * Listens through the kernel's broker: the sandbox and the socket rules
   * (loopback unless allowed, authentication for a monitor beyond this host,
   * a Unix path that only replaces a stale socket) apply; throws a QmpError
   * naming the reason when refused.
   */
  listen(address: HostSocketAddress, options: SocketOptions, onConnection: (c: HostConnection) => void): Promise<HostListener>;
  /** Refuses a monitor on an existing socket (a chardev's) that reaches beyond this host without authentication. */
  checkMonitor(reach: SocketReach): void;
  /** Takes stdin and stdout for one user; a second is refused (see HostBroker.claimStdio). Returns the release. */
  claimStdio(user: string): () => void;
}

/** A live monitor or listener a transport opened; closing it stops accepting and drops its clients. */
export interface TransportHandle {
  readonly description: string;
  close(): Promise<void>;
}

/**
 * A transport: turns its input into commands. `open` starts one endpoint
 * (`unix:/run/vm.qmp`, `tcp:127.0.0.1:4444`, `stdio`, `fd:3`).
 */
export interface TransportDecl {
  readonly name: string;
  readonly doc: string;
  open(endpoint: string, host: TransportHost, options: Record<string, unknown>): Promise<TransportHandle>;
}

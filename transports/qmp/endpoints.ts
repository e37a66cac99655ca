/**
 * Where monitors listen: a Unix socket (created mode 0600), TCP (loopback
 * unless the program allows more, and then only with TLS), the process's
 * stdio, a chardev, or a listening socket inherited through systemd socket
 * activation. Sockets are opened by the kernel's broker, which applies the
 * sandbox and the socket rules. Shared by the QMP and HMP transports; each
 * connection is handed to the transport's `onConnection`.
 *
 * Endpoint strings follow QEMU's chardev spelling:
 * `unix:/run/vm.qmp[,server=on,wait=off]`, `tcp:127.0.0.1:4444`, `stdio`,
 * `systemd` (first socket passed by LISTEN_FDS, fd 3), `systemd:NAME`
 * (by LISTEN_FDNAMES), `fd:N` (an already listening socket).
 */
import type { Duplex, Readable, Writable } from 'node:stream';
import { tlsCredentials, type HostSocketAddress, type Origin, type TlsServerCredentials } from '../../kernel/index.js';
import type { TransportHost } from '../../kernel/transport.js';
import { listenChardev, type ChardevLookup } from './chardev-connection.js';

/** One accepted connection: where to read, where to write, and a name for the log's origin. */
export interface Connection {
  readonly input: Readable;
  readonly output: Writable;
  /** `conn-3`, `stdio`, `chardev:ID` */
  readonly client: string;
  /** The peer's address, for a socket (`tcp:192.0.2.7:51234`). */
  readonly peer?: string;
  /** Who the peer proved to be over TLS. */
  readonly identity?: string;
  /** False for stdio, whose streams belong to the process. */
  readonly ownsStreams: boolean;
}

/** A listening endpoint. */
export interface Listener {
  /** The endpoint as a client would name it (with the real port for `tcp:...:0`). */
  readonly endpoint: string;
  close(): Promise<void>;
}

/** The parsed form of an endpoint string. */
export type EndpointSpec =
  | { kind: 'unix'; path: string }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'stdio' }
  | { kind: 'fd'; fd: number }
  | { kind: 'chardev'; id: string };

/** How long a closing endpoint waits for a client to take its last replies before cutting it off. */
const CLOSE_GRACE_MS = 250;

/** systemd passes activated sockets from this descriptor on (sd_listen_fds). */
export const SD_LISTEN_FDS_START = 3;

/**
 * Parses `unix:PATH`, `tcp:HOST:PORT`, `stdio`, `systemd[:NAME]`, `fd:N`.
 * QEMU's trailing chardev options (`,server=on,wait=off`) are accepted and ignored:
 * a monitor endpoint is always a server that does not wait.
 */
export function parseEndpoint(endpoint: string, env: NodeJS.ProcessEnv = process.env): EndpointSpec {
  const main = endpoint.split(',')[0]!;
  if (main === 'stdio') return { kind: 'stdio' };
  if (main.startsWith('chardev:') && main.length > 8) return { kind: 'chardev', id: main.slice(8) };
  if (main.startsWith('unix:')) {
    const path = main.slice(5);
    if (!path) throw new Error(`endpoint '${endpoint}': missing socket path`);
    return { kind: 'unix', path };
  }
  if (main.startsWith('tcp:')) {
    const rest = main.slice(4);
    const colon = rest.lastIndexOf(':');
    const host = colon > 0 ? rest.slice(0, colon) : '127.0.0.1';
    const port = Number(rest.slice(colon + 1));
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`endpoint '${endpoint}': invalid port`);
    return { kind: 'tcp', host: host.replace(/^\[|\]$/g, ''), port };
  }
  if (main.startsWith('fd:')) {
    const fd = Number(main.slice(3));
    if (!Number.isInteger(fd) || fd < 0) throw new Error(`endpoint '${endpoint}': invalid descriptor`);
    return { kind: 'fd', fd };
  }
  if (main === 'systemd' || main.startsWith('systemd:')) return { kind: 'fd', fd: activatedFd(main.slice(8) || undefined, env) };
  throw new Error(`endpoint '${endpoint}': expected unix:PATH, tcp:HOST:PORT, stdio, chardev:ID, systemd or fd:N`);
}

/**
 * The descriptor systemd passed for this process, following sd_listen_fds(3):
 * LISTEN_PID must name this process (otherwise the variables were meant for
 * a parent), LISTEN_FDS counts descriptors from 3 on, LISTEN_FDNAMES names them.
 */
export function activatedFd(name: string | undefined, env: NodeJS.ProcessEnv = process.env): number {
  const pid = Number(env.LISTEN_PID);
  const count = Number(env.LISTEN_FDS);
  if (!env.LISTEN_FDS || !Number.isInteger(count) || count < 1) throw new Error('socket activation: LISTEN_FDS is not set');
  if (pid !== process.pid) throw new Error(`socket activation: LISTEN_PID ${env.LISTEN_PID ?? '(unset)'} is not this process (${process.pid})`);
  if (name === undefined) return SD_LISTEN_FDS_START;
  const names = (env.LISTEN_FDNAMES ?? '').split(':');
  const i = names.indexOf(name);
  if (i < 0 || i >= count) throw new Error(`socket activation: no socket named '${name}' in LISTEN_FDNAMES`);
  return SD_LISTEN_FDS_START + i;
}

/** Whether this process was started by socket activation (the entry point then adds a `systemd` QMP monitor). */
export function socketActivated(env: NodeJS.ProcessEnv = process.env): boolean {
  return !!env.LISTEN_FDS && Number(env.LISTEN_PID) === process.pid;
}

/** What a monitor endpoint needs besides its address: TLS credentials that authenticate its peers. */
export interface ListenOptions {
  readonly tls?: TlsServerCredentials;
}

/** The monitor options `monitor-add` (and `-qmp`, `-monitor`, `-mon`) share: who may connect, and what they may do. */
export interface MonitorAccess {
  /** Only queries: every change is refused (`read-only=on`), for dashboards. */
  readonly 'read-only'?: boolean;
  /** The id of a `tls-creds-x509` or `tls-creds-psk` object (endpoint=server): peers must complete a TLS handshake with it. */
  readonly 'tls-creds'?: string;
}

/** The listen options a monitor's access settings ask for: its TLS credentials, looked up by id. */
export function listenOptions(host: TransportHost, access: MonitorAccess): ListenOptions {
  const id = access['tls-creds'];
  return id === undefined ? {} : { tls: tlsCredentials(host.objects, id, 'server') };
}

/** What the log records of one connection: its client id, the peer's address and proven identity, and whether it may change anything. */
export function connectionOrigin(conn: Connection, access: MonitorAccess): Pick<Origin, 'client' | 'peer' | 'identity' | 'readOnly'> {
  return {
    client: conn.client,
    ...(conn.peer ? { peer: conn.peer } : {}),
    ...(conn.identity ? { identity: conn.identity } : {}),
    ...(access['read-only'] ? { readOnly: true } : {}),
  };
}

/** The broker's address for a socket endpoint. */
function socketAddress(spec: EndpointSpec): HostSocketAddress {
  if (spec.kind === 'unix') return { type: 'unix', path: spec.path };
  if (spec.kind === 'tcp') return { type: 'inet', host: spec.host, port: spec.port };
  if (spec.kind === 'fd') return { type: 'fd', fd: spec.fd };
  throw new Error(`endpoint kind '${spec.kind}' is not a socket`);
}

/** Starts listening through the host's broker; every connection is passed to `onConnection`. */
export async function listen(endpoint: string, host: TransportHost, onConnection: (c: Connection) => void, chardevs?: ChardevLookup, options: ListenOptions = {}): Promise<Listener> {
  const spec = parseEndpoint(endpoint);
  if (spec.kind === 'stdio') {
    if (options.tls) throw new Error(`endpoint 'stdio': tls-creds needs a socket`);
    return listenStdio(onConnection, host.claimStdio('a monitor on stdio'));
  }
  if (spec.kind === 'chardev') {
    if (options.tls) throw new Error(`endpoint 'chardev:${spec.id}': give tls-creds to the chardev's socket, not to the monitor`);
    return listenChardev(spec.id, chardevs ?? (() => undefined), onConnection, (reach) => host.checkMonitor(reach));
  }
  let counter = 0;
  const sockets = new Set<Duplex>();
  const listener = await host.listen(socketAddress(spec), { monitor: true, tls: options.tls }, ({ socket, peer, identity }) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    (socket as { setNoDelay?(on: boolean): void }).setNoDelay?.(true);
    onConnection({ input: socket, output: socket, client: `conn-${++counter}`, ...(spec.kind === 'unix' ? {} : { peer }), ...(identity ? { identity } : {}), ownsStreams: true });
  });
  if (spec.kind === 'fd' && endpoint.startsWith('systemd')) {
    // Like sd_listen_fds(unset_environment=1): children must not think the sockets are theirs.
    delete process.env.LISTEN_FDS;
    delete process.env.LISTEN_PID;
    delete process.env.LISTEN_FDNAMES;
  }
  return {
    endpoint: spec.kind === 'unix' ? `unix:${spec.path}` : spec.kind === 'fd' ? endpoint.split(',')[0]! : listener.address,
    close: async () => {
      // Let each client receive what was written to it (the reply to `quit`), then cut it off.
      for (const s of sockets) {
        s.end();
        setTimeout(() => s.destroy(), CLOSE_GRACE_MS).unref();
      }
      await listener.close();
    },
  };
}

function listenStdio(onConnection: (c: Connection) => void, release: () => void): Listener {
  const input = process.stdin;
  const output = process.stdout;
  onConnection({ input, output, client: 'stdio', ownsStreams: false });
  return {
    endpoint: 'stdio',
    close: async () => {
      input.pause();
      input.removeAllListeners('data');
      release();
    },
  };
}

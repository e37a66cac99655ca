/**
 * Where monitors listen: a Unix socket (created mode 0600), TCP on a
 * loopback address, the process's stdio, or a listening socket inherited
 * through systemd socket activation. Shared by the QMP and HMP transports;
 * each connection is handed to the transport's `onConnection`.
 *
 * Endpoint strings follow QEMU's chardev spelling:
 * `unix:/run/vm.qmp[,server=on,wait=off]`, `tcp:127.0.0.1:4444`, `stdio`,
 * `systemd` (first socket passed by LISTEN_FDS, fd 3), `systemd:NAME`
 * (by LISTEN_FDNAMES), `fd:N` (an already listening socket).
 */
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { listenChardev, type ChardevLookup } from './chardev-connection.js';

/** One accepted connection: where to read, where to write, and a name for the log's origin. */
export interface Connection {
  readonly input: Readable;
  readonly output: Writable;
  /** `conn-3`, `conn-4@127.0.0.1:51234`, `stdio` */
  readonly client: string;
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

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
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
    if (!LOOPBACK.has(host)) throw new Error(`endpoint '${endpoint}': TCP monitors listen on loopback only (127.0.0.1 or ::1)`);
    return { kind: 'tcp', host: host === '[::1]' ? '::1' : host, port };
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

/** Starts listening; every connection is passed to `onConnection`. */
export async function listen(endpoint: string, onConnection: (c: Connection) => void, chardevs?: ChardevLookup): Promise<Listener> {
  const spec = parseEndpoint(endpoint);
  if (spec.kind === 'stdio') return listenStdio(onConnection);
  if (spec.kind === 'chardev') return listenChardev(spec.id, chardevs ?? (() => undefined), onConnection);
  let counter = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.setNoDelay?.(true);
    const n = ++counter;
    const peer = spec.kind === 'tcp' ? `@${socket.remoteAddress}:${socket.remotePort}` : '';
    onConnection({ input: socket, output: socket, client: `conn-${n}${peer}`, ownsStreams: true });
  });
  let name = endpoint.split(',')[0]!;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (spec.kind === 'unix') {
      removeStaleSocket(spec.path);
      // The socket file must never exist with looser permissions, not even
      // between bind and chmod: narrow the umask around the bind.
      const old = process.umask(0o177);
      try {
        server.listen({ path: spec.path }, resolve);
      } finally {
        process.umask(old);
      }
    } else if (spec.kind === 'tcp') server.listen({ host: spec.host, port: spec.port }, resolve);
    else server.listen({ fd: spec.fd }, resolve);
  });
  if (spec.kind === 'unix') chmodSync(spec.path, 0o600);
  if (spec.kind === 'tcp') {
    const addr = server.address() as net.AddressInfo;
    name = `tcp:${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  }
  if (spec.kind === 'fd' && endpoint.startsWith('systemd')) {
    // Like sd_listen_fds(unset_environment=1): children must not think the sockets are theirs.
    delete process.env.LISTEN_FDS;
    delete process.env.LISTEN_PID;
    delete process.env.LISTEN_FDNAMES;
  }
  return {
    endpoint: name,
    close: () =>
      new Promise<void>((resolve) => {
        // Let each client receive what was written to it (the reply to `quit`), then cut it off.
        for (const s of sockets) {
          s.end();
          setTimeout(() => s.destroy(), CLOSE_GRACE_MS).unref();
        }
        server.close(() => {
          if (spec.kind === 'unix') removeStaleSocket(spec.path);
          resolve();
        });
      }),
  };
}

function removeStaleSocket(path: string): void {
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch {
    // absent: nothing to remove
  }
}

function listenStdio(onConnection: (c: Connection) => void): Listener {
  const input = process.stdin;
  const output = process.stdout;
  onConnection({ input, output, client: 'stdio', ownsStreams: false });
  return {
    endpoint: 'stdio',
    close: async () => {
      input.pause();
      input.removeAllListeners('data');
    },
  };
}

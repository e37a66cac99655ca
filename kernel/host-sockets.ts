/**
 * How the broker listens and connects. One place holds the rules every
 * socket follows, whoever opens it (a monitor, a socket chardev, the
 * command line or a client's `chardev-add`):
 *
 * - A TCP socket stays on this host (loopback: 127.0.0.0/8, ::1) unless the
 *   program was started with `-allow-remote-sockets`; a client cannot lift it.
 * - A monitor reachable beyond this host must authenticate its peer (TLS
 *   credentials, `tls-creds=ID`), opt-in or not.
 * - Binding a Unix socket replaces only a stale socket (one nobody listens
 *   on); a regular file, a live socket or anything else at the path is left
 *   as it is and the bind fails, saying why. The socket is created 0600.
 */
import { createHash } from 'node:crypto';
import { chmodSync, linkSync, lstatSync, unlinkSync, type Stats } from 'node:fs';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { basename, dirname, join } from 'node:path';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { QmpError } from './errors.js';
import type { TlsClientCredentials, TlsCredentials } from './tls-credentials.js';

/** Where a socket listens or connects: a Unix path, a TCP host and port, or an inherited listening descriptor. */
export type HostSocketAddress =
  | { readonly type: 'unix'; readonly path: string }
  | { readonly type: 'inet'; readonly host: string; readonly port: number }
  | { readonly type: 'fd'; readonly fd: number };

/** `unix:/path`, `tcp:host:port` (IPv6 in brackets), `fd:N`: how the broker, the sandbox and the log name it. */
export function socketName(a: HostSocketAddress): string {
  if (a.type === 'unix') return `unix:${a.path}`;
  if (a.type === 'fd') return `fd:${a.fd}`;
  return `tcp:${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
}

/** What the socket is for and how its peers authenticate. */
export interface SocketOptions {
  /** A monitor reads commands from it: beyond this host its peer must authenticate. */
  readonly monitor?: boolean;
  /** TLS credentials for the endpoint's side (a server's for listening, a client's for connecting). */
  readonly tls?: TlsCredentials;
}

/** How far a socket reaches, so a monitor attached to it later can apply the same rule. */
export interface SocketReach {
  /** The address as bound or connected (`tcp:0.0.0.0:4444` with the real port). */
  readonly address: string;
  /** Beyond loopback. */
  readonly remote: boolean;
  /** Every peer proves who it is (TLS with verified credentials). */
  readonly authenticated: boolean;
}

/** One accepted or established connection. */
export interface HostConnection {
  readonly socket: Duplex;
  /** `tcp:192.0.2.7:51234`, or the socket path for a Unix socket. */
  readonly peer: string;
  /** Who the peer proved to be over TLS (`x509:CN=ops`, `psk:ops`). */
  readonly identity?: string;
}

/** A listening socket; closing it removes its Unix socket file, if the file is still its own. */
export interface HostListener extends SocketReach {
  close(): Promise<void>;
  /** Settles when `close` is called, by its owner or because the program is exiting: a wait for a first client ends there. */
  readonly closed: Promise<void>;
}

/** Whether an IP address is this host's own (127.0.0.0/8, ::1, their IPv4-mapped forms). */
export function isLoopback(ip: string): boolean {
  const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  if (net.isIPv4(v4)) return v4.startsWith('127.');
  return ip === '::1' || ip === '0:0:0:0:0:0:0:1';
}

/** Whether every address `host` names is loopback (a wildcard such as 0.0.0.0 or :: is not). */
async function hostIsLoopback(host: string): Promise<boolean> {
  const bare = host.replace(/^\[|\]$/g, '');
  if (net.isIP(bare)) return isLoopback(bare);
  try {
    const addrs = await lookup(bare, { all: true });
    return addrs.length > 0 && addrs.every((a) => isLoopback(a.address));
  } catch {
    return false;
  }
}

/** The socket rules of one process: whether sockets may reach beyond this host. */
export class SocketRules {
  /** Every listener still open, so the program's exit can remove the sockets it created (QEMU unlinks its own too). */
  private readonly open = new Set<() => Promise<void>>();

  constructor(private readonly remoteAllowed: boolean) {}

  /** Stops every listener still open and removes the Unix socket files that are still its own, at once (the program is exiting). */
  closeAll(): void {
    for (const close of this.open) void close();
  }

  /** Refuses a socket beyond this host without the opt-in, and an unauthenticated monitor beyond it in any case. */
  check(reach: SocketReach, opts: SocketOptions, verb: 'listen on' | 'connect to'): void {
    if (!reach.remote) return;
    if (!this.remoteAllowed)
      throw new QmpError('GenericError', `Refusing to ${verb} '${reach.address}': it is not a loopback address (127.0.0.1, ::1); start vmledger with -allow-remote-sockets to reach beyond this host`);
    if (opts.monitor && !reach.authenticated) throw monitorNeedsAuth(reach.address);
  }

  /** For a monitor attached to a socket that already exists (a chardev): the same rule as for one that listens itself. */
  checkMonitor(reach: SocketReach): void {
    if (reach.remote && !reach.authenticated) throw monitorNeedsAuth(reach.address);
  }

  /** Starts listening; `onConnection` gets each peer once it is accepted (and, over TLS, authenticated). */
  async listen(address: HostSocketAddress, opts: SocketOptions, onConnection: (c: HostConnection) => void): Promise<HostListener> {
    const name = socketName(address);
    if (opts.tls && opts.tls.endpoint !== 'server') throw new QmpError('GenericError', 'Expecting TLS credentials with a server endpoint');
    if (address.type === 'inet') this.check({ address: name, remote: !(await hostIsLoopback(address.host)), authenticated: !!opts.tls }, opts, 'listen on');
    let owned: Stats | undefined;
    if (address.type === 'unix') await clearStaleSocket(address.path);
    const server = opts.tls?.endpoint === 'server' ? tls.createServer(opts.tls.tlsOptions()) : net.createServer();
    const identify = (s: Duplex) => (opts.tls && s instanceof tls.TLSSocket ? opts.tls.identify(s) : undefined);
    server.on(opts.tls ? 'secureConnection' : 'connection', (socket: net.Socket) => {
      const peer = address.type === 'unix' ? name : `tcp:${socket.remoteAddress?.includes(':') ? `[${socket.remoteAddress}]` : socket.remoteAddress}:${socket.remotePort}`;
      onConnection({ socket, peer, identity: identify(socket) });
    });
    // A failed handshake is the client's problem: it is dropped, the listener goes on.
    server.on('tlsClientError', (_e: Error, socket: tls.TLSSocket) => socket.destroy());
    // libuv unlinks a Unix socket's bind path when the server closes, whatever is there by then:
    // bind under a private name and link the socket into place, so that name is all it can remove.
    const bindPath = address.type === 'unix' ? socketBindName(address.path) : undefined;
    // A process that died between bind and link leaves its bind name behind: only as stale a socket as any.
    if (bindPath) await clearStaleSocket(bindPath);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => reject(new QmpError('GenericError', `Failed to listen on '${name}': ${e.code ?? e.message}`)));
      if (bindPath) {
        // The socket file must never exist with looser permissions, not even between bind and chmod.
        const old = process.umask(0o177);
        try {
          server.listen({ path: bindPath }, resolve);
        } finally {
          process.umask(old);
        }
      } else if (address.type === 'inet') server.listen({ host: address.host.replace(/^\[|\]$/g, ''), port: address.port }, resolve);
      else if (address.type === 'fd') server.listen({ fd: address.fd }, resolve);
    });
    if (bindPath && address.type === 'unix') owned = placeSocket(bindPath, address.path, () => server.close());
    const bound = server.address();
    const reach: SocketReach =
      bound && typeof bound === 'object'
        ? { address: socketName({ type: 'inet', host: bound.address, port: bound.port }), remote: !isLoopback(bound.address), authenticated: !!opts.tls }
        : { address: name, remote: false, authenticated: !!opts.tls };
    let closing: Promise<void> | undefined;
    let markClosed!: () => void;
    const closed = new Promise<void>((resolve) => (markClosed = resolve));
    const close = () =>
      (closing ??= new Promise<void>((resolve) => {
        markClosed();
        this.open.delete(close);
        server.close(() => resolve());
        // Now, not in the callback: 'close' waits for the connections still open to end.
        if (address.type === 'unix') removeIfSame(address.path, owned);
      }));
    this.open.add(close);
    // The name was checked before binding; what was bound (a name that resolved elsewhere, an inherited descriptor) is checked too.
    try {
      this.check(reach, opts, 'listen on');
    } catch (e) {
      await close();
      throw e;
    }
    return { ...reach, close, closed };
  }

  /** Connects out; over TLS, resolves once the server proved who it is. */
  async connect(address: HostSocketAddress, opts: SocketOptions): Promise<HostConnection & SocketReach> {
    const name = socketName(address);
    if (address.type === 'fd') throw new QmpError('GenericError', `Cannot connect to '${name}': a descriptor is for listening`);
    if (opts.tls && opts.tls.endpoint !== 'client') throw new QmpError('GenericError', 'Expecting TLS credentials with a client endpoint');
    const remote = address.type === 'inet' && !(await hostIsLoopback(address.host));
    let reach: SocketReach = { address: name, remote, authenticated: !!opts.tls };
    this.check(reach, opts, 'connect to');
    const raw = await new Promise<net.Socket>((resolve, reject) => {
      const s = address.type === 'unix' ? net.connect(address.path) : net.connect(address.port, address.host.replace(/^\[|\]$/g, ''));
      s.once('connect', () => resolve(s));
      s.once('error', (e: NodeJS.ErrnoException) => reject(new QmpError('GenericError', `Failed to connect to '${name}': ${e.code ?? e.message}`)));
    });
    // The name was checked before connecting; where it led is checked too.
    if (!remote && raw.remoteAddress && !isLoopback(raw.remoteAddress)) {
      reach = { ...reach, remote: true };
      try {
        this.check(reach, opts, 'connect to');
      } catch (e) {
        raw.destroy();
        throw e;
      }
    }
    if (!opts.tls) return { socket: raw, peer: name, ...reach };
    const creds = opts.tls as TlsClientCredentials;
    const secure = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const s = tls.connect({ ...creds.tlsOptions(), socket: raw, ...(address.type === 'inet' && !net.isIP(address.host) ? { servername: address.host } : {}) });
      s.once('secureConnect', () => resolve(s));
      s.once('error', (e) => {
        raw.destroy();
        reject(new QmpError('GenericError', `TLS handshake with '${name}' failed: ${e.message}`));
      });
    });
    return { socket: secure, peer: name, identity: creds.identify(secure), ...reach };
  }
}

function monitorNeedsAuth(address: string): QmpError {
  return new QmpError(
    'GenericError',
    `A monitor on '${address}' would be reachable beyond this host without authentication: give its socket tls-creds=ID (a tls-creds-x509 or tls-creds-psk object)`,
  );
}

/**
 * Makes room for a Unix socket at `path`: nothing there is fine; a socket
 * nobody listens on (left by a process that died) is removed; anything else
 * stays and the bind fails with the reason.
 */
async function clearStaleSocket(path: string): Promise<void> {
  let st: Stats;
  try {
    st = lstatSync(path);
  } catch {
    return;
  }
  if (!st.isSocket())
    throw new QmpError('GenericError', `Cannot bind a socket at '${path}': the path exists and is not a socket (${kindOf(st)}); it was left as it is`);
  const answer = await new Promise<string | undefined>((resolve) => {
    const probe = net.connect(path);
    probe.once('connect', () => (probe.destroy(), resolve('in use by a listening process')));
    probe.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED' ? undefined : `not usable (${e.code ?? e.message})`));
  });
  if (answer) throw new QmpError('GenericError', `Cannot bind a socket at '${path}': the socket there is ${answer}`);
  removeIfSame(path, st);
}

/**
 * The name beside `path` a socket is bound under before it is linked into
 * place: derived from the path, so `--confine` can grant it ahead of time,
 * and no longer than the path's own name where possible (a Unix socket path
 * has at most 107 bytes).
 */
export function socketBindName(path: string): string {
  const base = basename(path);
  return join(dirname(path), `.${createHash('sha256').update(path).digest('hex')}`.slice(0, Math.max(7, Math.min(17, base.length))));
}

/**
 * Links the socket bound at `bindPath` to `path` (link(2) never replaces
 * what is there: something created at `path` meanwhile makes it fail) and
 * drops the private name; returns the socket's identity for `removeIfSame`.
 */
function placeSocket(bindPath: string, path: string, abandon: () => void): Stats {
  try {
    chmodSync(bindPath, 0o600);
    linkSync(bindPath, path);
  } catch (e) {
    abandon();
    const code = (e as NodeJS.ErrnoException).code;
    throw new QmpError('GenericError', `Cannot bind a socket at '${path}': ${code === 'EEXIST' ? 'something was created there meanwhile; it was left as it is' : (code ?? (e as Error).message)}`);
  } finally {
    try {
      unlinkSync(bindPath);
    } catch {
      // the private name is already gone
    }
  }
  return lstatSync(path);
}

/** Unlinks `path` only while it is still the socket `owned` (same device and inode), never what replaced it. */
function removeIfSame(path: string, owned: Stats | undefined): void {
  try {
    const now = lstatSync(path);
    if (owned && now.isSocket() && now.ino === owned.ino && now.dev === owned.dev) unlinkSync(path);
  } catch {
    // already gone
  }
}

function kindOf(st: Stats): string {
  if (st.isFile()) return 'a regular file';
  if (st.isDirectory()) return 'a directory';
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isFIFO()) return 'a FIFO';
  return 'a device or special file';
}

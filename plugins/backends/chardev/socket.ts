import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { existsSync, unlinkSync } from 'node:fs';
import { fail, type HostBroker } from '../../../kernel/index.js';
import { CharBackendBase } from './char-base.js';

/** Where a socket chardev listens or connects. */
export type SocketAddress = { readonly type: 'unix'; readonly path: string } | { readonly type: 'inet'; readonly host: string; readonly port: number };

/** `unix:/path` or `tcp:host:port`, as the broker and `query-chardev` name it. */
export function addressName(a: SocketAddress): string {
  return a.type === 'unix' ? `unix:${a.path}` : `tcp:${a.host}:${a.port}`;
}

/**
 * A socket chardev (`-chardev socket,...`): as a server it takes one client
 * at a time (the next waits until the first leaves, as QEMU does); with
 * `wait` the chardev is not ready until the first client connects. As a
 * client it connects once, at creation. Output with no peer is dropped.
 */
export class SocketChardev extends CharBackendBase {
  private server: Server | undefined;
  private peer: Socket | undefined;
  private closed = false;
  /** The port actually bound (a `port: 0` server picks one). */
  boundPort: number | undefined;

  private constructor(
    readonly address: SocketAddress,
    readonly isServer: boolean,
    mux: boolean,
  ) {
    super(mux);
  }

  /** Opens the socket through the broker's policy; resolves when it is usable. */
  static async open(broker: HostBroker, address: SocketAddress, opts: { server: boolean; wait: boolean; mux?: boolean }): Promise<SocketChardev> {
    broker.authorize({ kind: 'socket', target: addressName(address), access: opts.server ? 'listen' : 'connect' });
    const c = new SocketChardev(address, opts.server, opts.mux ?? false);
    if (opts.server) await c.listen(opts.wait);
    else await c.connect();
    return c;
  }

  private listen(wait: boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let first = true;
      const server = createServer((sock) => {
        if (this.peer) {
          // One client at a time; later ones wait for their turn by being refused now.
          sock.destroy();
          return;
        }
        this.adopt(sock);
        if (first && wait) resolve();
        first = false;
      });
      server.once('error', (e) => reject(new Error(`Failed to listen on ${addressName(this.address)}: ${(e as NodeJS.ErrnoException).code ?? e.message}`)));
      const ready = () => {
        const a = server.address();
        if (a && typeof a === 'object') this.boundPort = a.port;
        if (!wait) resolve();
      };
      if (this.address.type === 'unix') {
        if (existsSync(this.address.path)) unlinkSync(this.address.path);
        server.listen(this.address.path, ready);
      } else server.listen(this.address.port, this.address.host, ready);
      // As QEMU says it: otherwise a command line with a waiting server looks hung.
      if (wait) process.stderr.write(`vmledger: waiting for connection on: ${addressName(this.address)},server=on\n`);
      this.server = server;
    }).catch((e: Error) => fail(e.message));
  }

  private connect(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const a = this.address;
      const sock = a.type === 'unix' ? createConnection(a.path) : createConnection(a.port, a.host);
      sock.once('connect', () => {
        this.adopt(sock);
        resolve();
      });
      sock.once('error', (e) => reject(new Error(`Failed to connect to '${addressName(a)}': ${(e as NodeJS.ErrnoException).code ?? e.message}`)));
    }).catch((e: Error) => fail(e.message));
  }

  private adopt(sock: Socket): void {
    this.peer = sock;
    sock.setNoDelay?.(true);
    sock.on('data', (d) => this.input(new Uint8Array(d)));
    sock.on('error', () => sock.destroy());
    sock.on('close', () => {
      if (this.peer === sock) this.peer = undefined;
    });
  }

  /** Whether a peer is connected. */
  get connected(): boolean {
    return this.peer !== undefined;
  }

  protected output(data: Uint8Array): void {
    if (this.peer && !this.peer.destroyed) this.peer.write(data);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.peer?.destroy();
    if (this.server) await new Promise<void>((r) => this.server!.close(() => r()));
    if (this.isServer && this.address.type === 'unix' && existsSync(this.address.path)) unlinkSync(this.address.path);
  }

  describe(): string {
    return `${addressName(this.address)}${this.isServer ? ',server=on' : ''}`;
  }
}

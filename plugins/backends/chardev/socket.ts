import type { Duplex } from 'node:stream';
import { QmpError, socketName, type HostBroker, type HostListener, type SocketReach, type TlsCredentials } from '../../../kernel/index.js';
import { CharBackendBase } from './char-base.js';

/** Where a socket chardev listens or connects. */
export type SocketAddress = { readonly type: 'unix'; readonly path: string } | { readonly type: 'inet'; readonly host: string; readonly port: number };

/**
 * A socket chardev (`-chardev socket,...`): as a server it takes one client
 * at a time (the next waits until the first leaves, as QEMU does); with
 * `wait` the chardev is not ready until the first client connects. As a
 * client it connects once, at creation. Output with no peer is dropped.
 * The kernel's broker opens the socket, so the sandbox and the socket rules
 * apply (loopback unless allowed; a Unix path only replaces a stale socket);
 * with TLS credentials every peer completes a handshake first.
 */
export class SocketChardev extends CharBackendBase {
  private listener: HostListener | undefined;
  private peer: Duplex | undefined;
  private closed = false;
  /** How far the socket reaches: a monitor attached to it follows the same rule as a monitor's own socket. */
  reach: SocketReach | undefined;

  private constructor(
    readonly address: SocketAddress,
    readonly isServer: boolean,
    mux: boolean,
  ) {
    super(mux);
  }

  /** Opens the socket through the broker; resolves when it is usable. */
  static async open(broker: HostBroker, address: SocketAddress, opts: { server: boolean; wait: boolean; mux?: boolean; tls?: TlsCredentials }): Promise<SocketChardev> {
    const c = new SocketChardev(address, opts.server, opts.mux ?? false);
    if (opts.server) await c.listen(broker, opts.wait, opts.tls);
    else await c.connect(broker, opts.tls);
    return c;
  }

  private async listen(broker: HostBroker, wait: boolean, tls: TlsCredentials | undefined): Promise<void> {
    let firstClient!: () => void;
    const connected = new Promise<void>((resolve) => (firstClient = resolve));
    this.listener = await broker.listen(this.address, { tls }, ({ socket }) => {
      if (this.peer) {
        // One client at a time; later ones wait for their turn by being refused now.
        socket.destroy();
        return;
      }
      this.adopt(socket);
      firstClient();
    });
    this.reach = this.listener;
    if (!wait) return;
    // As QEMU says it: otherwise a command line with a waiting server looks hung.
    process.stderr.write(`vmledger: waiting for connection on: ${this.listener.address},server=on\n`);
    // A VM ended while it waits (a signal) closes the listener: the wait, and the command, end there.
    const gaveUp = this.listener.closed.then(() => {
      if (!this.peer) throw new QmpError('GenericError', `'${this.listener!.address}' was closed before a client connected`);
    });
    await Promise.race([connected, gaveUp]);
  }

  private async connect(broker: HostBroker, tls: TlsCredentials | undefined): Promise<void> {
    const { socket, ...reach } = await broker.connect(this.address, { tls });
    this.reach = { address: reach.address, remote: reach.remote, authenticated: reach.authenticated };
    this.adopt(socket);
  }

  private adopt(sock: Duplex): void {
    this.peer = sock;
    (sock as { setNoDelay?(on: boolean): void }).setNoDelay?.(true);
    sock.on('data', (d: Buffer) => this.input(new Uint8Array(d)));
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
    await this.listener?.close();
  }

  /** As `query-chardev` shows it: the address as bound (a `port: 0` server shows the port it got). */
  describe(): string {
    return `${this.reach?.address ?? socketName(this.address)}${this.isServer ? ',server=on' : ''}`;
  }
}

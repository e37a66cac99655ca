/** A minimal QMP client for tests and benchmarks: raw writes, replies read line by line (CRLF checked). */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostPath } from '../host-tools.js';

/** One QMP connection seen from the client side. */
export class QmpClient {
  private buf = '';
  private readonly queue: unknown[] = [];
  private readonly waiters: Array<(v: unknown) => void> = [];
  /** Every line received, raw, with its terminator: the framing tests read these. */
  readonly rawLines: string[] = [];
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => this.onData(d));
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w(undefined);
    });
    socket.on('error', () => undefined);
  }

  /** A client on a socket already connected (a TLS socket after its handshake). */
  static over(socket: net.Socket): QmpClient {
    return new QmpClient(socket);
  }

  /** Connects to `unix:PATH` or `tcp:HOST:PORT`. */
  static connect(endpoint: string): Promise<QmpClient> {
    return new Promise((resolve, reject) => {
      const s = endpoint.startsWith('unix:')
        ? net.connect(endpoint.slice(5))
        : net.connect({ host: endpoint.slice(4, endpoint.lastIndexOf(':')).replace(/^\[|\]$/g, ''), port: Number(endpoint.slice(endpoint.lastIndexOf(':') + 1)) });
      s.once('connect', () => resolve(new QmpClient(s)));
      s.once('error', reject);
    });
  }

  private onData(d: string): void {
    this.buf += d;
    let i: number;
    while ((i = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, i + 1);
      this.buf = this.buf.slice(i + 1);
      this.rawLines.push(line);
      const msg = JSON.parse(line);
      const w = this.waiters.shift();
      if (w) w(msg);
      else this.queue.push(msg);
    }
  }

  /** The next message (reply, event or greeting); undefined once the connection closed. */
  next(): Promise<any> {
    if (this.queue.length) return Promise.resolve(this.queue.shift());
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((r) => this.waiters.push(r));
  }

  /** The next `n` messages. */
  async take(n: number): Promise<any[]> {
    const out = [];
    for (let i = 0; i < n; i++) out.push(await this.next());
    return out;
  }

  /** The next message that is not an event. */
  async reply(): Promise<any> {
    for (;;) {
      const m = await this.next();
      if (m === undefined || !('event' in m)) return m;
    }
  }

  send(raw: string): void {
    this.socket.write(raw);
  }

  /** Sends one command and waits for its reply (events in between are skipped). */
  async cmd(execute: string, args?: Record<string, unknown>, id?: unknown): Promise<any> {
    const req: Record<string, unknown> = { execute };
    if (args) req.arguments = args;
    if (id !== undefined) req.id = id;
    this.send(JSON.stringify(req));
    return this.reply();
  }

  /** Reads the greeting and negotiates. */
  async negotiate(): Promise<any> {
    const greeting = await this.next();
    const r = await this.cmd('qmp_capabilities');
    if (!r || !('return' in r)) throw new Error(`negotiation failed: ${JSON.stringify(r)}`);
    return greeting;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A fresh private directory for sockets. */
export function tempDir(prefix = 'vmledger-qmp-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** The QEMU binary the comparison runs against, when installed. */
export const QEMU_BIN = hostPath('qemu-system-riscv64');

/** A real QEMU with a QMP socket; `stop()` kills it. */
export interface QemuProcess {
  readonly endpoint: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** Spawns `qemu-system-riscv64 -M none -S` with a QMP Unix socket and waits until it accepts connections. */
export async function startQemu(dir: string): Promise<QemuProcess> {
  if (!QEMU_BIN) throw new Error('qemu-system-riscv64 is not installed');
  const path = join(dir, 'qemu.qmp');
  const child = spawn(QEMU_BIN, ['-M', 'none', '-S', '-nodefaults', '-display', 'none', '-qmp', `unix:${path},server=on,wait=off`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let exited = false;
  child.on('exit', () => (exited = true));
  // Wait for the socket to accept a connection (a condition, not a timeout assertion).
  for (let i = 0; i < 500; i++) {
    if (exited) throw new Error('qemu exited early');
    if (existsSync(path)) {
      const ok = await new Promise<boolean>((r) => {
        const s = net.connect(path);
        s.once('connect', () => (s.destroy(), r(true)));
        s.once('error', () => r(false));
      });
      if (ok) break;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    endpoint: `unix:${path}`,
    child,
    stop: () =>
      new Promise<void>((r) => {
        if (exited) return r();
        child.once('exit', () => r());
        child.kill('SIGKILL');
      }),
  };
}

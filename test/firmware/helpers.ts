/**
 * End-to-end helpers for the firmware acceptance tests: a real `vmledger`
 * process (dist/vmledger.mjs, built by `npm run build`), its console on
 * stdout or on a socket chardev, and a QMP connection that keeps every event.
 * Every wait is bounded by a generous timeout: a firmware boot on a loaded
 * CI machine can take many seconds, and the tests assert no speed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { hostPath } from '../host-tools.js';

export { DEBIAN_FIRMWARE as FW } from '../host-tools.js';
export const VMLEDGER = resolve('dist/vmledger.mjs');
/** The reference emulator's path, when installed. */
export const QEMU = hostPath('qemu-system-riscv64');

/** Longest wait for any one thing the guest prints (firmware boot under load). */
export const BOOT_TIMEOUT = 120_000;
/** The line U-Boot prints when its autoboot countdown starts. */
export const AUTOBOOT = 'Hit any key to stop autoboot';
/** U-Boot's prompt. */
export const PROMPT = '=> ';

/** Text that grows as a stream delivers it, with bounded waits for markers. */
export class Transcript {
  text = '';
  private readonly waiters = new Set<() => void>();

  push(chunk: string): void {
    this.text += chunk;
    for (const w of [...this.waiters]) w();
  }

  /** Resolves with the text once `marker` appears at or after `from`; rejects after `ms`. */
  waitFor(marker: string | RegExp, from = 0, ms = BOOT_TIMEOUT): Promise<string> {
    const found = (): boolean => (typeof marker === 'string' ? this.text.indexOf(marker, from) >= 0 : marker.test(this.text.slice(from)));
    if (found()) return Promise.resolve(this.text);
    return new Promise((done, fail) => {
      const check = (): void => {
        if (!found()) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        done(this.text);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        fail(new Error(`timed out after ${ms} ms waiting for ${JSON.stringify(String(marker))}; got:\n${this.text.slice(-2000)}`));
      }, ms);
      this.waiters.add(check);
    });
  }
}

/** Emulators still running: none may outlive the test file, whatever its tests did. */
const live = new Set<ChildProcess>();
process.on('exit', () => live.forEach((c) => c.kill('SIGKILL')));

/** One running emulator process. */
export class Vm {
  readonly out = new Transcript();
  readonly err = new Transcript();
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private constructor(readonly child: ChildProcess, readonly dir: string) {
    child.stdout!.setEncoding('latin1').on('data', (d: string) => this.out.push(d));
    child.stderr!.setEncoding('latin1').on('data', (d: string) => this.err.push(d));
    this.exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
    live.add(child);
    child.on('exit', () => live.delete(child));
  }

  /** Starts vmledger with `args` in a fresh directory (its command log goes there). */
  static vmledger(args: string[], dir = tempDir()): Vm {
    return new Vm(spawn(process.execPath, [VMLEDGER, '-log', join(dir, 'vm.db'), ...args], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] }), dir);
  }

  /** Starts real QEMU with `args`. */
  static qemu(args: string[], dir = tempDir()): Vm {
    if (!QEMU) throw new Error('qemu-system-riscv64 is not installed');
    return new Vm(spawn(QEMU, args, { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] }), dir);
  }

  /** Exit status, bounded. */
  async exit(ms = 30_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, fail) => { timer = setTimeout(() => fail(new Error(`process did not exit within ${ms} ms`)), ms); });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills the process if still running and removes its directory. */
  async dispose(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A fresh private directory (sockets, command log). */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'vmledger-fw-'));
}

/** Connects to a Unix socket the emulator listens on, retrying until it exists. */
export async function connectUnix(path: string, ms = 30_000): Promise<net.Socket> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await new Promise<net.Socket>((done, fail) => {
        const s = net.connect(path);
        s.once('connect', () => done(s));
        s.once('error', fail);
      });
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** A serial console on a socket chardev. */
export class SerialSocket {
  readonly out = new Transcript();
  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('latin1').on('data', (d: string) => this.out.push(d));
  }
  static async connect(path: string): Promise<SerialSocket> {
    return new SerialSocket(await connectUnix(path));
  }
  /** Types `text`, one character at a time as a person would (U-Boot's input FIFO is small). */
  async type(text: string): Promise<void> {
    for (const ch of text) {
      this.socket.write(ch);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  /** Sends `text` in one write, as a paste does (the chardev holds what the UART's FIFO has no room for yet). */
  paste(text: string): void {
    this.socket.write(text);
  }
  /** Types `line` and Enter, then waits for the next prompt; returns what was printed in between. */
  async command(line: string): Promise<string> {
    const from = this.out.text.length;
    await this.type(`${line}\r`);
    await this.out.waitFor(PROMPT, from + line.length);
    return this.out.text.slice(from);
  }
  close(): void {
    this.socket.destroy();
  }
}

/** A QMP connection that keeps every event it receives. */
export class Qmp {
  readonly events: Array<{ event: string; data?: Record<string, unknown> }> = [];
  private buf = '';
  private readonly replies: unknown[] = [];
  private readonly wake = new Set<() => void>();
  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('utf8').on('data', (d: string) => {
      this.buf += d;
      let i: number;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const msg = JSON.parse(this.buf.slice(0, i)) as Record<string, unknown>;
        this.buf = this.buf.slice(i + 1);
        if ('event' in msg) this.events.push(msg as Qmp['events'][number]);
        else if (!('QMP' in msg)) this.replies.push(msg);
      }
      for (const w of [...this.wake]) w();
    });
    socket.on('error', () => undefined);
  }

  /** Connects to `path` and negotiates capabilities. */
  static async connect(path: string): Promise<Qmp> {
    const q = new Qmp(await connectUnix(path));
    await q.cmd('qmp_capabilities');
    return q;
  }

  private until<T>(what: string, get: () => T | undefined, ms: number): Promise<T> {
    const v = get();
    if (v !== undefined) return Promise.resolve(v);
    return new Promise((done, fail) => {
      const check = (): void => {
        const got = get();
        if (got === undefined) return;
        this.wake.delete(check);
        clearTimeout(timer);
        done(got);
      };
      const timer = setTimeout(() => {
        this.wake.delete(check);
        fail(new Error(`QMP: timed out waiting for ${what}; events so far: ${JSON.stringify(this.events)}`));
      }, ms);
      this.wake.add(check);
    });
  }

  /** Sends a command without waiting for its reply. */
  post(execute: string, args?: Record<string, unknown>): void {
    this.socket.write(JSON.stringify(args ? { execute, arguments: args } : { execute }));
  }

  /** Sends a command and resolves with its `return` (rejects on `error`). */
  async cmd(execute: string, args?: Record<string, unknown>, ms = 30_000): Promise<unknown> {
    this.post(execute, args);
    const r = (await this.until(`the reply to ${execute}`, () => this.replies.shift(), ms)) as { return?: unknown; error?: unknown };
    if ('error' in r) throw new Error(`${execute}: ${JSON.stringify(r.error)}`);
    return r.return;
  }

  /** The `n`th (0-based) event named `name`, waiting for it if needed. */
  event(name: string, n = 0, ms = BOOT_TIMEOUT): Promise<{ event: string; data?: Record<string, unknown> }> {
    return this.until(`event ${name} #${n}`, () => this.events.filter((e) => e.event === name)[n], ms);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Console text as lines without carriage returns. */
export function consoleLines(text: string): string[] {
  return text.replace(/\r/g, '').split('\n');
}

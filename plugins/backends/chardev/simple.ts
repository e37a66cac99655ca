import { closeSync, writeSync } from 'node:fs';
import { fail, type HostBroker } from '../../../kernel/index.js';
import { CharBackendBase } from './char-base.js';

/** Discards output, never has input (`-chardev null`; also what replay uses for every chardev). */
export class NullChardev extends CharBackendBase {
  protected output(): void {}
  close(): void {}
  describe(): string {
    return 'null';
  }
}

/** Ctrl-C as a terminal sends it. */
const INTERRUPT = 0x03;

/**
 * The process's own terminal. Only one may exist; raw mode while it does,
 * so keys reach the guest. With `signal` (QEMU's default, off for
 * `mon:stdio` and so for -nographic) Ctrl-C on a terminal still interrupts
 * the program, as QEMU keeps the terminal's ISIG: raw mode turns it into a
 * byte, so the byte raises the SIGINT the terminal would have.
 */
export class StdioChardev extends CharBackendBase {
  private readonly onData = (d: Buffer) => {
    if (this.signal && process.stdin.isTTY && d.includes(INTERRUPT)) process.kill(process.pid, 'SIGINT');
    else this.input(new Uint8Array(d));
  };
  private readonly wasRaw: boolean;

  /** `release` gives stdin and stdout back to the broker (HostBroker.claimStdio) when the chardev closes. */
  constructor(
    mux: boolean,
    private readonly release: () => void,
    private readonly signal = true,
  ) {
    super(mux);
    const stdin = process.stdin;
    this.wasRaw = stdin.isTTY ? stdin.isRaw : false;
    if (stdin.isTTY) stdin.setRawMode(true);
    stdin.on('data', this.onData);
    stdin.resume();
  }
  protected output(data: Uint8Array): void {
    process.stdout.write(data);
  }
  close(): void {
    process.stdin.off('data', this.onData);
    process.stdin.pause();
    if (process.stdin.isTTY) process.stdin.setRawMode(this.wasRaw);
    this.release();
  }
  describe(): string {
    return 'stdio';
  }
}

/**
 * Output appended or written to a host file, both opened by the broker;
 * optional input read from another (`-chardev file,path=...`). Output goes
 * to a regular file or a character device (`/dev/null`, a terminal): writes
 * are synchronous, and a FIFO would stall the guest whenever its reader
 * falls behind.
 */
export class FileChardev extends CharBackendBase {
  private fd: number | undefined;

  /** Opens the files through the broker, without blocking the event loop. */
  static async open(path: string, broker: HostBroker, opts: { append?: boolean; input?: string; mux?: boolean }): Promise<FileChardev> {
    const input = opts.input !== undefined ? await broker.readFile(opts.input) : undefined;
    // As QEMU's file backend: without `append` an existing file is truncated.
    const fd = await broker.openOutput(path, opts.append ?? false);
    return new FileChardev(path, fd, input, opts.mux ?? false);
  }

  private constructor(
    private readonly path: string,
    fd: number,
    input: Uint8Array | undefined,
    mux: boolean,
  ) {
    super(mux);
    this.fd = fd;
    if (input) queueMicrotask(() => this.input(new Uint8Array(input)));
  }
  protected output(data: Uint8Array): void {
    if (this.fd !== undefined) writeSync(this.fd, data);
  }
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
  describe(): string {
    return `file:${this.path}`;
  }
}

/**
 * A ring buffer in memory (`-chardev ringbuf,size=...`): device output is
 * kept (oldest bytes dropped when full) for `ringbuf-read`; `ringbuf-write`
 * feeds the device.
 */
export class RingbufChardev extends CharBackendBase {
  private readonly buf: Uint8Array;
  private start = 0;
  private length = 0;

  constructor(readonly size: number, mux = false) {
    super(mux);
    if (size <= 0 || (size & (size - 1)) !== 0) fail(`Parameter 'size' must be a power of 2, not ${size}`);
    this.buf = new Uint8Array(size);
  }
  protected output(data: Uint8Array): void {
    for (const b of data) {
      this.buf[(this.start + this.length) % this.size] = b;
      if (this.length < this.size) this.length++;
      else this.start = (this.start + 1) % this.size;
    }
  }
  /** Takes up to `n` of the oldest bytes. */
  read(n: number): Uint8Array {
    const count = Math.min(n, this.length);
    const out = new Uint8Array(count);
    for (let i = 0; i < count; i++) out[i] = this.buf[(this.start + i) % this.size]!;
    this.start = (this.start + count) % this.size;
    this.length -= count;
    return out;
  }
  /** Sends bytes to the device. */
  inject(data: Uint8Array): void {
    this.input(data);
  }
  close(): void {}
  describe(): string {
    return 'ringbuf';
  }
}

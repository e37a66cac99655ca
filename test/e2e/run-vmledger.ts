import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import net from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built program (`npm test` builds it first). */
export const VMLEDGER = fileURLToPath(new URL('../../dist/vmledger.mjs', import.meta.url));
/** The demo firmware shipped with the virt board. */
export const DEMO_FIRMWARE = fileURLToPath(new URL('../../plugins/machines/virt/demo-firmware/demo.bin', import.meta.url));

/** Every program a test started and that has not exited: none may outlive the test file, whatever the test did. */
const live = new Set<ChildProcessWithoutNullStreams>();
process.on('exit', () => live.forEach((c) => c.kill('SIGKILL')));

/** A vmledger process with its output collected, for tests that type at it and wait for answers. */
export class VmProcess {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(
    args: readonly string[],
    readonly cwd = mkdtempSync(join(tmpdir(), 'vmledger-e2e-')),
    program: readonly string[] = [process.execPath, VMLEDGER],
  ) {
    this.child = spawn(program[0], [...program.slice(1), ...args], { cwd });
    live.add(this.child);
    this.child.on('exit', () => live.delete(this.child));
    this.child.stdout.on('data', (d: Buffer) => (this.stdout += d.toString()));
    this.child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  /** Waits until stdout (or stderr) contains `text`; fails with what was printed after `timeoutMs`. */
  async waitFor(text: string, timeoutMs = 30_000, stream: 'stdout' | 'stderr' = 'stdout'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this[stream].includes(text)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${JSON.stringify(text)}; stdout: ${JSON.stringify(this.stdout.slice(-500))}; stderr: ${this.stderr}`);
      if (this.child.exitCode !== null) throw new Error(`exited (${this.child.exitCode}) before printing ${JSON.stringify(text)}; stderr: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  type(text: string): void {
    this.child.stdin.write(text);
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

/**
 * Runs vmledger with a pseudo-terminal as its stdin, stdout and stderr (util-linux
 * `script`), for what only happens on a terminal (raw mode, Ctrl-C); what the
 * test types goes to the terminal, and everything printed arrives on `stdout`.
 */
export function onTerminal(args: readonly string[], cwd?: string): VmProcess {
  const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
  return new VmProcess([], cwd, ['script', '-qfec', [process.execPath, VMLEDGER, ...args].map(quote).join(' '), '/dev/null']);
}

/** Runs a shell script in which `vmledger` is the program under test (for exported command lines, as a user would paste them). */
export function shellWithVmledger(script: string, cwd?: string): VmProcess {
  return new VmProcess([], cwd, ['sh', '-c', `vmledger() { exec "${process.execPath}" "${VMLEDGER}" "$@"; }\n${script}`]);
}

/** Connects to a Unix socket the program is about to create, retrying while it starts. */
export async function connectUnix(path: string): Promise<net.Socket> {
  for (let i = 0; ; i++) {
    try {
      return await new Promise<net.Socket>((resolve, reject) => {
        const s = net.connect(path, () => resolve(s));
        s.once('error', reject);
      });
    } catch (e) {
      if (i > 400) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** A line-oriented QMP client for end-to-end tests: negotiates, then `cmd` returns each reply in order. */
export class QmpClient {
  private buffer = '';
  private readonly lines: Array<Record<string, unknown>> = [];
  private wake: (() => void) | undefined;

  private constructor(readonly socket: net.Socket) {
    socket.setEncoding('utf8').on('data', (d: string) => {
      this.buffer += d;
      for (let i = this.buffer.indexOf('\n'); i >= 0; i = this.buffer.indexOf('\n')) {
        this.lines.push(JSON.parse(this.buffer.slice(0, i)) as Record<string, unknown>);
        this.buffer = this.buffer.slice(i + 1);
      }
      this.wake?.();
    });
  }

  static async connect(path: string): Promise<QmpClient> {
    const q = new QmpClient(await connectUnix(path));
    await q.next((l) => 'QMP' in l);
    await q.cmd('qmp_capabilities');
    return q;
  }

  /** Sends a command; resolves with its `return`, rejects with its `error`. */
  async cmd(execute: string, args?: Record<string, unknown>): Promise<unknown> {
    this.socket.write(JSON.stringify(args ? { execute, arguments: args } : { execute }));
    const reply = await this.next((l) => 'return' in l || 'error' in l);
    if ('error' in reply) throw Object.assign(new Error(JSON.stringify(reply.error)), reply.error as object);
    return reply.return;
  }

  /** Waits for the next event named `name` and returns it. */
  event(name: string): Promise<Record<string, unknown>> {
    return this.next((l) => l.event === name);
  }

  private async next(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    for (;;) {
      const i = this.lines.findIndex(match);
      if (i >= 0) return this.lines.splice(i, 1)[0]!;
      await new Promise<void>((r) => (this.wake = r));
    }
  }
}

/**
 * Runs vmledger to completion and returns its exit status and output; one
 * still running after `timeoutMs` is killed and the call fails saying so
 * (before the test's own timeout, which would leave it running).
 */
export async function runVmledger(args: readonly string[], cwd?: string, timeoutMs = 45_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = new VmProcess(args, cwd);
  p.child.stdin.end();
  let timer: NodeJS.Timeout | undefined;
  const overdue = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      p.kill();
      reject(new Error(`vmledger ${args.join(' ')} still running after ${timeoutMs / 1000} s; stdout: ${JSON.stringify(p.stdout.slice(-500))}; stderr: ${p.stderr}`));
    }, timeoutMs);
  });
  try {
    const code = await Promise.race([p.exited, overdue]);
    return { code, stdout: p.stdout, stderr: p.stderr };
  } finally {
    clearTimeout(timer);
  }
}

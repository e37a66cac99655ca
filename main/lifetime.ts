/**
 * How a VM process ends, in one place. The machine asks (`quit`, a guest
 * poweroff, Ctrl-A x), a host signal arrives (SIGTERM from systemd or
 * `timeout`, Ctrl-C, a hang-up) in any phase, or the command line ends
 * without a guest: each way closes the kernel once (monitors, the sockets
 * the VM created, then the log, sealed and checkpointed) and exits with the
 * status QEMU would.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import type { Kernel } from '../kernel/index.js';

/** The signals that end a VM as QEMU's do (its os_setup_signal_handling): status 0 and one line naming the signal. */
const TERMINATING_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Exits once stdout and stderr have written what is queued: with a pipe or
 * a socket there (a test, a supervisor, `| tail`), process.exit drops what
 * is still queued, such as a guest's last console lines before it powers off.
 */
export async function exitAfterOutput(code: number): Promise<never> {
  await Promise.all([process.stdout, process.stderr].map((s) => new Promise<void>((done) => (s.writableLength === 0 ? done() : s.write('', () => done())))));
  process.exit(code);
}

/** A VM process from the moment its kernel exists until it exits. */
export class VmLifetime {
  private ending: Promise<never> | undefined;
  private holder: NodeJS.Timeout | undefined;
  private pidfile: string | undefined;

  constructor(private readonly kernel: Kernel) {
    // After the current turn, so the reply to `quit` is on its way first.
    kernel.onExit((code) => void setImmediate(() => void this.end(code)));
    for (const signal of TERMINATING_SIGNALS) process.on(signal, () => this.signalled(signal));
  }

  /**
   * A host signal is a shutdown the host asked for (SHUTDOWN with reason
   * `host-signal`, which no `-action shutdown=pause` turns into a pause).
   * QEMU's line also names the sender's pid when it knows it; Node's signal
   * handlers are not told, so this is QEMU's line for an unknown sender.
   */
  private signalled(signal: (typeof TERMINATING_SIGNALS)[number]): void {
    if (this.ending) return;
    process.stderr.write(`vmledger: terminating on signal ${constants.signals[signal]}\n`);
    this.kernel.internalContext({ transport: 'host' }).guest.shutdown('host-signal', 0);
  }

  /**
   * Keeps the process until something ends the VM, as QEMU's main loop
   * does: a paused guest, an idle one or a VM without monitors holds no
   * handle of its own that would keep Node's event loop alive.
   */
  hold(): void {
    this.holder ??= setInterval(() => undefined, 2 ** 31 - 1);
  }

  /**
   * `-pidfile FILE`: writes this process's id there, as QEMU does before it
   * builds the machine, and removes it at exit. A file naming a process
   * that still runs is another VM's: refused, never taken over.
   */
  writePidfile(path: string): void {
    let other: number | undefined;
    try {
      other = Number.parseInt(readFileSync(path, 'utf8'), 10);
    } catch {
      // no file yet, or unreadable: writing it says which
    }
    if (other && other !== process.pid && isRunning(other)) throw new Error(`cannot create PID file '${path}': process ${other} named in it is running`);
    try {
      writeFileSync(path, `${process.pid}\n`);
    } catch (e) {
      throw new Error(`cannot create PID file '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    this.pidfile = path;
  }

  /** Closes the kernel (once, whoever asks) and exits with `code`. */
  end(code: number): Promise<never> {
    this.ending ??= (async () => {
      clearInterval(this.holder);
      try {
        await this.kernel.close();
      } catch (e) {
        process.stderr.write(`vmledger: closing the VM failed: ${(e as Error).message}\n`);
        if (process.env.VMLEDGER_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
        code = 1;
      }
      if (this.pidfile) rmSync(this.pidfile, { force: true });
      return exitAfterOutput(code);
    })();
    return this.ending;
  }
}

/** Whether a process with this id exists (signal 0 checks without sending anything). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * How a VM process ends, in one place. The machine asks (`quit`, a guest
 * poweroff, Ctrl-A x), a host signal arrives (SIGTERM from systemd or
 * `timeout`, Ctrl-C, a hang-up) in any phase, or the command line ends
 * without a guest: each way closes the kernel once (monitors, the sockets
 * the VM created, then the log, sealed and checkpointed) and exits with the
 * status QEMU would.
 */
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
      return exitAfterOutput(code);
    })();
    return this.ending;
  }
}


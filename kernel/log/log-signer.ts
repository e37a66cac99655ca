import type { KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { Checkpoint } from './checkpoint.mjs';

/** What the signer thread needs: the log, its identity and key, and when to checkpoint. */
export interface LogSignerConfig {
  readonly path: string;
  readonly pragmas: readonly string[];
  readonly logId: string;
  readonly key: KeyObject | undefined;
  readonly keyId: string;
  readonly everyEntries: number;
  readonly everySeconds: number;
  readonly onCheckpoint: (checkpoint: Checkpoint) => void;
}

/** How often the thread looks for newly committed entries. */
const POLL_MS = 50;

/** How long `close` waits for the thread to close its connection. */
const CLOSE_TIMEOUT_MS = 10_000;

/**
 * The main-thread side of the log's signer thread (log-signer-thread.mjs),
 * which checkpoints the committed entries in the background. It never keeps
 * the process alive.
 */
export class LogSigner {
  private readonly worker: Worker;
  private readonly closedFlag = new Int32Array(new SharedArrayBuffer(4));
  private closed = false;

  constructor(config: LogSignerConfig) {
    const { onCheckpoint, key, ...rest } = config;
    this.worker = new Worker(new URL('./log-signer-thread.mjs', import.meta.url), {
      workerData: {
        ...rest,
        keyPem: key?.export({ format: 'pem', type: 'pkcs8' }),
        pollMs: POLL_MS,
        closed: this.closedFlag,
      },
    });
    this.worker.on('message', (c: Checkpoint) => onCheckpoint(c));
    this.worker.on('error', (e) => process.emitWarning(`command log signer thread failed: ${e.message}`));
    this.worker.unref();
  }

  /** Stops the thread and waits for it to close its connection, so the owner can seal the log right after. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.worker.postMessage('close');
    Atomics.wait(this.closedFlag, 0, 0, CLOSE_TIMEOUT_MS);
    void this.worker.terminate();
  }
}

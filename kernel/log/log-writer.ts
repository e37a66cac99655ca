import { Worker } from 'node:worker_threads';

/** What the writer thread needs to open the log and write rows; the SQL stays with the store that owns the schema. */
export interface LogWriterConfig {
  readonly path: string;
  readonly pragmas: readonly string[];
  /** `INSERT INTO entries (...) VALUES ` and one row's `(?,...)`: the thread inserts a batch with one statement. */
  readonly insertHead: string;
  readonly rowPlaceholders: string;
  /** Selects the last entry's seq and the hash the next entry chains onto. */
  readonly tailSql: string;
  /** Committed entries between two checkpoints, which a thread of the writer thread runs. */
  readonly checkpointEvery: number;
}

/** The log's tail after a committed batch. */
export interface LogTail {
  readonly seq: number;
  readonly hash: string;
}

/**
 * A batch is one string: per entry the 13 stored columns from `time` to
 * `state_hash` (`result` and `error` empty when absent), then its hash input
 * after the sequence number and previous hash (`entryHashRest` in
 * hash-input.mjs), separated by `SEP`.
 */
export const SEP = '\u0000';

/** Values per entry in a batch. */
export const VALUES_PER_ENTRY = 14;

/** How long `close` waits for the thread to close its connection before giving up on it. */
const CLOSE_TIMEOUT_MS = 10_000;

/** The thread's answer for the batches it committed (or failed) in one transaction. */
type Answer = (LogTail | { error: string }) & { batches: number };

interface Waiter {
  readonly resolve: (tail: LogTail) => void;
  readonly reject: (error: Error) => void;
}

/**
 * The main-thread side of the log's writer thread (log-writer-thread.mjs):
 * batches go in with `submit`, in order, and each promise settles when its
 * batch is committed (or failed). While a batch is in flight the thread keeps
 * the process alive, so an acknowledged change is never lost to an early exit.
 */
export class LogWriter {
  private readonly worker: Worker;
  private readonly waiting: Waiter[] = [];
  private readonly closedFlag = new Int32Array(new SharedArrayBuffer(4));
  private failure: Error | undefined;

  constructor(config: LogWriterConfig) {
    this.worker = new Worker(new URL('./log-writer-thread.mjs', import.meta.url), {
      workerData: { ...config, fields: VALUES_PER_ENTRY, sep: SEP, closed: this.closedFlag },
    });
    this.worker.on('message', (m: Answer) => this.settle(m));
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => this.fail(new Error(`the log writer thread exited (code ${code})`)));
    this.worker.unref();
  }

  /** True while a submitted batch has not been answered. */
  get busy(): boolean {
    return this.waiting.length > 0;
  }

  /** Sends a batch (see `SEP`); resolves with the new tail once it is committed. */
  submit(batch: string): Promise<LogTail> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      if (this.waiting.length === 0) this.worker.ref();
      this.waiting.push({ resolve, reject });
      this.worker.postMessage(batch);
    });
  }

  /** Closes the thread's connection and waits for it, synchronously, so the owner can seal the log right after. */
  close(): void {
    if (this.busy) throw new Error('the command log was closed with appends still in flight');
    if (this.failure) return;
    this.failure = new Error('the command log is closed');
    // The empty batch means: close.
    this.worker.postMessage('');
    Atomics.wait(this.closedFlag, 0, 0, CLOSE_TIMEOUT_MS);
    void this.worker.terminate();
  }

  /** One answer covers the `batches` oldest submitted batches, committed together. */
  private settle(m: Answer): void {
    for (const waiter of this.waiting.splice(0, m.batches)) {
      if ('error' in m) waiter.reject(new Error(m.error));
      else waiter.resolve({ seq: m.seq, hash: m.hash });
    }
    if (this.waiting.length === 0) this.worker.unref();
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const w of this.waiting.splice(0)) w.reject(e);
    this.worker.unref();
  }
}

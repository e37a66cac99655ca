/**
 * A frozen event loop is a hang the process itself can no longer report (a
 * guest or a handler that never yields holds every timer and socket too).
 * The watchdog is a thread of its own (watchdog-thread.mjs): the main thread bumps a shared
 * counter on every turn of a short interval, and when the counter stands
 * still for `ms` the thread writes why to stderr (synchronously, past the
 * frozen main thread) and kills the process, so a test run or a campaign
 * fails with the input that froze it instead of waiting forever.
 */
import { Worker } from 'node:worker_threads';

/** What the watchdog prints before it kills a frozen process: `FUZZ-HANG <json>`. */
export const HANG_MARK = 'FUZZ-HANG';


/** A running watchdog: `note` says what the main thread is doing (printed if it freezes). */
export interface Watchdog {
  note(text: string): void;
  stop(): void;
}

/** Starts a watchdog that kills the process when its event loop stands still for `ms`. */
export function startWatchdog(ms: number): Watchdog {
  const beats = new Int32Array(new SharedArrayBuffer(8));
  const note = new Uint8Array(new SharedArrayBuffer(4 + 4096));
  const thread = new Worker(new URL('./watchdog-thread.mjs', import.meta.url), { workerData: { beats, note, ms, mark: HANG_MARK }, execArgv: [] });
  thread.unref();
  const timer = setInterval(() => Atomics.add(beats, 0, 1), 100);
  timer.unref();
  return {
    note(text) {
      const bytes = Buffer.from(text.slice(0, 1000), 'utf8').subarray(0, 4096);
      note.set(bytes, 4);
      new Int32Array(note.buffer, 0, 1)[0] = bytes.length;
    },
    stop() {
      clearInterval(timer);
      Atomics.store(beats, 1, 1);
      Atomics.notify(beats, 1);
    },
  };
}

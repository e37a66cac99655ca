// @ts-check
// The fuzz watchdog's thread (see watchdog.ts): when the main thread's beat
// counter stands still for `ms`, it writes why to stderr, synchronously, and
// kills the process. Plain JavaScript: a worker is loaded by file path.
import { writeSync } from 'node:fs';
import { workerData } from 'node:worker_threads';

const { beats, note, ms, mark } = workerData;
let last = Atomics.load(beats, 0);
let since = Date.now();
for (;;) {
  Atomics.wait(beats, 1, 0, 250);
  if (Atomics.load(beats, 1) === 1) break;
  const now = Atomics.load(beats, 0);
  if (now !== last) {
    last = now;
    since = Date.now();
    continue;
  }
  if (Date.now() - since < ms) continue;
  const length = new Int32Array(note.buffer, 0, 1)[0];
  const during = Buffer.from(note.subarray(4, 4 + length)).toString('utf8');
  writeSync(2, `${mark} ${JSON.stringify({ frozenMs: Date.now() - since, during })}\n`);
  process.kill(process.pid, 'SIGKILL');
}

// @ts-check
// The command log's writer thread: it owns one SQLite connection and turns
// batches of prepared entries into committed, chained rows, so the commit
// (SQLite's insert and write calls, about half the cost of a logged command)
// runs beside the kernel instead of inside it. Plain JavaScript because a
// worker is loaded by file path, the same way under tsx, vitest and the bundle.
//
// workerData: { path, pragmas, insertHead, rowPlaceholders, tailSql, fields, sep, checkpointEvery, closed }.
// A batch is one string of `fields` values per entry joined by `sep`: the 13
// stored columns from `time` to `state_hash` (`result` and `error` empty when
// absent), then the entry's hash input after its sequence number and previous
// hash (see log-writer.ts).
// Answers come in order, each for the `batches` oldest unanswered batches:
// { seq, hash, batches } (the new tail) or { error, batches }.
import { hash } from 'node:crypto';
import { parentPort, receiveMessageOnPort, Worker, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { joinEntryHashInput } from './hash-input.mjs';

const { path, pragmas, insertHead, rowPlaceholders, tailSql, fields, sep, checkpointEvery, closed } = workerData;
const db = new Database(path);
for (const pragma of pragmas) db.pragma(pragma);
const tail = db.prepare(tailSql).raw(true);

// This connection never checkpoints (its pragmas set wal_autocheckpoint = 0):
// every `checkpointEvery` committed entries the checkpointer thread does it.
const checkpointerClosed = new Int32Array(new SharedArrayBuffer(4));
const checkpointer = new Worker(new URL('./log-checkpoint-thread.mjs', import.meta.url), { workerData: { path, closed: checkpointerClosed } });
let sinceCheckpoint = 0;

// Rows go in with one INSERT per up to CHUNK rows (a statement per row count,
// prepared on first use): SQLite's per-statement work is paid once per chunk
// instead of per row, and a chunk stays far below SQLite's limit on bound
// variables however many batches a transaction takes. The values go in as an
// argument list, not an array: better-sqlite3 reads an array element by element
// through V8's API, which made binding about twice as slow (binding, not
// SQLite's own insert, is most of a row's cost here).
const CHUNK = 32;
const COLUMNS = 16;
/** @type {Map<number, import('better-sqlite3').Statement>} */
const inserts = new Map();
function insertOf(/** @type {number} */ rows) {
  let stmt = inserts.get(rows);
  if (stmt === undefined) {
    stmt = db.prepare(insertHead + Array(rows).fill(rowPlaceholders).join(','));
    inserts.set(rows, stmt);
  }
  return stmt;
}

// IMMEDIATE: the tail read inside the transaction is still the tail when the rows go in.
const appendBatches = db.transaction((/** @type {string[]} */ batches) => {
  const values = batches.length === 1 ? batches[0].split(sep) : batches.join(sep).split(sep);
  // The last entry's seq, and the hash the next record chains onto (a header version may follow the last entry).
  let [seq, prev] = /** @type {[number, string]} */ (tail.get());
  let params = [];
  for (let i = 0; i < values.length; i += fields) {
    const own = hash('sha256', joinEntryHashInput(++seq, prev, values[i + 13]), 'hex');
    params.push(seq, Number(values[i]), values[i + 1], values[i + 2], values[i + 3], values[i + 4], values[i + 5] === '1' ? 1 : 0,
      values[i + 6] || null, values[i + 7] || null, values[i + 8], values[i + 9], values[i + 10], values[i + 11], values[i + 12], prev, own);
    prev = own;
    if (params.length === CHUNK * COLUMNS) {
      insertOf(CHUNK).run(...params);
      params = [];
    }
  }
  if (params.length > 0) insertOf(params.length / COLUMNS).run(...params);
  sinceCheckpoint += values.length / fields;
  return { seq, hash: prev };
}).immediate;

// After a failed batch, later ones are refused too: committing them would leave a gap in the log.
/** @type {string | undefined} */
let failure;

const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);
port.on('message', (/** @type {string} */ first) => {
  // Batches that queued up while the last commit ran go into one transaction:
  // when the thread falls behind it commits fewer, larger transactions
  // instead of falling further behind. An empty message means: close.
  const batches = [];
  let closing = first === '';
  if (!closing) batches.push(first);
  for (let next = closing ? undefined : receiveMessageOnPort(port); next !== undefined; next = receiveMessageOnPort(port)) {
    if (next.message === '') {
      closing = true;
      break;
    }
    batches.push(next.message);
  }
  if (batches.length > 0) port.postMessage({ ...commit(batches), batches: batches.length });
  if (sinceCheckpoint >= checkpointEvery) {
    checkpointer.postMessage('checkpoint');
    sinceCheckpoint = 0;
  }
  if (closing) {
    checkpointer.postMessage('close');
    Atomics.wait(checkpointerClosed, 0, 0, 10_000);
    db.close();
    // The owner waits for this with Atomics.wait, so closing stays synchronous for it.
    Atomics.store(closed, 0, 1);
    Atomics.notify(closed, 0);
    port.close();
  }
});

/** Commits the batches in one transaction; the answer is the new tail or the error. */
function commit(/** @type {string[]} */ batches) {
  if (failure !== undefined) return { error: `not written after an earlier failure (${failure})` };
  try {
    return appendBatches(batches);
  } catch (e) {
    failure = e instanceof Error ? e.message : String(e);
    return { error: failure };
  }
}

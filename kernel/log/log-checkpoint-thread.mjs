// @ts-check
// The command log's checkpointer: a thread of the writer thread with its own
// connection, which copies committed WAL frames into the database file when
// the writer asks. A checkpoint copies megabytes and syncs the files; run
// inside a commit (SQLite's autocheckpoint) it held every reply waiting on
// that commit for as long. SQLite runs a PASSIVE checkpoint beside a writer.
//
// workerData: { path, closed }. Messages: 'checkpoint', then 'close' once.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { path, closed } = workerData;
const db = new Database(path);
const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);

port.on('message', (/** @type {'checkpoint' | 'close'} */ message) => {
  if (message === 'close') {
    db.close();
    // The writer thread waits for this with Atomics.wait before it closes its own connection.
    Atomics.store(closed, 0, 1);
    Atomics.notify(closed, 0);
    port.close();
    return;
  }
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (e) {
    // Nothing is lost: the frames stay in the WAL and the next checkpoint copies them.
    process.emitWarning(`command log checkpoint failed: ${e instanceof Error ? e.message : String(e)}`);
  }
});

// @ts-check
// The command log's signer: a thread with its own connection that follows the
// committed entries, keeps the right edge of their Merkle tree (merkle.mjs)
// and writes checkpoints (checkpoint.mjs): one whenever the tree reaches a
// multiple of `everyEntries`, and one `everySeconds` after the last when
// entries came since. Signed when the log has a key. It reads what is already
// committed, so neither a command nor the writer thread ever waits for it;
// hashing the tree (about one SHA-256 per entry) and signing happen here.
//
// workerData: { path, pragmas, logId, keyPem, keyId, everyEntries, everySeconds, pollMs, closed }.
// Each checkpoint is stored in the checkpoints table and posted to the owner
// (a Checkpoint, see checkpoint.d.mts) for the witnesses. Message 'close'
// catches up with the committed entries and stops it.
import { createPrivateKey } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { checkpointBody, makeCheckpoint, signBody } from './checkpoint.mjs';
import { entryLeaf, Frontier } from './merkle.mjs';

const { path, pragmas, logId, keyPem, keyId, everyEntries, everySeconds, pollMs, closed } = workerData;
const db = new Database(path);
for (const pragma of pragmas) db.pragma(pragma);
const key = keyPem ? createPrivateKey(keyPem) : undefined;

const latest = /** @type {{ size: number, time: number, chain: string, frontier: string } | undefined} */ (
  db.prepare('SELECT size, time, chain, frontier FROM checkpoints ORDER BY id DESC LIMIT 1').get()
);
// Start from the last checkpoint's right edge; from the first entry when there is none (or it does not fit its size).
const resumed = latest && Frontier.fromText(latest.size, latest.frontier);
const frontier = resumed ?? new Frontier();
let lastHash = resumed && latest ? latest.chain : '';
let checkpointedSize = frontier.size;
let checkpointedAt = latest?.time ?? Date.now();

const PAGE = 4096;
const next = db.prepare('SELECT seq, hash FROM entries WHERE seq > ? ORDER BY seq LIMIT ?').raw(true);
const insert = db.prepare('INSERT INTO checkpoints (size, time, root, chain, frontier, signature) VALUES (?, ?, ?, ?, ?, ?)');
const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);

/** Folds in the entries committed since the last look, checkpointing on the way. */
function follow() {
  for (;;) {
    const rows = /** @type {Array<[number, string]>} */ (next.all(frontier.size, PAGE));
    for (const [seq, hash] of rows) {
      // A gap (a damaged log) ends what can be signed; verify names it.
      if (seq !== frontier.size + 1) return;
      frontier.append(entryLeaf(hash));
      lastHash = hash;
      if (frontier.size % everyEntries === 0) checkpoint();
    }
    if (rows.length < PAGE) break;
  }
  if (frontier.size > checkpointedSize && Date.now() - checkpointedAt >= everySeconds * 1000) checkpoint();
}

function checkpoint() {
  const fields = { kind: /** @type {const} */ ('checkpoint'), log: logId, size: frontier.size, root: frontier.root().toString('hex'), chain: lastHash, time: Date.now() };
  const signature = key ? { keyId, value: signBody(checkpointBody(fields), key) } : undefined;
  checkpointedSize = fields.size;
  checkpointedAt = fields.time;
  try {
    insert.run(fields.size, fields.time, fields.root, fields.chain, frontier.toText(), signature?.value ?? null);
  } catch (e) {
    // The witnesses still get it; the next checkpoint is stored as usual.
    process.emitWarning(`command log checkpoint at entry ${fields.size} not stored: ${e instanceof Error ? e.message : String(e)}`);
  }
  port.postMessage(makeCheckpoint(fields, signature));
}

function followSafely() {
  try {
    follow();
  } catch (e) {
    process.emitWarning(`command log signer: ${e instanceof Error ? e.message : String(e)}`);
  }
}

const timer = setInterval(followSafely, pollMs);
followSafely();

port.on('message', (/** @type {'close'} */ message) => {
  if (message !== 'close') return;
  clearInterval(timer);
  // Catch up first, so a closed log has every checkpoint at a multiple of `everyEntries`.
  followSafely();
  db.close();
  // The owner waits for this with Atomics.wait, so closing stays synchronous for it.
  Atomics.store(closed, 0, 1);
  Atomics.notify(closed, 0);
  port.close();
});

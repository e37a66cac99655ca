import { hash, type KeyObject } from 'node:crypto';
import { keyId, makeCheckpoint, parseCheckpoint, signatureValid, type Checkpoint } from './checkpoint.mjs';
import { entryHashInput } from './hash-input.mjs';
import { entryLeaf, inclusionPath, rootFromInclusionPath } from './merkle.mjs';
import type { SqliteLogStore } from './sqlite-log-store.js';

/** The first line of every proof's `format`. */
export const PROOF_FORMAT = 'vmledger inclusion proof 1';

/** One entry exactly as stored: what its hash is computed from (docs/command-log.md, "Hash input"). */
export interface ProofEntry {
  readonly seq: number;
  readonly time: number;
  readonly origin: string;
  readonly command: string;
  readonly args: string;
  readonly kind: string;
  readonly applied: boolean;
  readonly result: string | null;
  readonly error: string | null;
  readonly phaseBefore: string;
  readonly phaseAfter: string;
  readonly runStateBefore: string;
  readonly runStateAfter: string;
  readonly stateHash: string;
  readonly prevHash: string;
  readonly hash: string;
}

/**
 * Evidence that one entry is in a log, without the rest of the log: the
 * entry as stored, the Merkle audit path from its leaf to the root of the
 * first `treeSize` entries (RFC 9162 section 2.1.3), and the checkpoint
 * stating that root, signed when the log has a key.
 */
export interface InclusionProof {
  readonly format: typeof PROOF_FORMAT;
  readonly entry: ProofEntry;
  readonly treeSize: number;
  readonly path: readonly string[];
  readonly checkpoint: string;
}

/** Why a proof could not be made or does not hold: one sentence. */
export class ProofError extends Error {
  override readonly name = 'ProofError';
}

/**
 * The proof of entry `seq` against the seal or the latest checkpoint that
 * covers it (or the one made at exactly `size` entries, when asked); when the
 * log has none, against an unsigned tree head over the whole log (or `size`).
 */
export function proveEntry(store: SqliteLogStore, seq: number, size?: number): InclusionProof {
  if (store.format !== 2) throw new ProofError(`the log is in format ${store.format}, which has no Merkle tree: proofs need format 2`);
  const [row] = store.storedRowsBetween(seq, seq);
  if (!row) throw new ProofError(`the log has no entry ${seq}`);
  const logId = store.logRecord()?.id ?? '';
  const statements = headsOf(store, logId);
  const head =
    size === undefined
      ? statements.filter((c) => c.size >= seq).sort((a, b) => b.size - a.size || (a.kind === 'seal' ? -1 : 1))[0]
      : statements.filter((c) => c.size === size).sort((a) => (a.signature ? -1 : 1))[0];
  const treeSize = head?.size ?? size ?? store.lastSeq;
  if (treeSize < seq) throw new ProofError(`entry ${seq} is not among the first ${treeSize} entries`);
  const leaves: Buffer[] = [];
  for (const [n, h] of store.entryHashes({ to: treeSize })) {
    if (n !== leaves.length + 1) throw new ProofError(`entry ${leaves.length + 1} is missing from the log: run 'vmledger log verify'`);
    leaves.push(entryLeaf(h));
  }
  if (leaves.length < treeSize) throw new ProofError(`the log has ${leaves.length} entries, fewer than ${treeSize}: run 'vmledger log verify'`);
  const path = inclusionPath(leaves, seq - 1, treeSize);
  const root = rootFromInclusionPath(seq - 1, treeSize, leaves[seq - 1]!, path)!.toString('hex');
  const checkpoint =
    head ??
    makeCheckpoint({ kind: 'checkpoint', log: logId, size: treeSize, root, chain: store.storedRowsBetween(treeSize, treeSize)[0]!.hash, time: Date.now() }, undefined);
  if (checkpoint.root !== root) throw new ProofError(`the log no longer matches its own ${checkpoint.kind} at entry ${checkpoint.size}: run 'vmledger log verify'`);
  return {
    format: PROOF_FORMAT,
    entry: { ...row, result: row.result ?? null, error: row.error ?? null },
    treeSize,
    path: path.map((p) => p.toString('hex')),
    checkpoint: checkpoint.text,
  };
}

/** The signed statements stored in a log: its checkpoints and, when it carries a root, its seal. */
function headsOf(store: SqliteLogStore, logId: string): Checkpoint[] {
  const record = store.logRecord();
  const id = record?.key ? keyId(Buffer.from(record.key, 'base64')) : '';
  const sig = (value: string | undefined) => (value === undefined ? undefined : { keyId: id, value });
  const heads = store.checkpoints().map((c) => makeCheckpoint({ kind: 'checkpoint', log: logId, size: c.size, root: c.root, chain: c.chain, time: c.time }, sig(c.signature)));
  for (const s of store.seals()) {
    if (s.root !== undefined) heads.push(makeCheckpoint({ kind: 'seal', log: logId, size: s.seq, root: s.root, chain: s.hash, time: s.time }, sig(s.signature)));
  }
  return heads;
}

/** What checking a proof established. */
export interface ProofCheck {
  readonly entry: ProofEntry;
  readonly checkpoint: Checkpoint;
  /** How the checkpoint is vouched for: its signature by the key given, or the checkpoint given. */
  readonly anchoredBy: string;
}

/**
 * Checks a proof: the entry matches its hash, the audit path leads from its
 * leaf to the checkpoint's root, and the checkpoint is vouched for, by a
 * valid signature of `key` or by equalling `trusted` (SIZE:ROOT kept
 * elsewhere). Throws a ProofError naming the first thing that does not hold.
 */
export function checkProof(text: string, anchors: { key?: KeyObject; trusted?: { size: number; root: string } }): ProofCheck {
  const proof = readProof(text);
  const e = proof.entry;
  const fields = { ...e, result: e.result ?? undefined, error: e.error ?? undefined };
  if (hash('sha256', entryHashInput(fields), 'hex') !== e.hash) throw new ProofError(`entry ${e.seq} was altered: its content does not match its hash`);
  let checkpoint: Checkpoint;
  try {
    checkpoint = parseCheckpoint(proof.checkpoint);
  } catch (err) {
    throw new ProofError(`the proof's checkpoint cannot be read: ${(err as Error).message}`);
  }
  if (checkpoint.size !== proof.treeSize) throw new ProofError(`the proof is for ${proof.treeSize} entries but its checkpoint covers ${checkpoint.size}`);
  const root = rootFromInclusionPath(e.seq - 1, proof.treeSize, entryLeaf(e.hash), proof.path.map((p) => Buffer.from(p, 'hex')));
  if (!root || root.toString('hex') !== checkpoint.root) {
    throw new ProofError(`entry ${e.seq} is not under the checkpoint's root: the audit path leads to ${root ? root.toString('hex').slice(0, 12) + '…' : 'nothing (it has the wrong length)'}`);
  }
  let anchoredBy: string | undefined;
  if (anchors.key) {
    if (!signatureValid(checkpoint, anchors.key)) throw new ProofError(`the checkpoint ${checkpoint.signature ? 'is not validly signed by the key given' : 'is not signed'}`);
    anchoredBy = `signed by key ${checkpoint.signature!.keyId}`;
  }
  if (anchors.trusted) {
    const t = anchors.trusted;
    if (t.size !== checkpoint.size) {
      throw new ProofError(`the proof is against ${checkpoint.size} entries but --checkpoint gives ${t.size}: ask for a proof at that size ('vmledger log prove LOG ${e.seq} --size ${t.size}')`);
    }
    if (t.root !== checkpoint.root) throw new ProofError(`the checkpoint's root differs from the one given: the log was rewritten, or this proof is from another log`);
    anchoredBy = anchoredBy ? `${anchoredBy} and equal to the checkpoint given` : 'equal to the checkpoint given';
  }
  if (!anchoredBy) throw new ProofError('nothing vouches for the checkpoint: give the log\'s public key (--key) or a checkpoint kept elsewhere (--checkpoint SIZE:ROOT)');
  return { entry: e, checkpoint, anchoredBy };
}

const TEXT_FIELDS = ['origin', 'command', 'args', 'kind', 'phaseBefore', 'phaseAfter', 'runStateBefore', 'runStateAfter', 'stateHash', 'prevHash', 'hash'] as const;

/** Parses a proof's JSON and checks its shape, naming the first field that is wrong. */
function readProof(text: string): InclusionProof {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProofError('the proof is not JSON');
  }
  const p = value as Partial<InclusionProof> | null;
  if (!p || typeof p !== 'object' || p.format !== PROOF_FORMAT) throw new ProofError(`not a vmledger inclusion proof (its format should be '${PROOF_FORMAT}')`);
  const e = p.entry as Partial<ProofEntry> | undefined;
  if (!e || typeof e !== 'object') throw new ProofError('the proof has no entry');
  if (!Number.isSafeInteger(e.seq) || e.seq! < 1) throw new ProofError('the entry has no valid seq');
  if (!Number.isSafeInteger(e.time)) throw new ProofError('the entry has no valid time');
  if (typeof e.applied !== 'boolean') throw new ProofError('the entry has no applied flag');
  for (const f of TEXT_FIELDS) if (typeof e[f] !== 'string') throw new ProofError(`the entry's ${f} is not text`);
  for (const f of ['result', 'error'] as const) if (e[f] !== null && typeof e[f] !== 'string') throw new ProofError(`the entry's ${f} is neither text nor null`);
  if (!Number.isSafeInteger(p.treeSize) || p.treeSize! < e.seq!) throw new ProofError('the proof has no valid treeSize');
  if (!Array.isArray(p.path) || !p.path.every((h) => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h))) throw new ProofError('the proof path is not a list of hex hashes');
  if (typeof p.checkpoint !== 'string') throw new ProofError('the proof has no checkpoint');
  return p as InclusionProof;
}

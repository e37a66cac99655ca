import type { KeyObject } from 'node:crypto';
import { EMPTY_ROOT } from './merkle.mjs';
import { keyId, makeCheckpoint, publicKeyFromRaw, rawPublicKey, signatureValid, type Checkpoint } from './checkpoint.mjs';
import type { CheckpointRow, LogRecord, SealRow } from './stored-rows.js';
import type { ChainWalk } from './verify-chain.js';
import type { LogProblem } from './verify-problems.js';

/** A statement of the log's size and root kept outside the file: `--checkpoint SEQ:HASH`, or a checkpoint a witness received. */
export interface ExternalCheckpoint {
  readonly size: number;
  readonly root: string;
  /** How a sentence names it: `--checkpoint 10:ab12cd34…`, `the checkpoint after entry 10 in w.txt`. */
  readonly source: string;
  /** When it came as a checkpoint's text: its log, chain and signature are checked too. */
  readonly checkpoint?: Checkpoint;
}

/** What the anchors are checked against. */
export interface AnchorInput {
  readonly walk: ChainWalk;
  readonly format: number;
  readonly logRecord?: LogRecord;
  readonly checkpoints: readonly CheckpointRow[];
  /** The seal, when there is one and it is where the chain ends. */
  readonly seal?: SealRow;
  /** The key the user trusts (`--key`); the log's own recorded key otherwise. */
  readonly key?: KeyObject;
  readonly external: readonly ExternalCheckpoint[];
  /** A removed tail was already named (by the seal): anchors beyond the end add nothing. */
  readonly truncationKnown: boolean;
}

/** What the anchors said. */
export interface AnchorOutcome {
  readonly problems: LogProblem[];
  /** The most entries a valid signature vouches for (0: none). */
  readonly signedThrough: number;
  /** The id of the key signatures were checked with. */
  readonly keyId?: string;
}

/** The key the log's first record names; a finding when it is not a key at all. */
function recordedKey(raw: Buffer, problems: LogProblem[]): KeyObject | undefined {
  try {
    return publicKeyFromRaw(raw);
  } catch {
    problems.push({ kind: 'bad-signature', seq: 0, message: "the signing key the log's first record names is not an Ed25519 public key" });
    return undefined;
  }
}

interface Anchor {
  readonly size: number;
  readonly root: string;
  /** The hash of entry `size` it names (checkpoints; a seal names its own record). */
  readonly chain?: string;
  readonly name: string;
  readonly signed: boolean;
  /** Kept outside the file: named first when several anchors of one size disagree with the log. */
  readonly external: boolean;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const short = (hash: string): string => `${hash.slice(0, 12)}…`;

/**
 * Checks the log against what vouches for it from outside the chain: the
 * checkpoints stored in it and its seal (their roots, and their signatures
 * by the log's key or the key given), and checkpoints kept elsewhere. A
 * chain recomputed after an edit matches none of them; a log that lost its
 * tail ends before them.
 */
export function checkAnchors(input: AnchorInput): AnchorOutcome {
  const { walk, logRecord } = input;
  const problems: LogProblem[] = [];
  const recordedRaw = logRecord?.key ? Buffer.from(logRecord.key, 'base64') : undefined;
  const recordedId = recordedRaw ? keyId(recordedRaw) : undefined;
  let trusted = recordedRaw && recordedKey(recordedRaw, problems);
  let trustedId = recordedId;
  if (input.key) {
    const givenId = keyId(rawPublicKey(input.key));
    if (input.format === 1) {
      problems.push({ kind: 'bad-signature', seq: 0, message: 'the log is in format 1, which carries no signatures: nothing in it is signed by the key given' });
    } else if (recordedId === undefined) {
      problems.push({ kind: 'bad-signature', seq: 0, message: `the log names no signing key (it was written without -log-key): nothing in it is signed by key ${givenId}` });
    } else if (recordedId !== givenId) {
      problems.push({ kind: 'bad-signature', seq: 0, message: `the log names signing key ${recordedId}, not the key given (${givenId}): it was signed by another key, or re-keyed after an edit` });
    }
    trusted = input.key;
    trustedId = givenId;
  }

  const anchors: Anchor[] = [];
  /** Admits a statement as an anchor if it is validly signed, or if there is no key to check it with. */
  const admit = (c: Checkpoint, name: string, anchor: Omit<Anchor, 'name' | 'signed'>, mustBeSigned: boolean): void => {
    if (trusted && (c.signature || mustBeSigned)) {
      if (!signatureValid(c, trusted)) {
        problems.push({ kind: 'bad-signature', seq: c.size, message: `${name} ${c.signature ? `does not carry a valid signature by key ${trustedId}` : 'is not signed'}` });
        return;
      }
      anchors.push({ ...anchor, name, signed: true });
      return;
    }
    anchors.push({ ...anchor, name, signed: false });
  };

  const logId = logRecord?.id ?? '';
  for (const row of input.checkpoints) {
    const c = makeCheckpoint(
      { kind: 'checkpoint', log: logId, size: row.size, root: row.root, chain: row.chain, time: row.time },
      row.signature === undefined ? undefined : { keyId: recordedId ?? '', value: row.signature },
    );
    admit(c, `the checkpoint made after entry ${row.size} at ${iso(row.time)}`, { size: row.size, root: row.root, chain: row.chain, external: false }, true);
  }
  const seal = input.seal;
  if (seal && input.format === 2) {
    if (seal.root === undefined) {
      if (trusted) problems.push({ kind: 'bad-signature', seq: seal.seq, message: 'the seal is not signed' });
    } else {
      const c = makeCheckpoint(
        { kind: 'seal', log: logId, size: seal.seq, root: seal.root, chain: seal.hash, time: seal.time },
        seal.signature === undefined ? undefined : { keyId: recordedId ?? '', value: seal.signature },
      );
      admit(c, 'the seal', { size: seal.seq, root: seal.root, external: false }, true);
    }
  }
  for (const e of input.external) {
    const c = e.checkpoint;
    if (c && logRecord && c.log !== logRecord.id) {
      problems.push({ kind: 'rewritten', seq: 0, message: `${e.source} names log ${c.log}, but this log is ${logRecord.id}: the log was replaced by another, or the checkpoint belongs to another log` });
      continue;
    }
    const chain = c?.kind === 'checkpoint' ? c.chain : undefined;
    if (c) admit(c, e.source, { size: e.size, root: e.root, ...(chain ? { chain } : {}), external: true }, false);
    else anchors.push({ size: e.size, root: e.root, name: e.source, signed: false, external: true });
  }

  // A chain problem at or before an anchor already explains why the anchor does not match.
  const explained = Math.min(...walk.problems.map((p) => (p.seq > 0 ? p.seq : Number.POSITIVE_INFINITY)));
  let matched = 0;
  let signedThrough = 0;
  let rewritten = false;
  let beyondEnd: Anchor | undefined;
  for (const a of [...anchors].sort((x, y) => x.size - y.size || Number(y.external) - Number(x.external))) {
    if (a.size >= explained) continue;
    if (a.size > walk.walkedTo) {
      if (!beyondEnd || a.size > beyondEnd.size) beyondEnd = a;
      continue;
    }
    const root = a.size === 0 ? EMPTY_ROOT.toString('hex') : walk.roots.get(a.size);
    const ok = root === a.root && (a.chain === undefined || walk.hashes.get(a.size) === a.chain);
    if (!ok) {
      if (!rewritten) {
        const among = matched + 1 === a.size ? `entry ${a.size}` : `an entry among ${matched + 1}..${a.size}`;
        problems.push({
          kind: 'rewritten',
          seq: matched + 1,
          message: `the first ${a.size} entries do not match ${a.name} (root ${short(a.root)}, found ${short(root ?? '')}): ${among} was changed and the hashes after it recomputed`,
        });
      }
      rewritten = true;
      continue;
    }
    if (rewritten) continue;
    matched = Math.max(matched, a.size);
    if (a.signed) signedThrough = Math.max(signedThrough, a.size);
  }
  if (beyondEnd && !input.truncationKnown) {
    problems.push({
      kind: 'truncated',
      seq: walk.walkedTo + 1,
      message: `${beyondEnd.name} shows the log had ${beyondEnd.size} entries, but it ends at entry ${walk.walkedTo}: entries ${walk.walkedTo + 1}..${beyondEnd.size} were removed`,
    });
  }
  if (input.key && input.format === 2 && !seal && !walk.stopped) {
    problems.push({
      kind: 'unsealed',
      seq: walk.walkedTo + 1,
      message: `the log has no seal: it was not closed cleanly, or its end was removed together with the seal; ${signedThrough > 0 ? `signatures vouch for entries 1..${signedThrough}` : 'no signature vouches for any entry'}`,
    });
  }
  return { problems, signedThrough, ...(trustedId ? { keyId: trustedId } : {}) };
}

import { FORMAT_1_GENESIS, format1Hash } from './format-1.js';
import { entryLeaf, Frontier } from './merkle.mjs';
import { hashFields, headerHash, logRecordHash } from './record-hash.js';
import type { HeaderRow, LogRecord, StoredRow } from './stored-rows.js';
import type { LogProblem } from './verify-problems.js';

/** What the chain walk reads: the records of a log in the order they were chained. */
export interface ChainSource {
  /** 2: the first record, header versions and entries form one chain; 1: only the entries, from `FORMAT_1_GENESIS`. */
  readonly format: number;
  /** Format 2: the rows of the log's first record (one unless tampered with); undefined when they could not be read. */
  readonly logRecords: readonly LogRecord[] | undefined;
  /** Format 2: the header versions, oldest first; undefined when they could not be read (then links are not checked). */
  readonly headers: readonly HeaderRow[] | undefined;
  readonly rows: Iterable<StoredRow>;
  /** Entries `from..to` as stored, to look past a damaged one. */
  peek(from: number, to: number): StoredRow[];
  /** False for a store that holds only entries: the first entry's predecessor is not known. */
  readonly firstRecordKnown: boolean;
  /** Entry counts at which the Merkle root and the entry's hash are wanted (checkpoints, the seal, external anchors). */
  readonly sizes: ReadonlySet<number>;
  readonly onProgress?: (seq: number) => void;
  readonly progressInterval: number;
}

/** What walking the chain found. */
export interface ChainWalk {
  readonly problems: LogProblem[];
  /** Entries read and found intact before the first problem. */
  readonly entries: number;
  /** The last intact entry before the first problem (all of them when there is none). */
  readonly lastSeq: number;
  readonly lastHash: string;
  /** The last position walked: the log's last entry, unless a misplaced entry stopped the walk. */
  readonly walkedTo: number;
  /** True when entries out of place (removed, inserted, reordered) ended the walk early. */
  readonly stopped: boolean;
  /** Merkle root (hex) of the first n entries as stored, for each wanted n that was walked. */
  readonly roots: ReadonlyMap<number, string>;
  /** The stored hash of entry n, for each wanted n that was walked. */
  readonly hashes: ReadonlyMap<number, string>;
  /** Merkle root (hex) of every entry walked. */
  readonly root: string;
  /** The hash the seal must follow: the last record of the chain walked. */
  readonly chainEnd: string | undefined;
  /** How that last record is named in a sentence, in full and when named a second time. */
  readonly chainEndName: string;
  readonly chainEndShort: string;
}

// How far from its position a moved entry is looked for, to tell `reordered` from `altered`.
const REORDER_WINDOW = 1024;

/**
 * Walks a log's chain from its first record to its last entry, checking that
 * each record matches its own hash and follows the one before it, and names
 * what it finds: an edited record is `altered` and the walk goes on; an
 * entry out of place (`removed`, `inserted`, `reordered`) ends it, since every
 * later position is then off too.
 */
export function walkChain(src: ChainSource): ChainWalk {
  const hashOf = src.format === 1 ? format1Hash : hashFields;
  const problems: LogProblem[] = [];
  const frontier = new Frontier();
  const roots = new Map<number, string>();
  const hashes = new Map<number, string>();
  // The hashes and commands of the last REORDER_WINDOW intact positions, to name inserted entries.
  const recent = new Map<number, { hash: string; command: string }>();

  let prev: string | undefined;
  // How the record `prev` belongs to is named: in full, and when named a second time.
  let prevName = 'the start of the log';
  let prevShort = prevName;
  let firstPrev: string | undefined;
  // The intact entries before the first problem.
  let intact = { entries: 0, seq: 0, hash: '' };
  let walked = 0;
  let stopped = false;

  const problem = (p: LogProblem): void => void problems.push(p);

  if (src.format === 1) {
    prev = FORMAT_1_GENESIS;
  } else if (src.firstRecordKnown && src.logRecords !== undefined) {
    const record = src.logRecords[0];
    if (record === undefined) {
      problem({ kind: 'removed', seq: 0, message: "the log's first record (its identity, creation time and key) is missing" });
    } else {
      if (src.logRecords.length > 1) problem({ kind: 'inserted', seq: 0, message: `the log has ${src.logRecords.length} first records where it has one` });
      if (logRecordHash(record) !== record.hash) {
        problem({ kind: 'altered', seq: 0, message: "the log's first record (its identity, creation time and key) was altered: its content no longer matches its hash" });
      }
      prev = record.hash;
      prevName = prevShort = "the log's first record";
    }
  }
  firstPrev = prev;

  let nextHeader = 0;
  const headers = src.format === 1 ? [] : (src.headers ?? []);
  // Without the header versions, an entry's predecessor may be one of them: links cannot be judged.
  const linksKnown = src.format === 1 || src.headers !== undefined;
  const headerName = (i: number, h: HeaderRow): string =>
    `header version ${i + 1} (recorded ${h.atSeq === 0 ? 'before the first entry' : `after entry ${h.atSeq}`})`;
  /** Checks the header versions recorded before entry `seq`. */
  const headersBefore = (seq: number): void => {
    for (; nextHeader < headers.length && headers[nextHeader]!.atSeq < seq; nextHeader++) {
      const h = headers[nextHeader]!;
      const name = headerName(nextHeader, h);
      if (h.hash === undefined || headerHash({ atSeq: h.atSeq, prevHash: h.prevHash ?? '', time: h.time, header: h.header }) !== h.hash) {
        problem({ kind: 'altered', seq: h.atSeq, message: `${name} was altered: its content no longer matches its hash` });
      } else if (prev !== undefined && h.prevHash !== prev) {
        problem({ kind: 'chain-broken', seq: h.atSeq, message: `${name} does not follow ${prevName}: ${prevShort} was rewritten with a new hash, or a record between them was removed or inserted` });
      }
      prev = h.hash;
      prevName = name;
      prevShort = `header version ${nextHeader + 1}`;
    }
  };

  /** The entries at `p`.. that were inserted, if a later row was recorded at `p` right after the expected predecessor. */
  const insertedBefore = (p: number, expectedPrev: string | undefined): number | undefined => {
    if (expectedPrev === undefined) return undefined;
    for (const r of src.peek(p + 1, p + REORDER_WINDOW)) {
      if (r.prevHash === expectedPrev && hashOf({ ...r, seq: p }) === r.hash) return r.seq - p;
    }
    return undefined;
  };

  const recordedSeq = (row: StoredRow): number | undefined => {
    for (let d = 1; d <= REORDER_WINDOW; d++) {
      for (const seq of [row.seq + d, row.seq - d]) if (seq >= 1 && hashOf({ ...row, seq }) === row.hash) return seq;
    }
    return undefined;
  };

  const inserted = (from: number, count: number, command: string | undefined): LogProblem => ({
    kind: 'inserted',
    seq: from,
    message:
      count === 1
        ? `entry ${from}${command ? ` (${command})` : ''} was inserted: the entry after it was recorded as entry ${from}`
        : `entries ${from}..${from + count - 1} were inserted: the entry after them was recorded as entry ${from}`,
  });

  /** Names an entry whose content does not match its hash; true when the walk must stop. */
  const mismatch = (row: StoredRow): boolean => {
    const recordedAs = recordedSeq(row);
    if (recordedAs !== undefined && recordedAs < row.seq) {
      const before = recordedAs === 1 ? firstPrev : recent.get(recordedAs - 1)?.hash;
      if (before !== undefined && row.prevHash === before) {
        // The rows in between passed as intact: they are the inserted ones.
        if (problems.length === 0) intact = { entries: recordedAs - 1, seq: recordedAs - 1, hash: recent.get(recordedAs - 1)?.hash ?? '' };
        walked = recordedAs - 1;
        problem(inserted(recordedAs, row.seq - recordedAs, recent.get(recordedAs)?.command));
        return true;
      }
    }
    if (recordedAs !== undefined && recordedAs > row.seq) {
      const next = src.peek(row.seq + 1, row.seq + 1)[0];
      if (next && hashOf({ ...next, seq: recordedAs + 1 }) === next.hash) {
        const range = recordedAs - 1 === row.seq ? `entry ${row.seq} was` : `entries ${row.seq}..${recordedAs - 1} were`;
        problem({ kind: 'removed', seq: row.seq, message: `${range} removed and the entries after renumbered: the entry now at ${row.seq} was recorded as entry ${recordedAs}` });
        return true;
      }
    }
    if (recordedAs !== undefined) {
      problem({ kind: 'reordered', seq: row.seq, message: `entry at position ${row.seq} (${row.command}) was recorded as entry ${recordedAs}: entries were reordered` });
      return true;
    }
    const count = insertedBefore(row.seq, prev);
    if (count !== undefined) {
      problem(inserted(row.seq, count, row.command));
      return true;
    }
    problem({ kind: 'altered', seq: row.seq, message: `entry ${row.seq} (${row.command}) was altered: its content no longer matches its hash` });
    return false;
  };

  for (const row of src.rows) {
    const expected = walked + 1;
    if (row.seq !== expected) {
      const range = row.seq - 1 === expected ? `entry ${expected} is` : `entries ${expected}..${row.seq - 1} are`;
      problem({ kind: 'removed', seq: expected, message: `${range} missing: entry ${row.seq} follows entry ${walked}` });
      stopped = true;
      break;
    }
    headersBefore(row.seq);
    if (hashOf(row) !== row.hash) {
      if (mismatch(row)) {
        stopped = true;
        break;
      }
    } else if (linksKnown && prev !== undefined && row.prevHash !== prev) {
      const count = insertedBefore(row.seq, prev);
      if (count !== undefined) {
        problem(inserted(row.seq, count, row.command));
        stopped = true;
        break;
      }
      problem({
        kind: 'chain-broken',
        seq: row.seq,
        message: `entry ${row.seq} (${row.command}) does not follow ${prevName}: ${prevShort} was rewritten with a new hash, or a record between them was removed or inserted`,
      });
    }
    walked = row.seq;
    if (problems.length === 0) intact = { entries: intact.entries + 1, seq: row.seq, hash: row.hash };
    frontier.append(entryLeaf(row.hash));
    if (src.sizes.has(row.seq)) {
      roots.set(row.seq, frontier.root().toString('hex'));
      hashes.set(row.seq, row.hash);
    }
    recent.set(row.seq, { hash: row.hash, command: row.command });
    recent.delete(row.seq - REORDER_WINDOW);
    prev = row.hash;
    prevName = prevShort = `entry ${row.seq}`;
    if (src.onProgress && row.seq % src.progressInterval === 0) src.onProgress(row.seq);
  }

  if (!stopped) {
    for (; nextHeader < headers.length && headers[nextHeader]!.atSeq > walked; nextHeader++) {
      const h = headers[nextHeader]!;
      problem({
        kind: 'truncated',
        seq: walked + 1,
        message: `${headerName(nextHeader, h)} was recorded after entry ${h.atSeq}, but the log ends at entry ${walked}: entries ${walked + 1}..${h.atSeq} were removed`,
      });
    }
    headersBefore(Number.MAX_SAFE_INTEGER);
  }
  return {
    problems,
    entries: intact.entries,
    lastSeq: intact.seq,
    lastHash: intact.hash,
    walkedTo: walked,
    stopped,
    roots,
    hashes,
    root: frontier.root().toString('hex'),
    chainEnd: prev,
    chainEndName: prevName,
    chainEndShort: prevShort,
  };
}

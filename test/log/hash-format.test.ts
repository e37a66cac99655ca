import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKernel } from '../../kernel/kernel.js';
import { entryHashInput } from '../../kernel/log/hash-input.mjs';
import { SqliteLogStore } from '../../kernel/log/sqlite-log-store.js';
import { verifyLog } from '../../kernel/log/verify.js';
import { tempDir } from './fixtures/drafts.js';
import { counterPlugin } from './fixtures/plugins.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

// Written from docs/command-log.md ("Hash input", "Checkpoints") alone, as a
// third party would: netstrings of UTF-8 bytes, SHA-256, RFC 9162's tree
// with the entries' hashes as its leaves.
const ns = (value: string | number | null): Buffer => {
  const bytes = Buffer.from(value === null ? '' : String(value), 'utf8');
  return Buffer.concat([Buffer.from(`${bytes.length}:`), bytes, Buffer.from(',')]);
};
const sha256 = (...parts: Buffer[]): string => createHash('sha256').update(Buffer.concat(parts)).digest('hex');
const mth = (leaves: Buffer[]): Buffer => {
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return createHash('sha256').update(Buffer.concat([Buffer.from([1]), mth(leaves.slice(0, k)), mth(leaves.slice(k))])).digest();
};

type Row = Record<string, string | number | null>;

describe('hash format 2, as documented', () => {
  it('lets anyone recompute every record of a log and its Merkle root from the rows alone', async () => {
    const path = tmp.path('vm.db');
    const store = SqliteLogStore.open(path);
    const kernel = await createKernel({ plugins: [counterPlugin()], log: store });
    const origin = { transport: 'qmp', client: 'ä "quoted" 😀' };
    await kernel.execute('object-add', { 'qom-type': 'test-counter', id: 'c1' }, origin);
    await kernel.execute('x-counter-bump', { id: 'c1' }, origin);
    // A later header version, as when the configuration starts referencing a file.
    store.writeHeader({ ...store.header()!, files: [{ path: '/srv/disk.img', sha256: '', size: 1 << 20 }] });
    await kernel.execute('x-counter-bump', { id: 'nope\n' }, origin).catch(() => undefined);
    await kernel.close();

    const db = new Database(path, { readonly: true });
    const log = db.prepare('SELECT * FROM log').get() as Row;
    const headers = db.prepare('SELECT * FROM header ORDER BY id').all() as Row[];
    const entries = db.prepare('SELECT * FROM entries ORDER BY seq').all() as Row[];
    const seals = db.prepare('SELECT * FROM seals').all() as Row[];
    db.close();

    expect(sha256(ns('vmledger/log/2'), ns(log.id!), ns(log.created!), ns(log.key!))).toBe(log.hash);
    let prev = log.hash as string;
    const chained: string[] = [];
    const header = (h: Row): void => {
      expect(h.prev_hash).toBe(prev);
      prev = sha256(ns('vmledger/header/2'), ns(h.at_seq!), ns(h.prev_hash!), ns(h.time!), ns(h.header!));
      expect(h.hash).toBe(prev);
      chained.push(`header@${h.at_seq}`);
    };
    for (const e of entries) {
      for (const h of headers.filter((h) => (h.at_seq as number) === (e.seq as number) - 1)) header(h);
      expect(e.prev_hash).toBe(prev);
      const columns = ['time', 'origin', 'command', 'args', 'kind', 'applied', 'result', 'error', 'phase_before', 'phase_after', 'run_state_before', 'run_state_after', 'state_hash'];
      prev = sha256(ns('vmledger/entry/2'), ns(e.seq!), ns(e.prev_hash!), ...columns.map((c) => ns(e[c]!)));
      expect(e.hash).toBe(prev);
      chained.push(`entry ${e.seq}`);
    }
    for (const h of headers.filter((h) => (h.at_seq as number) === entries.length)) header(h);
    const seal = seals[0]!;
    expect(seal.prev_hash).toBe(prev);
    expect(sha256(ns('vmledger/seal/2'), ns(seal.seq!), ns(seal.prev_hash!), ns(seal.time!))).toBe(seal.hash);
    // At close the kernel records the files the configuration referenced (none): a version after entry 3.
    expect(chained).toEqual(['header@0', 'entry 1', 'entry 2', 'header@2', 'entry 3', 'header@3']);

    const leaves = entries.map((e) => Buffer.from(e.hash as string, 'hex'));
    expect(verifyLog(path)).toMatchObject({ ok: true, size: 3, root: mth(leaves).toString('hex') });
  });

  it('changes when text moves from any field into the next', () => {
    const f = {
      seq: 2, prevHash: 'ab'.repeat(32), time: 1, origin: '{"transport":"qmp"}', command: 'qom-set', args: '{"a":1}', kind: 'change', applied: true,
      result: '{}', error: undefined, phaseBefore: 'no-machine', phaseAfter: 'no-machine', runStateBefore: 'prelaunch', runStateAfter: 'prelaunch', stateHash: 'cd'.repeat(32),
    };
    const text = ['origin', 'command', 'args', 'kind', 'result', 'phaseBefore', 'phaseAfter', 'runStateBefore', 'runStateAfter', 'stateHash'] as const;
    const original = entryHashInput(f);
    for (let i = 0; i + 1 < text.length; i++) {
      const [a, b] = [text[i]!, text[i + 1]!];
      const moved = { ...f, [a]: f[a]!.slice(0, -1), [b]: f[a]!.slice(-1) + f[b]! };
      expect(entryHashInput(moved), `${a} -> ${b}`).not.toBe(original);
    }
    expect(entryHashInput({ ...f, result: '' })).toBe(entryHashInput({ ...f, result: undefined }));
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCheckpoint, signatureValid, type Checkpoint } from '../../kernel/log/checkpoint.mjs';
import { generateLogKey, readLogKey, readPublicKey } from '../../kernel/log/log-key.js';
import { SqliteLogStore } from '../../kernel/log/sqlite-log-store.js';
import { verifyLog } from '../../kernel/log/verify.js';
import { drafts, tempDir } from './fixtures/drafts.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

describe('the checkpoints a log makes as it grows', () => {
  it('come every N entries, and S seconds after the last when fewer came, each signed and handed to the listeners, the seal last', async () => {
    generateLogKey(tmp.path('log.key'));
    const path = tmp.path('log.db');
    const store = SqliteLogStore.open(path, { checkpoints: { key: readLogKey(tmp.path('log.key')), entries: 5, seconds: 1 } });
    const seen: Checkpoint[] = [];
    let wake: (() => void) | undefined;
    store.onCheckpoint((c) => {
      seen.push(c);
      wake?.();
    });
    store.append(drafts(12));
    // Waits for the checkpoint the clock makes: nothing is timed, the test only waits for it to come.
    while (!seen.some((c) => c.size === 12)) await new Promise<void>((resolve) => (wake = resolve));
    store.close();
    expect(seen.map((c) => `${c.kind} ${c.size}`)).toEqual(['checkpoint 5', 'checkpoint 10', 'checkpoint 12', 'seal 12']);
    const pub = readPublicKey(tmp.path('log.key.pub'));
    for (const c of seen) expect(signatureValid(parseCheckpoint(c.text), pub), c.text).toBe(true);
    const ro = SqliteLogStore.open(path, { readonly: true });
    expect(ro.checkpoints().map((c) => c.size)).toEqual([5, 10, 12]);
    for (const c of seen) expect(ro.rootAt(c.size)).toBe(c.root);
    ro.close();
    expect(verifyLog(path, { key: pub })).toMatchObject({ ok: true, signedThrough: 12 });
  });

  it('are refused to a writer that would continue a log with another key, or none', () => {
    generateLogKey(tmp.path('log.key'));
    const path = tmp.path('log.db');
    const store = SqliteLogStore.open(path, { checkpoints: { key: readLogKey(tmp.path('log.key')) } });
    store.append(drafts(2));
    // A second writer on the same (unsealed) log.
    expect(() => SqliteLogStore.open(path)).toThrow(/was started with key [0-9a-f]{16}; it can only be continued with the same \(given: no key\)/);
    store.close();
  });
});

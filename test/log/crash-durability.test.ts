import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCrashWriter, checkLog, runAndKill } from './fixtures/crash-harness.js';
import { tempDir } from './fixtures/drafts.js';

// Each child needs ~0.3-0.7 s to start (rxjs, tsyringe): 16 rounds keep the test near ten seconds.
// bench/crash-campaign.ts runs the same rounds a thousand times and more.
const ROUNDS = 16;
let tmp: ReturnType<typeof tempDir>;
let bundle: Awaited<ReturnType<typeof bundleCrashWriter>>;

beforeAll(async () => {
  tmp = tempDir();
  bundle = await bundleCrashWriter();
});
afterAll(() => {
  tmp.cleanup();
  bundle.remove();
});

describe('crash durability', () => {
  it(`keeps every acknowledged change across ${ROUNDS} SIGKILLs at random moments, and the chain verifies`, async () => {
    const path = tmp.path('crash.db');
    const allAcked: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const sync = round % 4 === 0 ? 'full' : 'normal';
      allAcked.push(...(await runAndKill(bundle.writer, path, round, sync, 20 + Math.floor(Math.random() * 130))));
      const check = checkLog(path, allAcked);
      expect(check.problem, `round ${round}`).toBeUndefined();
      expect(check.lost, `round ${round}: acknowledged but not in the log`).toEqual([]);
    }
    // The test is only meaningful if the children really acknowledged work before dying.
    expect(allAcked.length).toBeGreaterThan(ROUNDS);
  });
});

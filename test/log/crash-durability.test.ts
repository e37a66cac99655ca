import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteLogStore } from '../../kernel/log/sqlite-log-store.js';
import { verifyLog } from '../../kernel/log/verify.js';
import { tempDir } from './fixtures/drafts.js';

// Each child needs ~0.3-0.7 s to start (rxjs, tsyringe): 16 rounds keep the test near ten seconds.
const ROUNDS = 16;
let tmp: ReturnType<typeof tempDir>;
let writer: string;

beforeAll(async () => {
  tmp = tempDir();
  // Bundled once so each of the rounds starts in milliseconds (no TypeScript loader per child).
  // It lives under node_modules so its bare imports (better-sqlite3, tsyringe) resolve.
  const outdir = join(process.cwd(), 'node_modules', '.cache', 'vmledger-log-test');
  mkdirSync(outdir, { recursive: true });
  writer = join(outdir, `crash-writer-${process.pid}.mjs`);
  await build({
    entryPoints: [join(import.meta.dirname, 'fixtures', 'crash-writer.ts')],
    outfile: writer,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  });
  // The log's threads (kernel/log/*.mjs) are loaded by file, next to the code that starts them, as in dist/.
  const logDir = join(import.meta.dirname, '..', '..', 'kernel', 'log');
  for (const file of readdirSync(logDir).filter((f) => f.endsWith('.mjs'))) copyFileSync(join(logDir, file), join(outdir, file));
});
afterAll(() => {
  tmp.cleanup();
  rmSync(writer, { force: true });
});

/** Runs one writer, kills it with SIGKILL `delayMs` after it is ready; resolves with every value it acknowledged. */
function runAndKill(path: string, round: number, sync: string, delayMs: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, path, String(round), sync], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked: number[] = [];
    let buffered = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (line === 'READY') timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
        else if (line.startsWith('ACK ')) acked.push(Number(line.slice(4)));
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    // 'close' waits for stdout to drain: every ACK the child wrote before dying has been read.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`writer exited with ${code ?? signal} before it was killed: ${stderr}`));
      else resolve(acked);
    });
  });
}

describe('crash durability', () => {
  it(`keeps every acknowledged change across ${ROUNDS} SIGKILLs at random moments, and the chain verifies`, async () => {
    const path = tmp.path('crash.db');
    const allAcked: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const sync = round % 4 === 0 ? 'full' : 'normal';
      const acked = await runAndKill(path, round, sync, 20 + Math.floor(Math.random() * 130));
      allAcked.push(...acked);

      const result = verifyLog(path);
      expect(result.problem, `round ${round}`).toBeUndefined();
      const store = SqliteLogStore.open(path, { readonly: true });
      const logged = new Set<number>();
      for (const e of store.entries()) if (e.command === 'qom-set' && e.applied) logged.add(e.args.value as number);
      store.close();
      const missing = allAcked.filter((v) => !logged.has(v));
      expect(missing, `round ${round}: acknowledged but not in the log`).toEqual([]);
    }
    // The test is only meaningful if the children really acknowledged work before dying.
    expect(allAcked.length).toBeGreaterThan(ROUNDS);
  });
});

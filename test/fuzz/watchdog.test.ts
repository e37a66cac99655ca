/** The fuzzer's watchdog ends a process whose event loop froze, saying what it was doing. */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../log/fixtures/drafts.js';
import { HANG_MARK } from './watchdog.js';

let tmp: ReturnType<typeof tempDir>;
afterEach(() => tmp?.cleanup());

/** Runs `body` in a child process with the watchdog imported; resolves with its exit code, signal and stderr. */
function child(body: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  tmp = tempDir();
  const script = tmp.path('child.mts');
  writeFileSync(script, `import { startWatchdog } from ${JSON.stringify(join(import.meta.dirname, 'watchdog.ts'))};\n${body}\n`);
  const p = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => p.on('close', (code, signal) => resolve({ code, signal, stderr })));
}

describe('the fuzz watchdog', () => {
  it('kills a process whose event loop stands still, naming what it was doing', async () => {
    const { signal, stderr } = await child(`const w = startWatchdog(300);\nw.note('spinning on purpose');\nsetTimeout(() => { for (;;) {} }, 200);`);
    expect(signal).toBe('SIGKILL');
    const line = stderr.split('\n').find((l) => l.startsWith(HANG_MARK));
    expect(JSON.parse(line!.slice(HANG_MARK.length + 1))).toMatchObject({ during: 'spinning on purpose' });
  });

  it('lets a process whose loop keeps turning exit normally', async () => {
    expect(await child(`const w = startWatchdog(300);\nsetTimeout(() => w.stop(), 1000);`)).toMatchObject({ code: 0, stderr: '' });
  });
});

import { spawn } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteLogStore } from '../../kernel/log/sqlite-log-store.js';
import { drafts, tempDir } from './fixtures/drafts.js';

const CHILD = fileURLToPath(new URL('./fixtures/verify-child.ts', import.meta.url));
// Root may write anywhere: as root, the reader runs as nobody, for whom the folder is read-only.
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

let tmp: ReturnType<typeof tempDir>;
let folder: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
  folder = tempDir();
});
afterEach(() => {
  chmodSync(folder.dir, 0o755);
  folder.cleanup();
  tmp.cleanup();
});

/** Copies files into `folder` and makes it read-only for the reader. */
function readOnlyFolder(files: ReadonlyArray<readonly [string, string]>): void {
  for (const [from, name] of files) {
    copyFileSync(from, folder.path(name));
    if (asRoot) chownSync(folder.path(name), NOBODY, NOBODY);
  }
  chmodSync(folder.dir, 0o555);
}

/** `vmledger log verify` run by someone who cannot write the folder. */
function verifyAsReader(path: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, path], asRoot ? { uid: NOBODY, gid: NOBODY } : {});
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('vmledger log verify without write access to the log', () => {
  it('verifies a log in a read-only folder and leaves the folder as it was', async () => {
    const path = tmp.path('vm.db');
    const store = SqliteLogStore.open(path);
    store.append(drafts(10));
    store.close();
    readOnlyFolder([[path, 'vm.db']]);
    const r = await verifyAsReader(folder.path('vm.db'));
    expect(r.err).toBe('');
    expect(r.out).toMatch(/^OK: 10 entries, last 10 [0-9a-f]{64} \(sealed\)\n/);
    expect(r.code).toBe(0);
    expect(readdirSync(folder.dir)).toEqual(['vm.db']);
  });

  it('reads the entries that after a crash are only in the -wal, copied without its -shm into a read-only folder', async () => {
    const path = tmp.path('vm.db');
    const store = SqliteLogStore.open(path);
    store.append(drafts(10));
    // Copied while the writer still has the log open, as a kill -9 would leave it: the entries are in the WAL.
    readOnlyFolder([
      [path, 'vm.db'],
      [`${path}-wal`, 'vm.db-wal'],
    ]);
    store.close();
    const r = await verifyAsReader(folder.path('vm.db'));
    expect(r.err).toBe('');
    expect(r.out).toMatch(/^OK: 10 entries, last 10 [0-9a-f]{64} \(never sealed\)\n/);
    expect(r.code).toBe(0);
    expect(readdirSync(folder.dir).sort()).toEqual(['vm.db', 'vm.db-wal']);
  });
});

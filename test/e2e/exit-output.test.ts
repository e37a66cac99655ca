/**
 * Output written just before the program exits reaches a reader on a pipe
 * or socket (a test, a supervisor, `| tail`): process.exit would drop what
 * Node still has queued there, such as a guest's last console lines before
 * it powers off, or the end of a long report.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createKernel } from '../../kernel/kernel.js';
import { SqliteLogStore } from '../../kernel/log/sqlite-log-store.js';
import { DEFAULT_PLUGINS } from '../../main/default-plugins.js';
import { VMLEDGER } from './run-vmledger.js';

const ENTRIES = 20_000;

describe('output at exit', () => {
  it('delivers a long log audit whole through a socket before the program exits', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'vmledger-exit-')), 'vm.db');
    const kernel = await createKernel({ plugins: DEFAULT_PLUGINS, log: SqliteLogStore.open(db) });
    await Promise.all(Array.from({ length: ENTRIES }, (_, i) => kernel.execute('set-name', { name: `vm-${i}` }, { transport: 'api' })));
    await kernel.close();
    // spawn's 'pipe' stdio is a socket pair: the child's writes there are asynchronous.
    const child = spawn(process.execPath, [VMLEDGER, 'log', 'audit', db], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(code).toBe(0);
    const rows = out.split('\n').filter((l) => l.includes('set-name'));
    expect(rows.length).toBe(ENTRIES);
    expect(rows.at(-1)!.trim().split(/\s+/)[0]).toBe(String(ENTRIES));
  });

  it('stops quietly, with the status of SIGPIPE, when its reader goes away (log audit | head)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vmledger-pipe-'));
    const db = join(dir, 'vm.db');
    const kernel = await createKernel({ plugins: DEFAULT_PLUGINS, log: SqliteLogStore.open(db) });
    await Promise.all(Array.from({ length: 5000 }, (_, i) => kernel.execute('set-name', { name: `vm-${i}` }, { transport: 'api' })));
    await kernel.close();
    // A real pipe into a reader that leaves after one line, as a user's shell makes it.
    const status = execFileSync('bash', ['-c', `"${process.execPath}" "${VMLEDGER}" log audit vm.db 2>err.txt | head -1 >/dev/null; echo \${PIPESTATUS[0]}`], { cwd: dir }).toString().trim();
    expect(readFileSync(join(dir, 'err.txt'), 'utf8')).toBe('');
    expect(status).toBe('141');
  });
});

/**
 * `vmledger log tail -f` follows a log another process is writing, printing
 * each entry once it is committed, and exits when the VM seals its log.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKernel } from '../../kernel/kernel.js';
import { SqliteLogStore } from '../../kernel/log/sqlite-log-store.js';
import { DEFAULT_PLUGINS } from '../../main/default-plugins.js';
import { runVmledger, VmProcess } from './run-vmledger.js';

const running: VmProcess[] = [];
afterEach(() => running.splice(0).forEach((p) => p.kill()));

describe('vmledger log tail', () => {
  it('-f prints each entry as the VM commits it, and exits 0 once the log is sealed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vmledger-tail-'));
    const kernel = await createKernel({ plugins: DEFAULT_PLUGINS, log: SqliteLogStore.open(join(dir, 'vm.db')) });
    await kernel.execute('set-name', { name: 'before' }, { transport: 'api' });
    const tail = new VmProcess(['log', 'tail', 'vm.db', '-n', '1', '-f', '--json'], dir);
    running.push(tail);
    await tail.waitFor('"before"');
    await kernel.execute('set-name', { name: 'while-following' }, { transport: 'qmp', client: '3' });
    await tail.waitFor('"while-following"');
    await kernel.close();
    expect(await tail.exited).toBe(0);
    const lines = tail.stdout.trim().split('\n').map((l) => JSON.parse(l) as { seq: number; arguments: unknown; origin: unknown });
    expect(lines.map((l) => [l.seq, l.arguments])).toEqual([
      [1, { name: 'before' }],
      [2, { name: 'while-following' }],
    ]);
    expect(lines[1]!.origin).toEqual({ transport: 'qmp', client: '3' });
  });

  it('without -f prints the last N entries and exits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vmledger-tail-'));
    const kernel = await createKernel({ plugins: DEFAULT_PLUGINS, log: SqliteLogStore.open(join(dir, 'vm.db')) });
    for (const name of ['a', 'b', 'c']) await kernel.execute('set-name', { name }, { transport: 'api' });
    await kernel.close();
    const r = await runVmledger(['log', 'tail', 'vm.db', '-n', '2', '--args'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/)[0])).toEqual(['2', '3']);
    expect(r.stdout).toContain('set-name  {"name":"c"}  ok');
  });
});

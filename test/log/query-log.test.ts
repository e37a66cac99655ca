/**
 * `x-query-log` hands the log out a bounded page at a time: at most 1000
 * entries and about 1 MiB per reply, with `next` to continue. Before,
 * `count=4294967296` returned the whole log in one reply (67 MB for a large
 * log, every client held up while it was built) and `count=-1` did too.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createKernel, type Kernel, type QmpError } from '../../kernel/index.js';
import { LOG_PAGE_CHARS } from '../../kernel/commands/log-queries.js';
import { SqliteLogStore } from '../../kernel/log/sqlite-log-store.js';
import { exportConfigPlugin } from '../../transports/config/index.js';
import { tempDir } from './fixtures/drafts.js';
import { counterPlugin } from './fixtures/plugins.js';

const API = { transport: 'api', client: 'test' };
let tmp: ReturnType<typeof tempDir>;
let kernel: Kernel | undefined;
afterEach(async () => {
  await kernel?.close();
  kernel = undefined;
  tmp?.cleanup();
});

interface Page {
  entries: Array<{ seq: number; arguments: Record<string, unknown> }>;
  next?: number;
}

/** A kernel whose log holds `n` set-name entries, each name `size` characters long. */
async function kernelWithLog(n: number, size = 8): Promise<Kernel> {
  tmp = tempDir();
  kernel = await createKernel({ plugins: [counterPlugin(), exportConfigPlugin], log: SqliteLogStore.open(tmp.path('vm.db')) });
  await Promise.all(Array.from({ length: n }, (_, i) => kernel!.execute('set-name', { name: String(i).padStart(size, '.') }, API)));
  return kernel;
}

const query = (k: Kernel, args: Record<string, unknown>) => k.execute('x-query-log', args, API) as Promise<Page>;
const seqs = (p: Page) => p.entries.map((e) => e.seq);

describe('x-query-log', () => {
  it('refuses a count outside 1..1000, naming the range', async () => {
    const k = await kernelWithLog(3);
    for (const count of [4294967296, -1, 0, 1001]) {
      const e = (await query(k, { count }).catch((x: unknown) => x)) as QmpError;
      expect(e.desc).toBe("Parameter 'count' expects a value from 1 to 1000");
    }
    expect(((await query(k, { from: 0 }).catch((x: unknown) => x)) as QmpError).desc).toBe("Parameter 'from' expects a value of at least 1");
  });

  it('without from: the most recent entries, oldest first, with nothing after them', async () => {
    const k = await kernelWithLog(25);
    expect(await query(k, {}).then(seqs)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    expect((await query(k, { count: 3 })).next).toBeUndefined();
  });

  it('pages forward from a seq; next continues until the end', async () => {
    const k = await kernelWithLog(2500);
    const seen: number[] = [];
    const pages: number[] = [];
    for (let from: number | undefined = 1; from !== undefined; ) {
      const page = await query(k, { from, count: 1000 });
      seen.push(...seqs(page));
      pages.push(page.entries.length);
      from = page.next;
    }
    expect(pages).toEqual([1000, 1000, 500]);
    expect(seen).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1));
    expect(await query(k, { from: 2501 })).toEqual({ entries: [] });
  });

  it('a page stops at about 1 MiB of entries however many were asked, and next picks up there', async () => {
    const k = await kernelWithLog(40, 100_000);
    const page = await query(k, { from: 1, count: 1000 });
    expect(page.entries.length).toBeGreaterThan(1);
    expect(page.entries.length).toBeLessThan(40);
    expect(JSON.stringify(page.entries).length).toBeLessThanOrEqual(LOG_PAGE_CHARS + 1000);
    expect(page.next).toBe(page.entries.length + 1);
    const recent = await query(k, { count: 1000 });
    expect(seqs(recent).at(-1)).toBe(40);
    expect(recent.entries.length).toBe(page.entries.length);
  });

  it('export-config reads a log longer than a page, page by page', async () => {
    const k = await kernelWithLog(0);
    await Promise.all(Array.from({ length: 1200 }, (_, i) => k.execute('object-add', { 'qom-type': 'test-counter', id: `c${i}` }, API)));
    const { text } = (await k.execute('export-config', { format: 'qmp' }, API)) as { text: string };
    expect(text).toContain('"id":"c0"');
    expect(text).toContain('"id":"c1199"');
  });
});

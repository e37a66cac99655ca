import type { SqliteLogStore } from './sqlite-log-store.js';
import { TABLES } from './sqlite-schema.js';
import type { LogProblem } from './verify-problems.js';

/** What each table holds, for sentences about where a file is damaged. */
const HOLDS: Readonly<Record<string, string>> = {
  log: "the log's first record",
  header: 'the header versions',
  entries: 'the entries',
  seals: 'the seal',
  checkpoints: 'the checkpoints',
};

/** SQLite's wording of common damage, in plain words. */
const PLAIN: ReadonlyArray<readonly [RegExp, string]> = [
  [/Extends off end of page/i, 'a record runs past the end of its page'],
  [/btreeInitPage\(\) returns error code/i, 'a page is not a valid database page'],
  [/is never used/i, 'a page belongs to no table'],
  [/invalid page number/i, 'a page points to a page that does not exist'],
  [/2nd reference to page/i, 'a page is used twice'],
  [/Rowid \d+ out of order/i, 'rows are out of order'],
  [/wrong # of entries in index|missing from index/i, 'an index no longer matches its table'],
  [/NULL value in/i, 'a required value is missing'],
  [/free space corruption|fragmentation/i, "a page's free-space list is broken"],
  [/database disk image is malformed/i, 'its pages cannot be read'],
];

const plain = (detail: string): string => PLAIN.find(([re]) => re.test(detail))?.[1] ?? 'SQLite found inconsistent pages';

/**
 * SQLite's integrity check of the whole file, pages outside the entries
 * too, each finding as a sentence naming what the damaged table holds. When
 * the damage is so bad that the check itself fails, each table is checked
 * alone to say where.
 */
export function integrityProblems(store: SqliteLogStore): { problems: LogProblem[]; tables: Set<string> } {
  const found = checkIntegrity(store);
  return { problems: found.map((f) => f.problem), tables: new Set(found.flatMap((f) => (f.table ? [f.table] : []))) };
}

function checkIntegrity(store: SqliteLogStore): Array<{ problem: LogProblem; table: string | undefined }> {
  const tables = TABLES[store.format] ?? [];
  const rootPages = store.rootPages();
  const where = (table: string | undefined, page?: string): string =>
    `${table && HOLDS[table] ? `where it keeps ${HOLDS[table]} (table ${table}${page ? `, page ${page}` : ''})` : page ? `at page ${page}` : ''}`;
  const damaged = (table: string | undefined, detail: string, page?: string): { problem: LogProblem; table: string | undefined } => ({
    problem: {
      kind: 'damaged',
      seq: 0,
      message: `the database file is damaged ${where(table, page)}: ${plain(detail)} (SQLite: ${detail.replace(/\s+/g, ' ').trim()})`.replace(/damaged :/, 'damaged:'),
    },
    table,
  });

  let lines: string[];
  try {
    lines = store.integrityCheck();
  } catch (e) {
    const found: Array<{ problem: LogProblem; table: string | undefined }> = [];
    for (const table of tables) {
      try {
        const report = store.integrityCheck(table);
        if (!(report.length === 1 && report[0] === 'ok')) found.push(damaged(table, report.join('; ')));
      } catch (tableError) {
        found.push(damaged(table, (tableError as Error).message));
      }
    }
    return found.length > 0 ? found : [damaged(undefined, (e as Error).message)];
  }
  if (lines.length === 1 && lines[0] === 'ok') return [];
  const details = lines
    .flatMap((l) => l.split('\n'))
    .filter((l) => !/^\*\*\* in database/.test(l) && !(lines.length > 1 && /^database disk image is malformed$/.test(l)));
  return details.map((detail) => {
    const tree = /Tree (\d+) page (\d+)/.exec(detail) ?? /(?:On tree page|Page) (\d+)/.exec(detail);
    const table = tree ? rootPages.get(Number(tree[1])) : undefined;
    return damaged(table, detail, tree?.[2] ?? tree?.[1]);
  });
}

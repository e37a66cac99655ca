import { defineCommand } from '../command.js';
import { entryInfo } from '../log/entry-info.js';
import type { LogEntry } from '../log/log-entry.js';
import { t } from '../schema/types.js';
import type { CoreDeps } from './core-deps.js';

/** Entries in one page of `x-query-log`: its `count` may not ask for more. */
export const LOG_PAGE_ENTRIES = 1000;

/**
 * Characters of entries in one page (JSON): a page stops before the entry
 * that would pass this, so a few huge entries cannot make a reply of
 * hundreds of megabytes that holds every client up while it is written.
 * A single entry larger than this still comes alone.
 */
export const LOG_PAGE_CHARS = 1 << 20;

const LogEntryInfo = t.object(
  {
    seq: t.int(),
    time: t.int(),
    origin: t.any(),
    command: t.str(),
    arguments: t.any(),
    kind: t.str(),
    applied: t.bool(),
    result: t.optional(t.any()),
    error: t.optional(t.any()),
    'phase-before': t.str(),
    'phase-after': t.str(),
    'run-state-before': t.str(),
    'run-state-after': t.str(),
    'state-hash': t.str(),
    'prev-hash': t.str(),
    hash: t.str(),
  },
  { name: 'LogEntryInfo' },
);

const LogPage = t.object(
  {
    entries: t.array(LogEntryInfo),
    next: t.optional(t.int(), "Present when later entries exist: pass it as 'from' for the next page"),
  },
  { name: 'LogPage' },
);

const info = entryInfo;

type Info = ReturnType<typeof info>;

/** Takes entries while they fit the page; always at least one. */
function fit(entries: Iterable<LogEntry>, count: number): { page: Info[]; stoppedAt?: number } {
  const page: Info[] = [];
  let chars = 0;
  for (const e of entries) {
    const item = info(e);
    chars += JSON.stringify(item).length;
    if (page.length === count || (page.length > 0 && chars > LOG_PAGE_CHARS)) return { page, stoppedAt: e.seq };
    page.push(item);
  }
  return { page };
}

/** Read access to the command log for monitors (HMP `info log`) and tools, a bounded page at a time. */
export function logQueryCommands(deps: CoreDeps) {
  return [
    defineCommand({
      name: 'x-query-log',
      args: t.object({
        count: t.optional(t.int(`How many entries (default 10, at most ${LOG_PAGE_ENTRIES})`, { min: 1, max: LOG_PAGE_ENTRIES })),
        from: t.optional(t.int('Page forward from this seq; without it, the most recent entries', { min: 1 })),
      }),
      returns: LogPage,
      phases: 'any',
      kind: 'query',
      doc: `Command log entries, oldest first: the most recent ones, or a page from a seq on. A page holds at most 'count' entries and about ${LOG_PAGE_CHARS >> 20} MiB; 'next' continues it`,
      example:
        '-> { "execute": "x-query-log", "arguments": { "from": 1, "count": 2 } }\n' +
        '<- { "return": { "entries": [ { "seq": 1, "command": "set-name", ... }, { "seq": 2, ... } ], "next": 3 } }',
      handler: ({ count = 10, from }) => {
        const store = deps.store;
        if (!store) return { entries: [] };
        if (from !== undefined) {
          // One more than asked: whether it exists says whether there is a next page.
          const { page, stoppedAt } = fit(store.entries({ from, to: from + count }), count);
          return stoppedAt === undefined ? { entries: page } : { entries: page, next: stoppedAt };
        }
        const { page } = fit(store.tail(count).reverse(), count);
        return { entries: page.reverse() };
      },
    }),
  ];
}

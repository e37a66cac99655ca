import { setTimeout as sleep } from 'node:timers/promises';
import { entryInfo } from '../kernel/log/entry-info.js';
import type { LogEntry } from '../kernel/log/log-entry.js';
import { SqliteLogStore } from '../kernel/log/sqlite-log-store.js';
import { formatEntry } from './audit-command.js';
import { intOption, logPath, parseArgs } from './args.js';
import { toolIo, type LogToolDeps } from './io.js';

/** `vmledger log tail --help`. */
export const TAIL_HELP = `Usage: vmledger log tail <db> [-n N] [-f] [--args] [--json]

Prints the last N entries (default 10) of the command log <db>, one a line
as 'log audit' prints them. With -f it then follows the log while the VM
runs, printing each entry as it is committed (SQLite lets a reader watch a
log another process writes), and exits 0 once the VM has closed (sealed)
its log.

Options:
  -n N         how many of the latest entries first (0: only new ones)
  -f           follow the log until it is sealed
  --args       add each command's arguments
  --json       one JSON object per line (the fields of x-query-log)
  -h, --help   show this help
`;

/** How often -f looks for new entries: a human watches, and each look is one indexed SELECT. */
const FOLLOW_INTERVAL_MS = 200;

/** `vmledger log tail <db> [-n N] [-f]`. */
export async function runTail(argv: readonly string[], deps: LogToolDeps): Promise<number> {
  const { out } = toolIo(deps);
  // -n and -f as tail(1) spells them.
  const args = parseArgs(
    argv.map((a) => (a === '-n' ? '--n' : a === '-f' ? '--follow' : a)),
    ['n'],
    ['follow', 'args', 'json', 'help'],
  );
  if (args.options.has('help')) {
    out.write(TAIL_HELP);
    return 0;
  }
  const path = logPath(args, 'tail');
  const count = intOption(args, 'n') ?? 10;
  const json = args.options.has('json');
  const withArgs = args.options.has('args');
  const emit = (e: LogEntry): void => void out.write(json ? JSON.stringify(entryInfo(e)) + '\n' : formatEntry(e, withArgs));

  const store = SqliteLogStore.open(path, { readonly: true });
  try {
    let last = 0;
    for (const e of count > 0 ? store.tail(count) : []) emit(e);
    last = store.tail(1)[0]?.seq ?? 0;
    if (!args.options.has('follow')) return 0;
    for (;;) {
      for (const e of store.entries({ from: last + 1 })) {
        emit(e);
        last = e.seq;
      }
      // Sealed means closed for good: nothing can follow the seal.
      if (store.seals().length > 0 && (store.tail(1)[0]?.seq ?? 0) === last) return 0;
      await sleep(FOLLOW_INTERVAL_MS);
    }
  } finally {
    store.close();
  }
}

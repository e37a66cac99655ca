import { entryInfo } from '../kernel/log/entry-info.js';
import { SqliteLogStore } from '../kernel/log/sqlite-log-store.js';
import { UsageError, parseArgs } from './args.js';
import { isoTime, toolIo, type LogToolDeps } from './io.js';

/** `vmledger log show --help`. */
export const SHOW_HELP = `Usage: vmledger log show <db> <seq> [--json]

Prints entry <seq> of the command log <db> whole: who sent it and from
where, the command and its arguments, its outcome, the phase and run state
around it, the state hash after it and its place in the hash chain.

Options:
  --json       the entry as one JSON object, with the field names of
               x-query-log and 'log audit --json'
  -h, --help   show this help

Exit status 0 when the entry exists, 2 when it does not (or on a usage error).
`;

/** `vmledger log show <db> <seq>`: one entry, every field. */
export async function runShow(argv: readonly string[], deps: LogToolDeps): Promise<number> {
  const { out } = toolIo(deps);
  const args = parseArgs(argv, [], ['json', 'help']);
  if (args.options.has('help')) {
    out.write(SHOW_HELP);
    return 0;
  }
  if (args.positional.length !== 2) throw new UsageError(`show takes a log file and an entry number, got ${args.positional.length} arguments`);
  const [path, seqText] = args.positional as [string, string];
  if (!/^[1-9]\d*$/.test(seqText)) throw new UsageError(`the entry number must be a positive integer, got '${seqText}'`);
  const seq = Number(seqText);
  const store = SqliteLogStore.open(path, { readonly: true });
  try {
    const [entry] = store.entries({ from: seq, to: seq });
    if (!entry) throw new UsageError(`the log has no entry ${seq} (it has ${store.lastSeq})`);
    const info = entryInfo(entry);
    if (args.options.has('json')) {
      out.write(JSON.stringify(info, null, 2) + '\n');
      return 0;
    }
    for (const [name, value] of Object.entries(info)) {
      const text = name === 'time' ? `${isoTime(entry.time)} (${entry.time})` : typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
      out.write(`${name}: ${text}\n`);
    }
  } finally {
    store.close();
  }
  return 0;
}

import type { Kernel } from '../kernel/kernel.js';
import { canonicalJson } from '../kernel/canonical-json.js';
import { entryInfo } from '../kernel/log/entry-info.js';
import { replayLog } from '../kernel/log/replay.js';
import { SqliteLogStore } from '../kernel/log/sqlite-log-store.js';
import { formatEntry } from './audit-command.js';
import { UsageError, logPath, parseArgs, strOption } from './args.js';
import { toolIo, type LogToolDeps } from './io.js';
import { replayKernel } from './replay-kernel.js';

/** `vmledger log bisect --help`. */
export const BISECT_HELP = `Usage: vmledger log bisect <db> --until EXPR [--json]

Replays the command log <db> and names the first entry after which EXPR
holds of the configuration:

  PATH               the object exists            /machine/peripheral/disk0
  !PATH              the object does not exist    !/objects/rng0
  PATH:PROP          the property is set          /machine/peripheral/r:rng
  PATH:PROP=VALUE    the property equals VALUE    /settings:name=web1
  PATH:PROP!=VALUE   ... does not equal VALUE     /machine:memory!=134217728

VALUE is read as JSON when it parses (2, true, "x"), else as text.

Options:
  --until EXPR  the condition
  --json        the entry (fields of x-query-log) as JSON
  -h, --help    show this help

Exit status 0 when an entry is found, 1 when EXPR never holds, 2 usage or
I/O error (or a replay that diverges before EXPR holds).
`;

/** A condition on the object tree, parsed from EXPR. */
type Predicate = (kernel: Kernel) => boolean;

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** EXPR as a predicate; a usage error naming what is wrong with it. */
export function parseCondition(expr: string): Predicate {
  const negated = expr.startsWith('!');
  const body = negated ? expr.slice(1) : expr;
  if (!body.startsWith('/')) throw new UsageError(`--until '${expr}': a condition starts with a QOM path (/machine/...), optionally after '!'`);
  const colon = body.indexOf(':');
  if (colon < 0) return negated ? (k) => k.objects.find(body) === undefined : (k) => k.objects.find(body) !== undefined;
  if (negated) throw new UsageError(`--until '${expr}': '!' goes with a path alone; for a property use PROP!=VALUE`);
  const path = body.slice(0, colon);
  const rest = body.slice(colon + 1);
  const m = /^([^=!]+)(?:(!?=)(.*))?$/s.exec(rest);
  if (!m) throw new UsageError(`--until '${expr}': expected PATH:PROP, PATH:PROP=VALUE or PATH:PROP!=VALUE`);
  const [, prop, op, valueText] = m as unknown as [string, string, string | undefined, string | undefined];
  const value = (k: Kernel): unknown => k.objects.find(path)?.get(prop);
  if (op === undefined) return (k) => value(k) !== undefined;
  const want = canonicalJson(parseValue(valueText ?? ''));
  const equal = (k: Kernel): boolean => {
    const v = value(k);
    return v !== undefined && canonicalJson(v) === want;
  };
  return op === '=' ? equal : (k) => k.objects.find(path) !== undefined && !equal(k);
}

/** `vmledger log bisect <db> --until EXPR`: the first entry after which EXPR holds. */
export async function runBisect(argv: readonly string[], deps: LogToolDeps): Promise<number> {
  const { out } = toolIo(deps);
  const args = parseArgs(argv, ['until'], ['json', 'help']);
  if (args.options.has('help')) {
    out.write(BISECT_HELP);
    return 0;
  }
  const path = logPath(args, 'bisect');
  const expr = strOption(args, 'until');
  if (expr === undefined) throw new UsageError('bisect needs --until EXPR (see --help)');
  const holds = parseCondition(expr);
  const store = SqliteLogStore.open(path, { readonly: true });
  const kernel = await replayKernel(store, deps.plugins).catch((e: unknown) => {
    store.close();
    throw e;
  });
  try {
    if (holds(kernel)) {
      out.write(`${expr} holds before the first entry\n`);
      return 0;
    }
    const result = await replayLog(store, kernel, { until: () => holds(kernel) });
    if (result.mismatch) throw new Error(`replay diverged at entry ${result.mismatch.seq} (${result.mismatch.command}) before ${expr} held; 'vmledger log replay ${path}' says how`);
    if (result.stoppedBy !== 'until') {
      out.write(`${expr} never holds (${result.lastSeq} entries replayed)\n`);
      return 1;
    }
    const [entry] = store.entries({ from: result.lastSeq, to: result.lastSeq });
    if (args.options.has('json')) out.write(JSON.stringify(entryInfo(entry!)) + '\n');
    else out.write(`${expr} holds from entry ${entry!.seq} on:\n${formatEntry(entry!, true)}`);
    return 0;
  } finally {
    store.close();
    await kernel.close();
  }
}

import { entryInfo } from '../kernel/log/entry-info.js';
import type { LogEntry } from '../kernel/log/log-entry.js';
import { SqliteLogStore } from '../kernel/log/sqlite-log-store.js';
import { UsageError, intOption, logPath, parseArgs, strOption, type ParsedArgs } from './args.js';
import { isoTime, toolIo, type LogToolDeps } from './io.js';

/** `vmledger log audit --help`. */
export const AUDIT_HELP = `Usage: vmledger log audit <db> [filters] [--args] [--json]

Lists who ran what, when, from where, and what came of it, one entry a line:
  seq  time (UTC)  transport endpoint client peer identity session position  command  outcome

Filters (all must match):
  --from SEQ, --to SEQ        sequence range (inclusive)
  --since TIME, --until TIME  time range, ISO-8601 (2025-01-31T12:00:00Z) or a date
  --transport NAME            qmp, hmp, cli, config, replay, api...
  --client ID, --session ID   a connection or session
  --command NAME              one command
  --path QOMPATH              commands aimed at that object (qom-set, device_add/del,
                              object-add/del, ...), or below it
  --property NAME             commands that set that property (qom-set, or a creation
                              command that gives it)
  --failed | --applied        only failed, or only applied, commands
  --last N                    only the N most recent matches

Output:
  --args       add each command's arguments
  --json       one JSON object per line: the full entry, with the field
               names of x-query-log (arguments, state-hash, phase-before...)
  -h, --help   show this help
`;

interface AuditFilter {
  readonly from?: number;
  readonly to?: number;
  readonly since?: number;
  readonly until?: number;
  readonly transport?: string;
  readonly client?: string;
  readonly session?: string;
  readonly command?: string;
  readonly applied?: boolean;
  readonly path?: string;
  readonly property?: string;
}

/** `vmledger log audit <db>`: prints the entries matching the filters; exit 0. */
export async function runAudit(argv: readonly string[], deps: LogToolDeps): Promise<number> {
  const { out } = toolIo(deps);
  const args = parseArgs(
    argv,
    ['from', 'to', 'since', 'until', 'transport', 'client', 'session', 'command', 'last', 'path', 'property'],
    ['failed', 'applied', 'args', 'json', 'help'],
  );
  if (args.options.has('help')) {
    out.write(AUDIT_HELP);
    return 0;
  }
  const path = logPath(args, 'audit');
  const filter = auditFilter(args);
  const last = intOption(args, 'last');
  const json = args.options.has('json');
  const withArgs = args.options.has('args');

  const store = SqliteLogStore.open(path, { readonly: true });
  try {
    const ring: LogEntry[] = [];
    let shown = 0;
    const emit = (e: LogEntry): void => {
      out.write(json ? JSON.stringify(entryInfo(e)) + '\n' : formatEntry(e, withArgs));
      shown++;
    };
    const range = { ...(filter.from !== undefined ? { from: filter.from } : {}), ...(filter.to !== undefined ? { to: filter.to } : {}) };
    for (const e of store.entries(range)) {
      if (!matches(e, filter)) continue;
      if (last === undefined) emit(e);
      else {
        ring.push(e);
        if (ring.length > last) ring.shift();
      }
    }
    for (const e of ring) emit(e);
    if (shown === 0 && !json) out.write('no matching entries\n');
  } finally {
    store.close();
  }
  return 0;
}

function auditFilter(args: ParsedArgs): AuditFilter {
  if (args.options.has('failed') && args.options.has('applied')) throw new UsageError('--failed and --applied exclude each other');
  const time = (name: string): number | undefined => {
    const v = strOption(args, name);
    if (v === undefined) return undefined;
    const ms = Date.parse(v);
    if (Number.isNaN(ms)) throw new UsageError(`--${name} expects an ISO-8601 time, got '${v}'`);
    return ms;
  };
  const pick = <K extends keyof AuditFilter>(key: K, value: AuditFilter[K] | undefined): Partial<AuditFilter> =>
    value === undefined ? {} : { [key]: value };
  return {
    ...pick('from', intOption(args, 'from')),
    ...pick('to', intOption(args, 'to')),
    ...pick('since', time('since')),
    ...pick('until', time('until')),
    ...pick('transport', strOption(args, 'transport')),
    ...pick('client', strOption(args, 'client')),
    ...pick('session', strOption(args, 'session')),
    ...pick('command', strOption(args, 'command')),
    ...pick('path', strOption(args, 'path')),
    ...pick('property', strOption(args, 'property')),
    ...pick('applied', args.options.has('failed') ? false : args.options.has('applied') ? true : undefined),
  };
}

function matches(e: LogEntry, f: AuditFilter): boolean {
  return (
    (f.since === undefined || e.time >= f.since) &&
    (f.until === undefined || e.time <= f.until) &&
    (f.transport === undefined || e.origin.transport === f.transport) &&
    (f.client === undefined || e.origin.client === f.client) &&
    (f.session === undefined || e.origin.session === f.session) &&
    (f.command === undefined || e.command === f.command) &&
    (f.applied === undefined || e.applied === f.applied) &&
    (f.path === undefined || aimedAt(e).some((p) => p === f.path || p.startsWith(`${f.path}/`))) &&
    (f.property === undefined || (e.command === 'qom-set' ? e.args['property'] === f.property : CREATES_BY_ID.has(e.command) && f.property in e.args))
  );
}

/** Where commands that name an object by id keep it. */
const BY_ID: Readonly<Record<string, (a: Record<string, unknown>) => string | undefined>> = {
  device_add: (a) => (typeof a['id'] === 'string' ? `/machine/peripheral/${a['id']}` : undefined),
  device_del: (a) => (typeof a['id'] === 'string' ? (a['id'].startsWith('/') ? a['id'] : `/machine/peripheral/${a['id']}`) : undefined),
  'object-add': (a) => `/objects/${String(a['id'])}`,
  'object-del': (a) => `/objects/${String(a['id'])}`,
  'chardev-add': (a) => `/chardevs/${String(a['id'])}`,
  'chardev-remove': (a) => `/chardevs/${String(a['id'])}`,
  'blockdev-add': (a) => `/blockdevs/${String(a['node-name'])}`,
  'blockdev-del': (a) => `/blockdevs/${String(a['node-name'])}`,
  'machine-set': () => '/machine',
};
const CREATES_BY_ID = new Set(['device_add', 'object-add', 'chardev-add', 'blockdev-add', 'machine-set']);

/** The QOM paths an entry's command acts on: a `path` argument, or the object its id names. */
function aimedAt(e: LogEntry): string[] {
  const out: string[] = [];
  if (typeof e.args['path'] === 'string') out.push(e.args['path']);
  const byId = BY_ID[e.command]?.(e.args);
  if (byId) out.push(byId);
  return out;
}

/** One entry as an audit line: seq, time, origin, command, outcome (and arguments when asked). */
export function formatEntry(e: LogEntry, withArgs: boolean): string {
  const o = e.origin;
  const origin = [
    o.transport,
    o.endpoint,
    o.client !== undefined ? `client=${o.client}` : undefined,
    o.peer !== undefined ? `peer=${o.peer}` : undefined,
    o.identity !== undefined ? `identity=${o.identity}` : undefined,
    o.readOnly ? 'read-only' : undefined,
    o.session !== undefined ? `session=${o.session}` : undefined,
    o.position !== undefined ? `at ${o.position}` : undefined,
  ]
    .filter((x) => x !== undefined)
    .join(' ');
  const outcome = e.applied ? 'ok' : `error ${e.error?.class ?? 'GenericError'}: ${e.error?.desc ?? ''}`;
  const args = withArgs ? `  ${JSON.stringify(e.args)}` : '';
  return `${String(e.seq).padStart(6)}  ${isoTime(e.time)}  ${origin}  ${e.command}${args}  ${outcome}\n`;
}

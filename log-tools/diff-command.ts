import type { Kernel } from '../kernel/kernel.js';
import { canonicalJson } from '../kernel/canonical-json.js';
import { replayLog } from '../kernel/log/replay.js';
import { SqliteLogStore } from '../kernel/log/sqlite-log-store.js';
import type { Plugin } from '../kernel/plugin.js';
import { UsageError, parseArgs } from './args.js';
import { toolIo, type LogToolDeps } from './io.js';
import { replayKernel } from './replay-kernel.js';

/** `vmledger log diff --help`. */
export const DIFF_HELP = `Usage: vmledger log diff <A>[@SEQ|@TIME] <B>[@SEQ|@TIME] [--json]

Rebuilds two configurations, each from a command log (the same log or two),
after entry SEQ or as it stood at TIME (ISO-8601: the last entry recorded
at or before it), by default after the last entry, and prints what differs:
objects only in one, their type, whether they are realized, each property,
and where the machine placed them (addresses, interrupt lines); then the
phase.

  - PATH (TYPE)              only in A
  + PATH (TYPE)              only in B
  ~ PATH: WHAT: VALUE-IN-A -> VALUE-IN-B

Options:
  --json       the differences as one JSON object
  -h, --help   show this help

Exit status 0 when the configurations are the same, 1 when they differ,
2 on a usage or I/O error (as diff(1)).
`;

/** One side: a log and where in it. */
interface Side {
  readonly path: string;
  readonly seq?: number;
  readonly time?: number;
}

/** `LOG`, `LOG@SEQ` or `LOG@TIME`; a suffix that is neither belongs to the file name. */
function parseSide(text: string): Side {
  const at = text.lastIndexOf('@');
  if (at > 0) {
    const suffix = text.slice(at + 1);
    if (/^\d+$/.test(suffix)) return { path: text.slice(0, at), seq: Number(suffix) };
    const ms = /^\d{4}-\d\d-\d\d/.test(suffix) ? Date.parse(suffix) : NaN;
    if (!Number.isNaN(ms)) return { path: text.slice(0, at), time: ms };
  }
  return { path: text };
}

/** What the guest and the tools see of one object. */
interface ObjectView {
  readonly type: string;
  readonly realized: boolean;
  readonly props: Readonly<Record<string, unknown>>;
  readonly placement: unknown;
}

/** A configuration rebuilt from a log: its objects by path, and its phase. */
interface Configuration {
  readonly objects: Map<string, ObjectView>;
  readonly phase: string;
  readonly seq: number;
}

async function rebuild(side: Side, plugins: readonly Plugin[]): Promise<Configuration> {
  const store = SqliteLogStore.open(side.path, { readonly: true });
  let kernel: Kernel | undefined;
  try {
    let to = side.seq;
    if (side.time !== undefined) {
      to = 0;
      for (const e of store.entries()) {
        if (e.time > side.time) break;
        to = e.seq;
      }
    }
    if (to !== undefined && to > store.lastSeq) throw new UsageError(`${side.path}@${to}: the log has ${store.lastSeq} entries`);
    kernel = await replayKernel(store, plugins);
    const result = await replayLog(store, kernel, to === undefined ? {} : { to });
    if (result.mismatch) throw new Error(`${side.path}: replay diverged at entry ${result.mismatch.seq} (${result.mismatch.command}); 'vmledger log replay ${side.path}' says how`);
    const objects = new Map<string, ObjectView>();
    for (const o of kernel.objects.walk()) objects.set(o.path, { type: o.type, realized: o.realized, props: o.values(), placement: o.placement });
    return { objects, phase: kernel.phase, seq: to ?? store.lastSeq };
  } finally {
    store.close();
    await kernel?.close();
  }
}

/** One difference of an object present on both sides. */
interface Change {
  readonly path: string;
  /** `type`, `realized`, `placement`, or `property NAME`. */
  readonly what: string;
  readonly a: unknown;
  readonly b: unknown;
}

/** The differences between two configurations. */
export interface ConfigurationDiff {
  readonly same: boolean;
  readonly removed: Array<{ path: string; type: string }>;
  readonly added: Array<{ path: string; type: string }>;
  readonly changed: Change[];
  readonly phase?: { readonly a: string; readonly b: string };
}

const same = (x: unknown, y: unknown): boolean => canonicalJson(x ?? null) === canonicalJson(y ?? null);

function compare(a: Configuration, b: Configuration): ConfigurationDiff {
  const removed = [...a.objects].filter(([p]) => !b.objects.has(p)).map(([path, o]) => ({ path, type: o.type }));
  const added = [...b.objects].filter(([p]) => !a.objects.has(p)).map(([path, o]) => ({ path, type: o.type }));
  const changed: Change[] = [];
  for (const [path, x] of a.objects) {
    const y = b.objects.get(path);
    if (!y) continue;
    if (x.type !== y.type) changed.push({ path, what: 'type', a: x.type, b: y.type });
    if (x.realized !== y.realized) changed.push({ path, what: 'realized', a: x.realized, b: y.realized });
    for (const name of new Set([...Object.keys(x.props), ...Object.keys(y.props)]))
      if (!same(x.props[name], y.props[name])) changed.push({ path, what: `property ${name}`, a: x.props[name], b: y.props[name] });
    if (!same(x.placement, y.placement)) changed.push({ path, what: 'placement', a: x.placement, b: y.placement });
  }
  const phase = a.phase === b.phase ? undefined : { a: a.phase, b: b.phase };
  return { same: !removed.length && !added.length && !changed.length && !phase, removed, added, changed, ...(phase ? { phase } : {}) };
}

const show = (v: unknown): string => (v === undefined ? '(unset)' : canonicalJson(v));

/** `vmledger log diff A[@SEQ|@TIME] B[@SEQ|@TIME]`: exit 0 same, 1 different. */
export async function runDiff(argv: readonly string[], deps: LogToolDeps): Promise<number> {
  const { out } = toolIo(deps);
  const args = parseArgs(argv, [], ['json', 'help']);
  if (args.options.has('help')) {
    out.write(DIFF_HELP);
    return 0;
  }
  if (args.positional.length !== 2) throw new UsageError(`diff takes two logs (each LOG, LOG@SEQ or LOG@TIME), got ${args.positional.length}`);
  const [a, b] = await Promise.all(args.positional.map((p) => rebuild(parseSide(p), deps.plugins)));
  const diff = compare(a!, b!);
  if (args.options.has('json')) {
    out.write(JSON.stringify(diff, null, 2) + '\n');
    return diff.same ? 0 : 1;
  }
  for (const o of diff.removed) out.write(`- ${o.path} (${o.type})\n`);
  for (const o of diff.added) out.write(`+ ${o.path} (${o.type})\n`);
  for (const c of diff.changed) out.write(`~ ${c.path}: ${c.what}: ${show(c.a)} -> ${show(c.b)}\n`);
  if (diff.phase) out.write(`phase: ${diff.phase.a} -> ${diff.phase.b}\n`);
  if (diff.same) out.write(`same configuration (${args.positional[0]} through entry ${a!.seq}, ${args.positional[1]} through entry ${b!.seq})\n`);
  return diff.same ? 0 : 1;
}

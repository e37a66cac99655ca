import { replayKernel } from './replay-kernel.js';
import { replayLog, type ReplayResult } from '../kernel/log/replay.js';
import { SqliteLogStore } from '../kernel/log/sqlite-log-store.js';
import { PHASES, type Phase } from '../kernel/phase.js';
import { UsageError, intOption, logPath, parseArgs, strOption } from './args.js';
import { headerDifferences } from './header-diff.js';
import { toolIo, type LogToolDeps, type Output } from './io.js';

/** `vmledger log replay --help`. */
export const REPLAY_HELP = `Usage: vmledger log replay <db> [--to SEQ] [--until-phase PHASE] [--json]

Rebuilds the configuration recorded in the command log <db> in a fresh kernel
with the current plugin set: every applied change command is executed again
in order (origin 'replay'), and the state hash after each must equal the
logged one. No guest is started and no host socket is opened.

Prints the resulting phase and object tree; on a mismatch, names the first
diverging entry and exits 1.

Options:
  --to SEQ              stop after entry SEQ
  --until-phase PHASE   stop once the configuration reaches PHASE
                        (${PHASES.join(', ')})
  --json                print the result as JSON
  -h, --help            show this help
`;

/** `vmledger log replay <db>`: rebuilds and prints the configuration; exit 0 when every hash matched, 1 on a mismatch. */
export async function runReplay(argv: readonly string[], deps: LogToolDeps): Promise<number> {
  const { out, err } = toolIo(deps);
  const args = parseArgs(argv, ['to', 'until-phase'], ['json', 'help']);
  if (args.options.has('help')) {
    out.write(REPLAY_HELP);
    return 0;
  }
  const path = logPath(args, 'replay');
  const to = intOption(args, 'to');
  const untilPhase = strOption(args, 'until-phase');
  if (untilPhase !== undefined && !(PHASES as readonly string[]).includes(untilPhase)) {
    throw new UsageError(`--until-phase expects one of ${PHASES.join(', ')}, got '${untilPhase}'`);
  }
  const json = args.options.has('json');

  const store = SqliteLogStore.open(path, { readonly: true });
  const kernel = await replayKernel(store, deps.plugins).catch((e: unknown) => {
    store.close();
    throw e;
  });
  let result: ReplayResult;
  try {
    const header = store.header();
    if (header) for (const d of headerDifferences(header, kernel.loadedPlugins())) err.write(`warning: ${d}\n`);
    const progress = err.isTTY && !json ? progressReporter(err) : undefined;
    result = await replayLog(store, kernel, {
      ...(to !== undefined ? { to } : {}),
      ...(untilPhase !== undefined ? { untilPhase: untilPhase as Phase } : {}),
      ...(progress ? { onProgress: progress.report } : {}),
    });
    progress?.done();
  } finally {
    store.close();
  }
  try {
    const objects = [...kernel.objects.walk()].map((o) => ({ path: o.path, type: o.type, realized: o.realized, props: o.values() }));
    if (json) {
      out.write(JSON.stringify({ ...result, phase: kernel.phase, stateHash: kernel.stateHash(), objects }, null, 2) + '\n');
    } else {
      const m = result.mismatch;
      if (m) {
        const what = m.error ? `failed with ${m.error.class}: ${m.error.desc}` : `left state hash ${m.actual}, the log recorded ${m.expected}`;
        err.write(`replay diverged at entry ${m.seq} (${m.command}): ${what}\n`);
        // A failed command was rolled back; one that ran but hashed differently is in the tree.
        err.write(m.error ? `the configuration below is the state before entry ${m.seq}\n` : `the configuration below is the state after entry ${m.seq}, as this program rebuilt it\n`);
      }
      out.write(`replayed ${result.executed} change${result.executed === 1 ? '' : 's'} (${result.skipped} entries skipped) through entry ${result.lastSeq} of ${path}\n`);
      out.write(`phase: ${kernel.phase}\n`);
      out.write(`state hash: ${kernel.stateHash()}\n`);
      out.write(`objects:\n`);
      for (const o of objects) out.write(formatObject(o));
    }
  } finally {
    await kernel.close();
  }
  return result.ok ? 0 : 1;
}

/** One object of the tree as an indented line, then its properties. */
function formatObject(o: { path: string; type: string; realized: boolean; props: Readonly<Record<string, unknown>> }): string {
  const depth = o.path.split('/').length - 2;
  const pad = '  '.repeat(depth + 1);
  const props = Object.entries(o.props)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${pad}${o.path} (${o.type}${o.realized ? ', realized' : ''})${props ? `  ${props}` : ''}\n`;
}

/** A one-line progress indicator rewritten in place on a terminal. */
function progressReporter(err: Output): { report: (p: { seq: number; lastSeq: number }) => void; done: () => void } {
  let shown = false;
  return {
    report: ({ seq, lastSeq }) => {
      shown = true;
      const pct = lastSeq > 0 ? Math.floor((seq / lastSeq) * 100) : 100;
      err.write(`\rreplaying: entry ${seq} of ${lastSeq} (${pct}%)`);
    },
    done: () => {
      if (shown) err.write('\r\x1b[K');
    },
  };
}

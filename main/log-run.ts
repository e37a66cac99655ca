/**
 * `vmledger log run LOG`: boots the machine a command log describes, so a
 * bug report's log runs the same VM elsewhere. The log must verify; its
 * configuration is rebuilt entry by entry in a live kernel, each state hash
 * checked against the logged one; the options after the log then run as a
 * command line (monitors, a serial console, `-S`); then the guest starts and
 * the commands recorded while it ran (hot-plug, qom-set, stop/cont,
 * system_reset) are applied in their order.
 */
import { runCommandLine, scanSettings, type CliSettings } from '../transports/cli/index.js';
import { SqliteLogStore } from '../kernel/log/sqlite-log-store.js';
import type { LogEntry } from '../kernel/log/log-entry.js';
import { verifyLog } from '../kernel/log/verify.js';
import { stateHashFormatOf, type Kernel } from '../kernel/index.js';
import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../log-tools/args.js';
import { extractFiles } from '../log-tools/bundle.js';
import { fileDifferences } from '../log-tools/header-diff.js';

export const LOG_RUN_HELP = `Usage: vmledger log run LOG [--to SEQ] [--root DIR] [--allow-changed-files] [OPTIONS...]

Boots the VM the command log LOG recorded. The log must verify; every
configuration change it records runs again in order, and the state hash
after each must equal the logged one (device placement included), else the
run stops and names the entry. OPTIONS are a vmledger command line that runs
next, before the guest starts: monitors (-qmp, -monitor), -log FILE for the
new run's own log, -S to wait in prelaunch. Then the guest starts, and the
commands that ran while the original guest ran (hot-plug, qom-set, stop,
cont, system_reset) are applied in their order, checked the same way.

How exact: a log records commands, not the guest's own steps. Commands the
original applied while its guest ran are applied here as soon as the guest
starts, in order; the guest may be at another point of its run when each
arrives. 'quit' is not applied: the run goes on until you end it.

A host file the log's header lists (firmware, kernel, initrd, a dtb) that is
missing or has another size or contents now stops the run before it starts.

Host paths the log's commands carry (firmware, kernel, disk images) are
opened as typed: relative ones under --root DIR, else, for a bundle made
with 'log bundle --with-files', under a folder holding its files, else the
working directory.

Options:
  --to SEQ               apply the log up to entry SEQ only (the guest
                         still starts unless OPTIONS hold -S)
  --root DIR             resolve relative host paths (of the log and of
                         OPTIONS) under DIR, as where the log was recorded
  --allow-changed-files  run even when a host file is missing or changed,
                         printing each difference as a warning
  -h, --help             show this help
`;

/** What `log run` was asked: the log, how far, and the command line to run after the configuration. */
export interface LogRunRequest {
  readonly log: string;
  readonly to?: number;
  readonly options: string[];
  readonly help: boolean;
  /** Run even when a host file the log referenced is missing or changed. */
  readonly allowChangedFiles?: boolean;
  /** Where relative host paths of the log's commands resolve (`--root DIR`); default: the working directory. */
  readonly root?: string;
}

const bundleRoots = new Map<string, string | undefined>();

/** Where a bundle's host files were put for this run (once per process; removed at exit), or undefined for a plain log. */
function bundleRoot(log: string): string | undefined {
  if (!bundleRoots.has(log)) {
    let root: string | undefined;
    try {
      root = extractFiles(log);
    } catch (e) {
      throw new UsageError(`log run: ${(e as Error).message}`);
    }
    if (root) process.on('exit', () => rmSync(root!, { recursive: true, force: true }));
    bundleRoots.set(log, root);
  }
  return bundleRoots.get(log);
}

/** `LOG [--to SEQ] [OPTIONS...]`: the log comes first; `--to` may appear anywhere; the rest is a command line. */
export function parseLogRun(argv: readonly string[]): LogRunRequest {
  if (argv.includes('--help') || argv.includes('-h')) return { log: '', options: [], help: true };
  const [log, ...rest] = argv;
  if (log === undefined || log.startsWith('-')) throw new UsageError(`which log? (${LOG_RUN_HELP.split('\n')[0]})`);
  const options: string[] = [];
  let to: number | undefined;
  let allowChangedFiles = false;
  let root: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--allow-changed-files') {
      allowChangedFiles = true;
      continue;
    }
    if (rest[i] === '--root') {
      root = rest[++i];
      if (root === undefined) throw new UsageError('option --root needs a directory');
      if (!existsSync(root)) throw new UsageError(`--root ${root}: No such file or directory`);
      root = resolve(root);
      continue;
    }
    if (rest[i] !== '--to') {
      options.push(rest[i]!);
      continue;
    }
    const v = rest[++i];
    if (v === undefined || !/^\d+$/.test(v)) throw new UsageError(`option --to expects a non-negative integer, got '${v ?? ''}'`);
    to = Number(v);
  }
  // A bundle's own files are the root unless the user names one.
  root ??= bundleRoot(resolve(log));
  return { log: resolve(log), ...(to !== undefined ? { to } : {}), ...(root !== undefined ? { root } : {}), options, help: false, allowChangedFiles };
}

/**
 * The entry point's settings for the run: the options' own (log, plugins,
 * monitors), with the log's state-hash format. The log is verified here,
 * before the new run's own log is created: a log that fails is refused
 * with nothing started.
 */
export function logRunSettings(argv: readonly string[]): CliSettings & { stateHashFormat?: number } {
  const request = parseLogRun(argv);
  if (request.help) return { ...scanSettings([]), help: true };
  const settings = scanSettings(request.options);
  if (settings.confine) throw new UsageError('--confine is not supported with log run');
  let store: SqliteLogStore;
  try {
    store = SqliteLogStore.open(request.log, { readonly: true });
  } catch (e) {
    throw new UsageError(`log run: ${(e as Error).message}`);
  }
  const check = verifyLog(store);
  if (!check.ok) {
    store.close();
    const p = check.problems[0]!;
    throw new Error(`log run: the log does not verify (${p.kind}${p.seq > 0 ? ` at entry ${p.seq}` : ''}: ${p.message}); 'vmledger log verify ${request.log}' names every problem`);
  }
  const header = store.header();
  const changed = header ? fileDifferences(header, request.root) : [];
  if (changed.length && !request.allowChangedFiles) {
    store.close();
    throw new Error(`log run: ${changed.join('; ')}; this would not be the logged machine (--allow-changed-files runs it anyway)`);
  }
  for (const c of changed) process.stderr.write(`vmledger: warning: ${c}\n`);
  try {
    return { ...settings, stateHashFormat: stateHashFormatOf(header) };
  } finally {
    store.close();
  }
}

/** Commands a run does not repeat: the original's exit, and reads. */
const NOT_REPEATED = new Set(['quit']);

/** The entries a run applies, in order: applied change commands up to `to`. */
function changes(log: string, to: number | undefined): LogEntry[] {
  const store = SqliteLogStore.open(log, { readonly: true });
  try {
    return [...store.entries(to === undefined ? {} : { to })].filter((e) => e.applied && e.kind === 'change' && !NOT_REPEATED.has(e.command));
  } finally {
    store.close();
  }
}

/** Runs one logged entry again and checks the state hash it leaves; throws a sentence naming the entry otherwise. */
async function apply(kernel: Kernel, e: LogEntry): Promise<void> {
  try {
    await kernel.execute(e.command, e.args, { transport: 'replay', client: String(e.seq) });
  } catch (err) {
    throw new Error(`entry ${e.seq} (${e.command}) failed when run again: ${(err as Error).message}`);
  }
  const hash = kernel.stateHash();
  if (hash !== e.stateHash) throw new Error(`entry ${e.seq} (${e.command}) left state hash ${hash}, the log recorded ${e.stateHash}: this run would not be the logged machine`);
}

/**
 * The runner `runVm` calls for `log run`: rebuilds, runs the options, starts
 * the guest and applies what ran while the original guest ran.
 */
export async function runFromLog(argv: readonly string[], kernel: Kernel): Promise<{ status: string; exitCode: number }> {
  const request = parseLogRun(argv);
  if (request.help) {
    process.stdout.write(LOG_RUN_HELP);
    return { status: 'done', exitCode: 0 };
  }
  const failed = (message: string) => (process.stderr.write(`vmledger: log run: ${message}\n`), { status: 'failed', exitCode: 1 });
  // The commands carry host paths as typed: relative ones resolve under the root, as they did where the log was recorded.
  if (request.root) process.chdir(request.root);
  const entries = changes(request.log, request.to);
  // The guest first started at the first `cont`, or at the first command that found it running.
  const start = entries.findIndex((e) => e.command === 'cont' || e.runStateBefore !== 'prelaunch');
  const configuration = start < 0 ? entries : entries.slice(0, start);
  const during = start < 0 ? [] : entries.slice(start);
  try {
    for (const e of configuration) await apply(kernel, e);
  } catch (e) {
    return failed((e as Error).message);
  }
  // The options run before the guest starts (their own trailing cont left out); -S among them keeps it in prelaunch.
  const line = await runCommandLine(['-S', ...request.options], kernel);
  if (line.status !== 'running' || scanSettings(request.options).freeze) return line;
  try {
    for (const e of during) await apply(kernel, e);
    if (kernel.runState === 'prelaunch') await kernel.execute('cont', {}, { transport: 'cli', position: 'log run' });
  } catch (e) {
    return failed((e as Error).message);
  }
  return { status: 'running', exitCode: 0 };
}

/**
 * The command line as a transport: what the entry point calls.
 *
 *   const settings = scanSettings(argv);            // plugins, log path: before the kernel exists
 *   const kernel = await createKernel({ plugins: [...defaults, ...loaded(settings.plugins)], log });
 *   const outcome = await runCommandLine(argv, kernel);
 *   if (outcome.status !== 'running') exit(outcome.exitCode);
 */
import type { Kernel } from '../../kernel/kernel.js';
import { MACHINE_PATH } from '../../kernel/machine-lifecycle.js';
import { formatConfigFile, formatQmpLines, itemsOf } from '../config/index.js';
import { expandArgv, scanSettings, type Expansion, type ExpansionEnv } from './expand.js';
import { feedSteps } from './feed.js';
import { helpText, optionsHelp } from './help.js';
import { HelpRequest, type CliSettings } from './option-spec.js';
import { TransportError, type Step } from '../feed/step.js';

export { expandArgv, scanSettings, optionPosition, type Expansion, type ExpansionEnv } from './expand.js';
export { feedSteps, describeOrigin, type FeedTarget } from './feed.js';
export { parseKeyval, formatKeyval, KeyvalError, type KeyvalObject, type KeyvalValue } from '../feed/keyval.js';
export { coerceArgs, coerceValue, coerceLoose, argumentSchemas, parseSize, parseBool, parseInteger, type CoerceContext } from '../feed/coerce.js';
export { OPTIONS, SANDBOX_COMMAND, findOption } from './options.js';
export { helpText, optionsHelp } from './help.js';
export { HelpRequest, defaultSettings, type CliSettings, type OptionSpec } from './option-spec.js';
export { chardevDrafts } from '../feed/chardev-spec.js';
export { TransportError, type Step, type Draft } from '../feed/step.js';

/** Where the command line writes: stdout for help and expansions, stderr for errors. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Base for relative paths in `-readconfig` (default: the process's working directory). */
  readonly cwd?: string;
}

/** The process's own streams. */
export const processIo: CliIo = {
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
};

/**
 * What happened: `running` (configured; the VM runs or waits for a monitor
 * until something asks it to exit), `done` (printed help or an expansion,
 * or a command of the line asked the program to exit; exit with
 * `exitCode`), `failed` (an option failed: nothing started;
 * exit with `exitCode`, non-zero).
 */
export interface CliOutcome {
  readonly status: 'running' | 'done' | 'failed';
  readonly exitCode: number;
  /** The commands the command line ran or would run. */
  readonly steps: readonly Step[];
  readonly settings?: CliSettings;
}

/** What expansion needs to know about a kernel. */
export function kernelEnv(kernel: Pick<Kernel, 'types' | 'registry' | 'phase' | 'objects'>, cwd?: string): ExpansionEnv {
  return {
    types: kernel.types,
    commands: kernel.registry.list(),
    phase: kernel.phase,
    machineType: kernel.objects.find(MACHINE_PATH)?.type,
    objectType: (path) => kernel.objects.find(path)?.type,
    cwd,
  };
}

/** Prints an expansion in the requested form. */
export function formatExpansion(expansion: Expansion): string {
  const items = itemsOf(expansion.steps);
  return expansion.settings.printExpansion === 'config' ? formatConfigFile(items) : formatQmpLines(items);
}

/**
 * Runs a command line against a kernel: expands the whole line first (any
 * syntax or type error stops it before a single command runs), then feeds
 * the commands left to right through the dispatcher; the first failure
 * stops the feed, names the option, and leaves the guest unstarted. On
 * success it marks the kernel configured, which resumes monitors the line
 * opened. `--help`, `-device help`, `-version` and `--print-expansion`
 * print and run nothing.
 */
export async function runCommandLine(argv: readonly string[], kernel: Kernel, io: CliIo = processIo): Promise<CliOutcome> {
  const fail = (e: unknown, steps: readonly Step[] = []): CliOutcome => {
    io.stderr(`vmledger: ${e instanceof Error ? e.message : String(e)}\n`);
    return { status: 'failed', exitCode: 1, steps };
  };
  let expansion: Expansion;
  try {
    const early = scanSettings(argv);
    if (early.help) return done(io, optionsHelp());
    if (early.version) return done(io, `${kernel.version.package}\n`);
    expansion = expandArgv(argv, kernelEnv(kernel, io.cwd));
  } catch (e) {
    if (e instanceof HelpRequest) return done(io, helpText(kernel.types, e.topic, e.typeName, e.topic === 'cpu' ? await cpuModels(kernel) : []) + '\n');
    if (e instanceof TransportError) return fail(e);
    return fail(e);
  }
  for (const w of expansion.settings.warnings) io.stderr(`vmledger: warning: ${w}\n`);
  if (expansion.settings.printExpansion) {
    io.stdout(formatExpansion(expansion));
    return { status: 'done', exitCode: 0, steps: expansion.steps, settings: expansion.settings };
  }
  let exitCode: number | undefined;
  try {
    exitCode = await feedConfiguration(expansion.steps, kernel);
  } catch (e) {
    return { ...fail(e, expansion.steps), settings: expansion.settings };
  }
  if (exitCode !== undefined) return { status: 'done', exitCode, steps: expansion.steps, settings: expansion.settings };
  return { status: 'running', exitCode: 0, steps: expansion.steps, settings: expansion.settings };
}

/**
 * Feeds a configuration (a command line, a rendered template) into the
 * kernel, then marks it configured so suspended monitors resume. A command
 * of the feed may ask the program to exit (`quit`; `dumpdtb`, which quits
 * once the blob is written, as QEMU's), or a signal may: the feed stops
 * there and the exit status is returned instead. A failing command throws a TransportError.
 */
export async function feedConfiguration(steps: readonly Step[], kernel: Kernel): Promise<number | undefined> {
  let exitCode: number | undefined;
  kernel.onExit((code) => (exitCode ??= code));
  try {
    await feedSteps(steps, kernel.host, () => exitCode !== undefined);
  } catch (e) {
    // A command cut short because the program is exiting (a signal while a socket waited for its client) is no failure of the line.
    if (exitCode === undefined) throw e;
  }
  if (exitCode === undefined) kernel.setConfigured();
  return exitCode;
}

/** The CPU models the plugins provide, from the same query management software uses (`-cpu help`). */
async function cpuModels(kernel: Kernel): Promise<string[]> {
  const models = (await kernel.execute('query-cpu-definitions', {}, { transport: 'cli' })) as Array<{ name: string }>;
  return models.map((m) => m.name);
}

function done(io: CliIo, text: string): CliOutcome {
  io.stdout(text.endsWith('\n') ? text : text + '\n');
  return { status: 'done', exitCode: 0, steps: [] };
}

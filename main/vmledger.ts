import { existsSync, renameSync } from 'node:fs';
import { resolve } from 'node:path';
import * as kernelApi from '../kernel/index.js';
import { createKernel, type Kernel, type Plugin } from '../kernel/index.js';
import { readLogKey } from '../kernel/log/log-key.js';
import { SqliteLogStore, type CheckpointOptions } from '../kernel/log/sqlite-log-store.js';
import { parseWitness, witnessListener } from '../kernel/log/witness.js';
import { runLogCommand } from '../log-tools/index.js';
import * as hwApi from '../plugins/hw/index.js';
import { runCommandLine, scanSettings, type CliSettings } from '../transports/cli/index.js';
import { runTemplateCommand, runUp } from '../transports/cli/up.js';
import { DEFAULT_PLUGINS } from './default-plugins.js';
import { confined, confinementFor, runConfined, type Confinement } from './confine.js';
import { runExport } from './export-command.js';
import { exitAfterOutput, VmLifetime } from './lifetime.js';
import { logRunSettings, runFromLog } from './log-run.js';
import { bundlePlugin, loadPlugin } from './plugin-loader.js';

/** Where the command log goes when `-log` is not given; earlier runs' logs are kept as `.1`, `.2`, ... (newest highest). */
const DEFAULT_LOG = 'vmledger.db';

const USAGE = `Usage:
  vmledger [options]                 configure and run a VM from a command line (see vmledger --help)
  vmledger up [TEMPLATE] [key=value] run a VM from a template, console.yaml by default (up TEMPLATE --help)
  vmledger template list|show|copy   the shipped templates
  vmledger log COMMAND DB            replay, verify, audit or prove a command log; keygen (vmledger log --help)
  vmledger log run DB [OPTIONS]      boot the VM a command log recorded (vmledger log run --help)
  vmledger export DB [--format F]    the configuration a log built, as a config file, command line or QMP script
`;

function fatal(message: string, detail?: unknown): never {
  process.stderr.write(`vmledger: ${message}\n`);
  if (detail && process.env.VMLEDGER_DEBUG) process.stderr.write(`${(detail as Error).stack ?? String(detail)}\n`);
  process.exit(1);
}

/** The default plugins plus every `--plugin` the user named. */
async function pluginSet(specs: readonly string[]): Promise<Plugin[]> {
  const modules = { vmledger: kernelApi, 'vmledger/hw': hwApi } as unknown as Record<string, Record<string, unknown>>;
  const extra: Plugin[] = [];
  for (const spec of specs) extra.push(await loadPlugin(spec, modules));
  return [...DEFAULT_PLUGINS, ...extra];
}

/** SQLite's companions of a database file. */
const LOG_COMPANIONS = ['-wal', '-shm', '-journal'];

/** `-log-key`, `-log-checkpoint`, `-log-witness`: checkpoints when any is given (signed with the key), or none. */
function checkpointOptions(settings: VmSettings): CheckpointOptions | undefined {
  if (settings.logKey === undefined && settings.logCheckpoint === undefined && !settings.logWitnesses?.length) return undefined;
  let key;
  try {
    key = settings.logKey === undefined ? undefined : readLogKey(settings.logKey);
  } catch (e) {
    fatal(`-log-key: ${(e as Error).message}`, e);
  }
  return { ...settings.logCheckpoint, ...(key ? { key } : {}) };
}

/** Where the command log goes: a named file that already holds a log is refused, so one log is one VM's history; the default file's earlier log is kept as `.N`, never overwritten. */
function logTarget(path: string | undefined): string {
  const target = path ?? DEFAULT_LOG;
  if (existsSync(target)) {
    if (path) fatal(`-log ${path}: the file already holds a log; choose a new file (one log records one VM)`);
    let n = 1;
    while (existsSync(`${target}.${n}`)) n++;
    renameSync(target, `${target}.${n}`);
    for (const suffix of ['-wal', '-shm']) if (existsSync(target + suffix)) renameSync(target + suffix, `${target}.${n}${suffix}`);
  }
  return target;
}

/** Opens the command log, with its checkpoints and witnesses. */
function openLog(settings: VmSettings): SqliteLogStore {
  const witnesses = (settings.logWitnesses ?? []).map((w) => {
    try {
      return parseWitness(w);
    } catch (e) {
      fatal(`-log-witness: ${(e as Error).message}`, e);
    }
  });
  const checkpoints = checkpointOptions(settings);
  // Absolute: the log's threads open it by path, and `log run --root` changes the working directory.
  const store = SqliteLogStore.open(resolve(logTarget(settings.logPath)), { sync: settings.logSync ?? 'normal', ...(checkpoints ? { checkpoints } : {}) });
  for (const w of witnesses) store.onCheckpoint(witnessListener(w));
  return store;
}

/**
 * `--confine`: computes what the command line may touch, then runs it again
 * under Node's permission model (main/confine.ts). The plugins are bundled
 * here and handed over as bundles; the log file is chosen here, so the
 * confined process needs no access to earlier logs.
 */
async function runConfinedVm(argv: string[], settings: VmSettings): Promise<never> {
  const modules = { vmledger: kernelApi, 'vmledger/hw': hwApi } as unknown as Record<string, Record<string, unknown>>;
  const bundles = new Map<string, string>();
  for (const spec of settings.plugins) bundles.set(spec, await bundlePlugin(spec, modules).catch((e) => fatal((e as Error).message, e)));
  const log = resolve(logTarget(settings.logPath));
  const childArgv = argv.map((a, i) => (['--plugin', '-plugin'].includes(argv[i - 1] ?? '') ? (bundles.get(a) ?? a) : a));
  if (!settings.logPath) childArgv.push('-log', log);
  const kernel = await createKernel({ plugins: await pluginSet([...bundles.values()]) }).catch((e) => fatal((e as Error).message, e));
  let confinement: Confinement;
  try {
    confinement = confinementFor(childArgv, kernel, [log, ...LOG_COMPANIONS.map((s) => log + s)], [...bundles.values()]);
  } catch (e) {
    fatal((e as Error).message, e);
  }
  await kernel.close();
  return runConfined(childArgv, confinement);
}

/**
 * A tool whose reader went away (`vmledger log audit DB | head`) stops at
 * once, silently, with the status of a process killed by SIGPIPE (141), as
 * Unix filters do: its output was not all delivered, so it did not succeed.
 * Node instead raised EPIPE as an unhandled error with a stack trace. Not
 * for a running VM, which must close its log whatever happens to stdout.
 */
function exitOnClosedPipe(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(128 + 13);
    fatal(`cannot write the output: ${e.message}`, e);
  });
}

/** Says on stderr when the log fails and what the VM does from then on (the COMMAND_LOG_ERROR event, for people). */
function reportLogFailure(kernel: Kernel): void {
  kernel.bus.events.subscribe((e) => {
    if (e.event !== 'COMMAND_LOG_ERROR') return;
    const { reason, action } = e.data as { reason: string; action: string };
    const now = action === 'stop' ? 'the guest is paused; changes are refused' : 'changes are refused';
    process.stderr.write(`vmledger: the command log could not be written (${reason}): the commands it could not record were undone; ${now} (stop and quit still work)\n`);
  });
}

/** How to leave a VM whose console is this terminal: QEMU's keys where it shares a mux with a monitor, Ctrl-C where the terminal keeps its signals. */
function howToLeave(kernel: Kernel): string | undefined {
  const stdio = kernel.objects.has('/chardevs') ? kernel.objects.children('/chardevs').find((c) => c.type === 'chardev-stdio') : undefined;
  if (!stdio) return undefined;
  const keys = [stdio.get('mux') === true ? 'Ctrl-A x quits, Ctrl-A h lists the keys' : undefined, stdio.get('signal') !== false ? 'Ctrl-C ends the VM' : undefined].filter(Boolean);
  return keys.length ? keys.join('; ') : undefined;
}

/** One short banner on stderr, so the console on stdout stays the guest's. */
async function banner(kernel: Kernel, logPath: string): Promise<void> {
  const monitors = (await kernel.execute('query-monitors', {}, { transport: 'cli' })) as Array<{ description: string }>;
  const machine = kernel.objects.find('/machine');
  const image = (machine?.get('firmware') ?? machine?.get('kernel') ?? 'the demo firmware') as string;
  const state = kernel.runState === 'running' ? `running ${image}` : `${kernel.runState} (${image})`;
  const qmp = monitors.map((m) => m.description).join(', ') || 'no monitor';
  const leave = howToLeave(kernel);
  process.stderr.write(`vmledger: ${machine?.type ?? 'no'} machine ${state}; ${qmp}; log ${logPath}${leave ? `; ${leave}` : ''}\n`);
}

type Runner = (argv: string[], kernel: Kernel) => Promise<{ status: string; exitCode: number }>;

/** What the entry point needs before a kernel exists. */
type VmSettings = Pick<CliSettings, 'plugins' | 'pidfile' | 'logPath' | 'logSync' | 'logQueries' | 'logOnError' | 'help' | 'version' | 'printExpansion' | 'remoteSockets' | 'confine'> &
  Partial<Pick<CliSettings, 'logKey' | 'logCheckpoint' | 'logWitnesses'>> & {
    /** `log run`: hash as the log being run does, so its state hashes can be checked (and the new log records the same format). */
    readonly stateHashFormat?: number;
  };

/** `up TEMPLATE key=value...` takes no options of its own beyond its flags: the template chooses everything. */
const upSettings = (argv: string[]): VmSettings => ({ plugins: [], help: argv.includes('--help'), version: false });

/** Shared by the command line and `up`: plugins, log, kernel, feed, then run until the machine asks to exit. */
async function runVm(argv: string[], run: Runner, scan: (argv: string[]) => VmSettings, quietBanner: boolean): Promise<void> {
  let settings: VmSettings;
  try {
    settings = scan(argv);
  } catch (e) {
    fatal((e as Error).message, e);
  }
  const printsOnly = settings.help || settings.version || settings.printExpansion !== undefined || argv.some((a) => a === 'help' || a === '?' || a.endsWith(',help') || a === '--help' || a.startsWith('--print') || a === '-dry-run');
  if (settings.confine && !printsOnly && !confined()) await runConfinedVm(argv, settings);
  const log = printsOnly ? undefined : openLog(settings);
  performance.mark('vmledger:log-opened');
  const plugins = await pluginSet(settings.plugins).catch((e) => fatal((e as Error).message, e));
  const kernel = await createKernel({
    plugins,
    log,
    logQueries: settings.logQueries,
    logOnError: settings.logOnError,
    remoteSockets: settings.remoteSockets,
    ...(settings.stateHashFormat !== undefined ? { stateHashFormat: settings.stateHashFormat } : {}),
  }).catch((e) =>
    fatal((e as Error).message, e),
  );
  performance.mark('vmledger:kernel-created');
  reportLogFailure(kernel);
  // From here a signal or the machine's own exit request ends the VM cleanly, even in the middle of the feed.
  const lifetime = new VmLifetime(kernel);
  if (settings.pidfile && !printsOnly) {
    try {
      lifetime.writePidfile(settings.pidfile);
    } catch (e) {
      process.stderr.write(`vmledger: ${(e as Error).message}\n`);
      return void (await lifetime.end(1));
    }
  }
  const outcome = await run(argv, kernel);
  performance.mark('vmledger:command-line-run');
  if (outcome.status !== 'running') return void (await lifetime.end(outcome.exitCode));
  const monitors = (await kernel.execute('query-monitors', {}, { transport: 'cli' })) as unknown[];
  if (!monitors.length && kernel.phase === 'no-machine') {
    process.stderr.write('vmledger: No machine specified, and there is no default (-machine help lists them; or add -qmp or -monitor to choose one there)\n');
    return void (await lifetime.end(1));
  }
  if (!monitors.length && kernel.runState === 'prelaunch')
    process.stderr.write('vmledger: -S without a monitor: nothing can start the guest; the VM waits until a signal ends it (add -qmp or -monitor to drive it)\n');
  kernel.syncHeader();
  if (!quietBanner) await banner(kernel, settings.logPath ?? DEFAULT_LOG);
  lifetime.hold();
  // Not before the first prompt: the command line committed its commands directly.
  setImmediate(() => log?.prepareWriter());
}

/** `vmledger export DB [--format F] [--to SEQ]`: the configuration of a log, in any of the ways to configure (main/export-command.ts). */
async function exportCommand(argv: string[]): Promise<void> {
  exitOnClosedPipe();
  const specs = argv.filter((_, i) => argv[i - 1] === '--plugin');
  const plugins = await pluginSet(specs).catch((e) => fatal((e as Error).message, e));
  const write = (stream: NodeJS.WriteStream) => (text: string) => void stream.write(text);
  await exitAfterOutput(await runExport(argv, plugins, write(process.stdout), write(process.stderr)));
}

async function templateCommand(argv: string[]): Promise<void> {
  await exitAfterOutput(await runTemplateCommand(argv));
}

async function logCommand(argv: string[]): Promise<void> {
  // `log run` boots a VM: the entry point's own machinery (log, monitors, signals), not a log tool's.
  if (argv[0] === 'run') return runVm(argv.slice(1), (a, k) => runFromLog(a, k), logRunSettings, false);
  exitOnClosedPipe();
  const specs: string[] = [];
  const rest = argv.filter((a, i) => {
    if (a === '--plugin' || a === '-plugin') return !specs.push(argv[i + 1]) && false;
    return argv[i - 1] !== '--plugin' && argv[i - 1] !== '-plugin';
  });
  const plugins = await pluginSet(specs).catch((e) => fatal((e as Error).message, e));
  await exitAfterOutput(await runLogCommand(rest, { plugins }));
}

/** Subcommands as a table: the first word picks one, anything else is a command line. */
const SUBCOMMANDS: Record<string, (argv: string[]) => Promise<void>> = {
  log: logCommand,
  export: exportCommand,
  template: templateCommand,
  up: (argv) => runVm(argv, (a, k) => runUp(a, k), upSettings, false),
};

async function main(argv: string[]): Promise<void> {
  // Start-up steps as performance marks, which bench/cli-startup.ts reads to show where the time to the QMP greeting goes.
  performance.mark('vmledger:main');
  if (argv[0] === 'help' || (argv.length === 1 && argv[0] === '-h')) {
    process.stdout.write(USAGE);
    return;
  }
  const sub = SUBCOMMANDS[argv[0]];
  await (sub ? sub(argv.slice(1)) : runVm(argv, (a, k) => runCommandLine(a, k), scanSettings, true));
}

main(process.argv.slice(2)).catch((e) => fatal((e as Error).message, e));

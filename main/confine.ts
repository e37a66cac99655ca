/**
 * `--confine`: runs the program again under Node's permission model, so
 * the process itself can open only the files its configuration names,
 * whatever code asks: a second wall behind the broker, for the day a bug
 * (ours or a plugin's) opens a file without asking it.
 *
 * The set is computed from the command line before the VM starts: the
 * program's own files, the plugins (bundled first, so the confined process
 * starts no esbuild), the config files it reads, every host path its
 * commands name (found by the `t.host` marks of the schema, with the
 * properties of the objects they create), the defaults of marked
 * properties, the sandbox's `allow-paths`, and the command log (whose
 * folder is readable: SQLite's binding checks that it exists, and Node
 * grants a folder only with everything in it, so a log in its own folder
 * keeps the set tight).
 * Worker threads (the log's writer) and the SQLite addon are allowed;
 * child processes are not. Node 20's model is not a sandbox against
 * hostile code, and it follows symlinks without checking where they lead
 * (the broker's realpath check covers that); see docs/security.md.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostValues, isWithin, realHostPath, socketBindName, type HostValue, type Kernel } from '../kernel/index.js';
import { argumentSchemas, expandArgv, kernelEnv, SANDBOX_COMMAND, type Step } from '../transports/cli/index.js';

/** What a confined process may read and write. */
export interface Confinement {
  readonly read: readonly string[];
  readonly write: readonly string[];
}

/**
 * The paths without those inside another one: a folder grants all it holds,
 * and Node 20 refuses the folder itself when a path inside it is granted too.
 */
function outermost(paths: readonly string[]): string[] {
  const sorted = [...new Set(paths)].sort();
  return sorted.filter((p) => !sorted.some((q) => q !== p && isWithin(p, q)));
}

/** Node 20.20's flags for the permission model (`--permission` arrived later); one flag per path, since a path may hold a comma. */
export function permissionFlags(c: Confinement): string[] {
  return [
    '--experimental-permission',
    ...outermost(c.read).map((p) => `--allow-fs-read=${p}`),
    ...outermost(c.write).map((p) => `--allow-fs-write=${p}`),
    // The command log's writer is a worker thread, and better-sqlite3 a native addon.
    '--allow-worker',
    '--allow-addons',
  ];
}

/** Whether this process already runs under the permission model (the confined child). */
export function confined(): boolean {
  return (process as { permission?: unknown }).permission !== undefined;
}

/** The folder of the program's package: its bundle, its node_modules, the demo firmware. */
function programRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..');
}

/** Where a marked value leads on the host: paths to read, or to read and write; none for a TCP endpoint. */
function pathsOf(v: HostValue, cwd: string): { paths: string[]; write: boolean } {
  const socket = (p: string) => [p, socketBindName(resolve(cwd, p))];
  if (v.mark.resource === 'endpoint') return { paths: v.value.startsWith('unix:') ? socket(v.value.slice(5).split(',')[0]!) : [], write: true };
  if (v.mark.resource === 'socket') return { paths: socket(v.value), write: true };
  return { paths: [v.value], write: v.mark.access === 'rw' };
}

/** The host values one step names, by its command's schema and the properties of the object it creates. */
function stepValues(step: Step, kernel: Kernel): HostValue[] {
  const decl = kernel.registry.find(step.execute);
  if (!decl) return [];
  const schemaOf = argumentSchemas(step.execute, decl.args, step.arguments, { types: kernel.types });
  return Object.entries(step.arguments).flatMap(([k, v]) => hostValues(schemaOf(k), v, k));
}

/** The defaults of host-marked properties (an rng-random's /dev/urandom): objects created without them still open them. */
function markedDefaults(kernel: Kernel): HostValue[] {
  return kernel.types.list({}).flatMap((d) =>
    [...kernel.types.props(d.name).values()].flatMap((p) =>
      p.type.kind === 'str' && p.type.host && typeof p.default === 'string' ? [{ path: p.name, mark: p.type.host, value: p.default }] : [],
    ),
  );
}

/**
 * The read and write sets for a command line: expanded here exactly as the
 * confined process will expand it. `logFiles` are the command log and its
 * SQLite companions; `plugins` the bundled plugin files.
 */
export function confinementFor(argv: readonly string[], kernel: Kernel, logFiles: readonly string[], plugins: readonly string[], cwd = process.cwd()): Confinement {
  const { steps } = expandArgv(argv, kernelEnv(kernel, cwd));
  const read = new Set<string>([programRoot(), ...plugins]);
  const write = new Set<string>(logFiles);
  const both = (p: string) => {
    // Node compares the name it is given; the broker opens the resolved path: grant both.
    for (const q of new Set([resolve(cwd, p), realHostPath(resolve(cwd, p))])) {
      read.add(q);
      write.add(q);
    }
  };
  for (const [i, arg] of argv.entries()) if (['-readconfig', '-config', '--readconfig'].includes(arg) && argv[i + 1]) read.add(resolve(cwd, argv[i + 1]!));
  // -pidfile is a setting the entry point writes itself, not a command's host file.
  for (const [i, arg] of argv.entries()) if (arg === '-pidfile' && argv[i + 1]) both(argv[i + 1]!);
  for (const step of steps) {
    if (step.origin.transport === 'config' && step.origin.endpoint) read.add(step.origin.endpoint);
    if (step.execute === SANDBOX_COMMAND) for (const dir of (step.arguments['allow-paths'] as string[] | undefined) ?? []) both(dir);
    for (const v of stepValues(step, kernel)) {
      const { paths, write: writes } = pathsOf(v, cwd);
      for (const p of paths)
        if (writes) both(p);
        else for (const q of new Set([resolve(cwd, p), realHostPath(resolve(cwd, p))])) read.add(q);
    }
  }
  for (const v of markedDefaults(kernel)) read.add(v.value);
  for (const p of logFiles) read.add(p);
  // better-sqlite3 checks that the log's folder exists before opening it, and Node can grant a folder only with all it holds.
  if (logFiles[0]) read.add(dirname(logFiles[0]));
  return { read: [...read], write: [...write] };
}

/**
 * Runs `argv` again in a child Node process under the permission model and
 * exits with its status; signals are passed on, so Ctrl-C and `kill` reach
 * the VM as they would without confinement.
 */
export function runConfined(argv: readonly string[], confinement: Confinement): Promise<never> {
  const script = process.argv[1]!;
  // The warnings say what docs/security.md says; on every start they would bury the VM's own banner.
  const quiet = ['--disable-warning=ExperimentalWarning', '--disable-warning=SecurityWarning'];
  const child = spawn(process.execPath, [...process.execArgv, ...permissionFlags(confinement), ...quiet, script, ...argv], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
  return new Promise<never>(() => child.on('exit', (code, signal) => process.exit(code ?? 128 + (signal ? constants.signals[signal] : 1))));
}

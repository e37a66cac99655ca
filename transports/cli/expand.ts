/**
 * argv -> the ordered list of commands it means, each with its origin
 * (`{transport: 'cli', position: 'option 3 (-device)'}`). Nothing runs
 * here: the whole line is expanded, typed and checked before the first
 * command executes, and `--print-expansion` prints exactly this list.
 */
import type { CommandDecl } from '../../kernel/command.js';
import type { TypeRegistry } from '../../kernel/objects/type-registry.js';
import { PHASES, phaseIndex, type Phase } from '../../kernel/phase.js';
import type { ObjectSchema } from '../../kernel/schema/types.js';
import { loadConfigFile } from '../config/index.js';
import type { CoerceContext } from '../feed/coerce.js';
import { HelpRequest, defaultSettings, type CliSettings, type ExpandContext, type OptionSpec } from './option-spec.js';
import { findOption } from './options.js';
import { TransportError, type Step } from '../feed/step.js';

/** What expansion needs from a kernel: the registry (for typing) and where the kernel stands now. */
export interface ExpansionEnv {
  readonly types: TypeRegistry;
  readonly commands: readonly CommandDecl[];
  /** The kernel's phase before the first option (default `no-machine`). */
  readonly phase?: Phase;
  /** The machine type already live, if any. */
  readonly machineType?: string;
  /** The type of a live object, by QOM path. */
  readonly objectType?: (path: string) => string | undefined;
  /** Base for relative `-readconfig` paths (default: the process's working directory). */
  readonly cwd?: string;
}

/** The commands a command line runs, and the settings it chose. */
export interface Expansion {
  readonly steps: Step[];
  readonly settings: CliSettings;
}

/** One option occurrence in argv. */
interface Occurrence {
  readonly spec: OptionSpec;
  readonly name: string;
  readonly value: string;
  /** 1-based count of options, as error messages and origins say it. */
  readonly number: number;
}

/** `option 3 (-device)`. */
export function optionPosition(number: number, name: string): string {
  return `option ${number} (${name})`;
}

/** Splits argv into option occurrences; `--opt=value` is accepted for options that take a value and for `--print-expansion=FORMAT`. */
function occurrences(argv: readonly string[]): Occurrence[] {
  const out: Occurrence[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const number = out.length + 1;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = arg.startsWith('-') ? findOption(name) : undefined;
    if (!spec) {
      const problem = arg.startsWith('-') ? `unknown option '${name}' (see --help)` : `'${arg}' is not an option (options start with '-'; a disk is -hda ${arg})`;
      throw new TransportError(optionPosition(number, name), problem);
    }
    if (eq > 0) {
      out.push({ spec, name, value: arg.slice(eq + 1), number });
      continue;
    }
    if (spec.arg === undefined) {
      out.push({ spec, name, value: '', number });
      continue;
    }
    if (i + 1 >= argv.length) throw new TransportError(optionPosition(number, name), `requires an argument (${spec.arg})`);
    out.push({ spec, name, value: argv[++i]!, number });
  }
  return out;
}

/** How commands move the phase, so the expansion knows where each command will run. */
const PHASE_EFFECT: Readonly<Record<string, (args: Record<string, unknown>) => Phase>> = {
  'machine-set': () => 'machine-created',
  'until-phase': (a) => a['phase'] as Phase,
  'x-exit-preconfig': () => 'machine-ready',
  cont: () => 'machine-ready',
};

/** Where creation commands put their object, and its type: lets `qom-set` on it be typed before it exists. */
const CREATES: Readonly<Record<string, (a: Record<string, unknown>) => [string, string] | undefined>> = {
  'object-add': (a) => [`/objects/${String(a['id'])}`, String(a['qom-type'])],
  device_add: (a) => (a['id'] === undefined ? undefined : [`/machine/peripheral/${String(a['id'])}`, String(a['driver'])]),
  'machine-set': (a) => (a['type'] === undefined ? undefined : ['/machine', String(a['type'])]),
};

const later = (a: Phase, b: Phase): Phase => (phaseIndex(a) >= phaseIndex(b) ? a : b);

/**
 * The earliest phase a command may run in when `at` is too early for it, or
 * undefined when no advance is needed (or would not help).
 */
function phaseNeeded(decl: CommandDecl | undefined, at: Phase): Phase | undefined {
  if (!decl || decl.phases === 'any' || decl.phases.includes(at)) return undefined;
  const first = PHASES.find((p) => decl.phases.includes(p));
  return first && phaseIndex(first) > phaseIndex(at) ? first : undefined;
}

/**
 * Settings only (`-S`, `-plugin`, `-pidfile`, `-log`, `-log-sync`, `-log-queries`,
 * `-log-key`, `-log-checkpoint`, `-log-witness`, `-log-on-error`, `--print-expansion`,
 * `--help`, `-version`), read without a kernel: the entry point needs the
 * plugins and the log's settings before it can create one.
 */
export function scanSettings(argv: readonly string[]): CliSettings {
  const settings = defaultSettings();
  const cx = { settings } as ExpandContext;
  for (const o of occurrences(argv)) {
    if (SETTINGS_ONLY.has(o.spec.names[0]!)) o.spec.expand(o.value, cx);
    if (o.spec.names[0] === '--print-expansion' && o.value) settings.printExpansion = parseFormat(o.value, o);
  }
  return settings;
}

const SETTINGS_ONLY = new Set([
  '-S', '-plugin', '-pidfile', '-log', '-log-sync', '-log-queries', '-log-key', '-log-checkpoint', '-log-witness', '-log-on-error', '-allow-remote-sockets', '--confine',
  '--print-expansion', '--help', '-version',
]);

function parseFormat(value: string, o: Occurrence): CliSettings['printExpansion'] {
  if (value === 'qmp' || value === 'json') return 'qmp';
  if (value === 'config' || value === 'yaml') return 'config';
  throw new TransportError(optionPosition(o.number, o.name), `unknown format '${value}' (qmp or config)`);
}

/**
 * Expands a whole command line. Throws TransportError naming the option,
 * its position and the problem, or HelpRequest when an option asked for help.
 * Inserts `until-phase` where a command needs a later phase than the one
 * the options before it leave, and ends with `cont` unless `-S` was given
 * or no machine was chosen (then the VM waits in prelaunch for a monitor).
 */
export function expandArgv(argv: readonly string[], env: ExpansionEnv): Expansion {
  const settings = defaultSettings();
  const decls = new Map(env.commands.flatMap((d) => [d.name, ...(d.aliases ?? [])].map((n) => [n, d] as const)));
  const argsSchema = (command: string): ObjectSchema | undefined => decls.get(command)?.args;
  const created = new Map<string, string>();
  const coerce: CoerceContext = { types: env.types, machineType: env.machineType, pathType: (p) => created.get(p) ?? env.objectType?.(p) };
  const counters = new Map<string, number>();
  const steps: Step[] = [];
  let phase: Phase = env.phase ?? 'no-machine';

  const push = (step: Step): void => {
    // Without a machine nothing can advance: the command's own phase error is the clearer message.
    const need = phase === 'no-machine' ? undefined : phaseNeeded(decls.get(step.execute), phase);
    if (need) {
      steps.push({ execute: 'until-phase', arguments: { phase: need }, origin: step.origin });
      phase = need;
    }
    steps.push(step);
    const made = CREATES[step.execute]?.(step.arguments);
    if (made) created.set(made[0], made[1]);
    const effect = PHASE_EFFECT[step.execute];
    if (effect) phase = later(phase, effect(step.arguments));
  };

  for (const o of occurrences(argv)) {
    const position = optionPosition(o.number, o.name);
    const cx: ExpandContext = {
      types: env.types,
      argsSchema,
      coerce,
      settings,
      argv,
      cwd: env.cwd,
      position,
      next: (c) => {
        const n = counters.get(c) ?? 0;
        counters.set(c, n + 1);
        return n;
      },
      readConfig: (path) => loadConfigFile(path, { cwd: env.cwd, via: position, types: env.types, argsSchema, coerce }),
    };
    try {
      if (o.spec.names[0] === '--print-expansion' && o.value) settings.printExpansion = parseFormat(o.value, o);
      for (const d of o.spec.expand(o.value, cx)) push({ execute: d.execute, arguments: d.arguments, origin: d.origin ?? { transport: 'cli', position } });
    } catch (e) {
      if (e instanceof HelpRequest || e instanceof TransportError) throw e;
      throw new TransportError(position, e instanceof Error ? e.message : String(e));
    }
  }
  for (const step of settings.last) push(step);
  if (!settings.freeze && phaseIndex(phase) >= phaseIndex('machine-created'))
    push({ execute: 'cont', arguments: {}, origin: { transport: 'cli', position: 'end of command line' } });
  return { steps, settings };
}

/**
 * The shape of one command-line option and what its expansion may consult.
 * The options themselves are data in options.ts.
 */
import type { ObjectSchema } from '../../kernel/schema/types.js';
import type { TypeRegistry } from '../../kernel/objects/type-registry.js';
import type { CoerceContext } from '../feed/coerce.js';
import type { Draft, Step } from '../feed/step.js';

/** What the `help` sub-option asks to list. */
export type HelpTopic = 'device' | 'object' | 'machine' | 'chardev' | 'cpu' | 'options';

/** Raised by an option whose argument asks for help (`-device help`, `-device virtio-blk-device,help`). */
export class HelpRequest extends Error {
  override readonly name = 'HelpRequest';
  constructor(
    readonly topic: HelpTopic,
    readonly typeName?: string,
  ) {
    super(`help: ${topic}${typeName ? ` ${typeName}` : ''}`);
  }
}

/** Output forms of `--print-expansion`: QMP JSON lines, or an imperative config file. */
export type ExpansionFormat = 'qmp' | 'config';

/** Settings options that run no command: how the feed ends, what to load first, what to print. */
export interface CliSettings {
  /** `-S`: do not feed `cont` at the end. */
  freeze: boolean;
  /** `-plugin`/`--plugin`: loaded by the entry point before the kernel starts. */
  readonly plugins: string[];
  /** `-log FILE`: where the command log goes. */
  logPath?: string;
  /** `-log-sync full`: commits survive power loss, not only a crash of the process. */
  logSync?: 'normal' | 'full';
  /** `-log-queries`: record queries too, not only changes. */
  logQueries?: boolean;
  /** `-allow-remote-sockets`: sockets may reach beyond loopback. */
  remoteSockets?: boolean;
  /** `--confine`: the entry point re-runs the program under Node's permission model. */
  confine?: boolean;
  /** `-log-key FILE`: the Ed25519 private key that signs the log's checkpoints and seal. */
  logKey?: string;
  /** `-log-checkpoint entries=N,seconds=S`: how often the log is checkpointed. */
  logCheckpoint?: { entries?: number; seconds?: number };
  /** `-log-witness stderr|file:PATH`: where copies of the checkpoints go (repeatable). */
  readonly logWitnesses: string[];
  /** `-log-on-error stop`: pause the guest too when the log cannot be written. */
  logOnError?: 'stop' | 'refuse-changes';
  /** `--print-expansion` / `-dry-run`: print the commands, run nothing. */
  printExpansion?: ExpansionFormat;
  /** `--help` / `-h`. */
  help: boolean;
  /** `-version` / `--version`. */
  version: boolean;
  /** `-pidfile FILE`: the entry point writes the process id there and removes it at exit. */
  pidfile?: string;
  /** What the command line means differently from QEMU without refusing it (`accel=kvm:tcg` falls back to tcg): printed once, before anything runs. */
  readonly warnings: string[];
  /** Commands that run once every other option has, before the final `cont` (`-loadvm`, `-incoming`: QEMU applies them to the built machine). */
  readonly last: Step[];
}

/** A fresh settings record. */
export function defaultSettings(): CliSettings {
  return { freeze: false, plugins: [], logWitnesses: [], help: false, version: false, warnings: [], last: [] };
}

/** What an option's expansion can see: the registry for typing, the whole argv, counters, config loading. */
export interface ExpandContext {
  readonly types: TypeRegistry;
  /** The argument schema of a registered command, for typing keyval members. */
  argsSchema(command: string): ObjectSchema | undefined;
  readonly coerce: CoerceContext;
  readonly settings: CliSettings;
  /** Every argument, for options whose meaning depends on others (`-nographic` without `-serial`). */
  readonly argv: readonly string[];
  /** Next index of a numbered resource (`serial`, `drive`): 0, 1, 2... */
  next(counter: string): number;
  /** Loads an imperative config file into steps (for `-readconfig`), resolving its includes. */
  readConfig(path: string): Step[];
  /** Base for relative paths the command line names (default: the process's working directory). */
  readonly cwd?: string;
  /** `option 3 (-readconfig)`, for origins of what the option injects. */
  readonly position: string;
}

/** One option, as data: names, argument, documentation, and what it expands to. */
export interface OptionSpec {
  /** First name is canonical (`-machine`), the others are aliases (`-M`). */
  readonly names: readonly string[];
  /** Metavariable for help (`TYPE[,prop=value...]`); absent for flags. */
  readonly arg?: string;
  readonly doc: string;
  /** The commands the option becomes. May update `cx.settings` instead and return nothing. */
  expand(value: string, cx: ExpandContext): readonly Draft[];
}

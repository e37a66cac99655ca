/** A usage error: the command prints it with a pointer to `--help` and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Parsed command-line: positional arguments and `--name value` / `--flag` options. */
export interface ParsedArgs {
  readonly positional: string[];
  /** The last value of each option given. */
  readonly options: Map<string, string | true>;
  /** Every value of each valued option, for options that may be repeated. */
  readonly lists: Map<string, string[]>;
}

/**
 * Splits argv into positionals and options. `flags` take no value; every
 * other option in `valued` takes one (`--to 5` or `--to=5`). Anything else
 * starting with `--` is an error naming it.
 */
export function parseArgs(argv: readonly string[], valued: readonly string[], flags: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  const lists = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      if (arg === '-h') options.set('help', true);
      else positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (flags.includes(name)) {
      if (eq >= 0) throw new UsageError(`option --${name} takes no value`);
      options.set(name, true);
    } else if (valued.includes(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`option --${name} needs a value`);
      options.set(name, value);
      lists.set(name, [...(lists.get(name) ?? []), value]);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return { positional, options, lists };
}

/** A positive integer option (a sequence number, a count), or undefined when absent. */
export function intOption(args: ParsedArgs, name: string): number | undefined {
  const v = args.options.get(name);
  if (v === undefined) return undefined;
  if (v === true || !/^\d+$/.test(v)) throw new UsageError(`option --${name} expects a non-negative integer, got '${String(v)}'`);
  return Number(v);
}

/** A string option, or undefined when absent. */
export function strOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.options.get(name);
  return v === undefined || v === true ? undefined : v;
}

/** Every value given for an option that may be repeated. */
export function listOption(args: ParsedArgs, name: string): string[] {
  return args.lists.get(name) ?? [];
}

/** Exactly one positional argument: the log file. */
export function logPath(args: ParsedArgs, command: string): string {
  if (args.positional.length !== 1) throw new UsageError(`${command} takes exactly one log file, got ${args.positional.length}`);
  return args.positional[0]!;
}

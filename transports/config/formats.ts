/**
 * Writing a command list in each of the three forms users move between:
 * an imperative config file (YAML), a command line, and a QMP script. Each
 * output reads back (through the config loader, the command line, a QMP
 * client) into the same commands.
 */
import { yaml } from './libraries.js';
import { formatKeyval } from '../feed/keyval.js';
import type { Step } from '../feed/step.js';

/** A command without its origin: what export and print-expansion write. */
export interface CommandItem {
  readonly execute: string;
  readonly arguments: Record<string, unknown>;
  /** Printed as a comment in config output. */
  readonly note?: string;
}

/** Output forms: `commands` (a YAML config file), `cli` (a command line), `qmp` (JSON lines). */
export type ExportFormat = 'commands' | 'cli' | 'qmp';

/** Every output form, for validation and help. */
export const EXPORT_FORMATS: readonly ExportFormat[] = ['commands', 'cli', 'qmp'];

/** Steps as export items, their origin kept as a note. */
export function itemsOf(steps: readonly Step[]): CommandItem[] {
  return steps.map((s) => ({ execute: s.execute, arguments: s.arguments, note: s.origin.position }));
}

/** One QMP command per line: `{"execute":"device_add","arguments":{...}}`. */
export function formatQmpLines(items: readonly CommandItem[], withCapabilities = false): string {
  const lines = items.map((i) => JSON.stringify(Object.keys(i.arguments).length ? { execute: i.execute, arguments: i.arguments } : { execute: i.execute }));
  return (withCapabilities ? [JSON.stringify({ execute: 'qmp_capabilities' }), ...lines] : lines).join('\n') + '\n';
}

/** An imperative YAML config file the loader reads back, each entry preceded by its origin as a comment. */
export function formatConfigFile(items: readonly CommandItem[], header?: string): string {
  const out: string[] = header ? header.split('\n').map((l) => `# ${l}`) : [];
  for (const i of items) {
    if (i.note) out.push(`# ${i.note}`);
    out.push(`- execute: ${i.execute}`);
    if (Object.keys(i.arguments).length)
      out.push(`  arguments: ${yaml().stringify(i.arguments, { collectionStyle: 'flow', lineWidth: 0 }).trimEnd()}`);
  }
  return out.join('\n') + '\n';
}

/** A command's dedicated option and the key its first value is implied by, when it has one. */
const OPTION_FOR: Readonly<Record<string, { option: string; implied?: string }>> = {
  'machine-set': { option: '-machine', implied: 'type' },
  device_add: { option: '-device', implied: 'driver' },
  'object-add': { option: '-object', implied: 'qom-type' },
};

/** Writes one command as command-line arguments: its own option in keyval (or JSON) form, else `-execute`. */
function commandArgs(item: CommandItem): string[] {
  const { execute, arguments: args } = item;
  const own = OPTION_FOR[execute];
  if (own) {
    const kv = formatKeyval(args, own.implied);
    if (kv !== undefined && kv !== '') return [own.option, kv];
    return [own.option, JSON.stringify(args)];
  }
  if (execute === 'set-name' && typeof args['name'] === 'string' && Object.keys(args).length === 1 && !args['name'].includes('=') && !args['name'].startsWith('{'))
    return ['-name', args['name']];
  if (execute === 'global-set' && typeof args['driver'] === 'string' && typeof args['property'] === 'string') {
    const value = formatKeyval({ value: args['value'] });
    if (value !== undefined && !args['driver'].includes('.')) return ['-global', `${args['driver']}.${args['property']}=${value.slice('value='.length).replaceAll(',,', ',')}`];
  }
  // JSON, not keyval: members typed `any` would come back as strings from keyval.
  return ['-execute', JSON.stringify(Object.keys(args).length ? { execute, arguments: args } : { execute })];
}

/**
 * A command line that runs `items`. The command line feeds `cont` after its
 * last option itself, so a trailing `cont` is left out; without one, `-S`
 * keeps the guest from starting.
 */
export function formatArgv(items: readonly CommandItem[]): string[] {
  const last = items.at(-1);
  const endsWithCont = last?.execute === 'cont' && Object.keys(last.arguments).length === 0;
  const body = endsWithCont ? items.slice(0, -1) : items;
  return [...(endsWithCont ? [] : ['-S']), ...body.flatMap(commandArgs)];
}

/** Quotes an argument for a POSIX shell when it needs it. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** A command line as one shell-ready string, one option per line. */
export function formatCommandLine(argv: readonly string[], program = 'vmledger'): string {
  const parts: string[] = [program];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (a.startsWith('-') && next !== undefined && !next.startsWith('-')) {
      parts.push(`${a} ${shellQuote(next)}`);
      i++;
    } else parts.push(shellQuote(a));
  }
  return parts.join(' \\\n  ') + '\n';
}

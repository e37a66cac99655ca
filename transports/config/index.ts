/**
 * Config files and templates as a transport: what the entry point calls.
 *
 *   vmledger up [TEMPLATE] [key=value...] [--help] [--print-expansion[=config]] [-S]
 *       -> runUp(argv, kernel)         (kernel created by main with the default plugins)
 *   vmledger template list | show NAME | copy NAME [DEST]
 *       -> runTemplateCommand(argv)   (needs no kernel)
 */
import { copyFileSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kernel } from '../../kernel/kernel.js';
import { feedConfiguration, formatExpansion, kernelEnv, processIo, type CliIo, type CliOutcome, TransportError, type Step, defaultSettings } from '../cli/index.js';
import { loadConfigText } from './load.js';
import { parseAssignments, parseTemplate, renderTemplate, templateHelp, templateLineMap, type Template } from './template.js';

export { loadConfigFile, loadConfigText, configSyntax, MAX_INCLUDE_DEPTH, type LoadOptions } from './load.js';
export { planDescriptive, isDescriptive, REFERENCE_KEYS } from './planner.js';
export { parseTemplate, renderTemplate, templateHelp, templateLineMap, parseAssignments, type Template, type TemplateVariable } from './template.js';
export { exportConfig, canonicalCommands, renderExport, type ExportSource, type ExportableEntry } from './export.js';
export { formatArgv, formatCommandLine, formatConfigFile, formatQmpLines, itemsOf, EXPORT_FORMATS, type ExportFormat, type CommandItem } from './formats.js';
export { exportConfigPlugin, exportConfigCommand } from './export-plugin.js';

/** The template `npm start` runs when given nothing else. */
export const DEFAULT_TEMPLATE = 'console.yaml';

/**
 * Where the shipped templates are: next to this module in the source tree,
 * or (from the bundle in dist/) under transports/config/templates of the
 * package; `VMLEDGER_TEMPLATES` overrides both.
 */
export function templatesDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [process.env['VMLEDGER_TEMPLATES'], join(here, 'templates'), join(here, '..', 'transports', 'config', 'templates')];
  const found = candidates.find((d): d is string => !!d && existsSync(d));
  if (!found) throw new Error(`shipped templates not found (looked in ${candidates.filter(Boolean).join(', ')})`);
  return found;
}

/** The shipped template names (`console.yaml`, ...). */
export function listTemplates(): string[] {
  return readdirSync(templatesDir())
    .filter((f) => /\.(ya?ml|json5?)$/.test(f))
    .sort();
}

/** A template by path (when the file exists) or by shipped name, with or without `.yaml`. */
export function resolveTemplate(nameOrPath: string, cwd = process.cwd()): string {
  const direct = resolve(cwd, nameOrPath);
  if (existsSync(direct)) return direct;
  for (const name of [nameOrPath, `${nameOrPath}.yaml`]) {
    const shipped = join(templatesDir(), basename(name));
    if (basename(name) === name && existsSync(shipped)) return shipped;
  }
  throw new TransportError(nameOrPath, `no such template file, and no shipped template of that name (shipped: ${listTemplates().join(', ')})`);
}

/** Reads and parses a template by name or path. */
export function loadTemplate(nameOrPath: string, cwd?: string): { template: Template; path: string } {
  const path = resolveTemplate(nameOrPath, cwd);
  return { template: parseTemplate(readFileSync(path, 'utf8'), basename(path)), path };
}

/** Renders a template and loads the result as config steps (typed by the kernel's registry when given). */
export function templateSteps(nameOrPath: string, values: Record<string, string>, kernel?: Kernel, cwd?: string): Step[] {
  const { template, path } = loadTemplate(nameOrPath, cwd);
  const text = renderTemplate(template, values);
  const env = kernel ? kernelEnv(kernel, cwd) : undefined;
  const decls = new Map(kernel?.registry.list().map((d) => [d.name, d]));
  const opts = { cwd: dirname(path), ...(env ? { types: env.types, argsSchema: (c: string) => decls.get(c)?.args, coerce: { types: env.types } } : {}) };
  return loadConfigText(text, path, opts, templateLineMap(template, text));
}

/**
 * `vmledger up [TEMPLATE] key=value...`: renders the template (the default
 * one when the first argument is already a variable or a flag), then feeds the
 * resulting config through the dispatcher exactly as a command line would
 * (all or nothing, origin `config` with file positions). `--help` lists
 * the variables; `--print-expansion[=config]` prints the commands and runs
 * nothing; `-S` leaves out a final `cont` so the VM waits for a monitor.
 */
export async function runUp(argv: readonly string[], kernel: Kernel, io: CliIo = processIo): Promise<CliOutcome> {
  const fail = (e: unknown): CliOutcome => {
    io.stderr(`vmledger up: ${e instanceof Error ? e.message : String(e)}\n`);
    return { status: 'failed', exitCode: 1, steps: [] };
  };
  // A first argument that is a flag or a `key=value` is not a template name: the default template takes it.
  const named = argv[0] !== undefined && !argv[0].startsWith('-') && !argv[0].includes('=');
  const [name, rest] = named ? [argv[0]!, argv.slice(1)] : [DEFAULT_TEMPLATE, argv];
  const flags = rest.filter((a) => a.startsWith('-'));
  const settings = defaultSettings();
  try {
    for (const f of flags) {
      if (f === '--help' || f === '-h') {
        io.stdout(templateHelp(loadTemplate(name, io.cwd).template));
        return { status: 'done', exitCode: 0, steps: [] };
      }
      if (f === '-S') settings.freeze = true;
      else if (f === '--print-expansion' || f === '-dry-run' || f === '--print-expansion=qmp') settings.printExpansion = 'qmp';
      else if (f === '--print-expansion=config') settings.printExpansion = 'config';
      else throw new TransportError(`'${f}'`, 'unknown flag for up (--help, -S, --print-expansion[=config])');
    }
    let steps = templateSteps(name, parseAssignments(rest.filter((a) => !a.startsWith('-'))), kernel, io.cwd);
    if (settings.freeze) steps = steps.filter((s, i) => !(s.execute === 'cont' && i === steps.length - 1));
    if (settings.printExpansion) {
      io.stdout(formatExpansion({ steps, settings }));
      return { status: 'done', exitCode: 0, steps };
    }
    const exitCode = await feedConfiguration(steps, kernel);
    if (exitCode !== undefined) return { status: 'done', exitCode, steps, settings };
    return { status: 'running', exitCode: 0, steps, settings };
  } catch (e) {
    return fail(e);
  }
}

const TEMPLATE_HELP = `Usage: vmledger template list | show NAME | copy NAME [DEST]

  list              the shipped templates, with what each is for
  show NAME         print a template (front matter with its variables, then the commands)
  copy NAME [DEST]  copy a template to start your own; run it with vmledger up DEST key=value...
`;

/** `vmledger template list | show NAME | copy NAME [DEST]`: start your own template from ours. Returns the exit status. */
export async function runTemplateCommand(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [verb, name, dest] = argv;
  try {
    switch (verb) {
      case '--help':
      case '-h':
      case 'help':
        io.stdout(TEMPLATE_HELP);
        return 0;
      case 'list':
        for (const f of listTemplates()) io.stdout(`${f.padEnd(20)} ${loadTemplate(f).template.description}\n`);
        return 0;
      case 'show':
        if (!name) throw new TransportError('template show', 'which template? (vmledger template list)');
        io.stdout(readFileSync(resolveTemplate(name, io.cwd), 'utf8'));
        return 0;
      case 'copy': {
        if (!name) throw new TransportError('template copy', 'which template? (vmledger template list)');
        const from = resolveTemplate(name, io.cwd);
        const to = resolve(io.cwd ?? process.cwd(), dest ?? basename(from));
        if (existsSync(to)) throw new TransportError('template copy', `'${to}' exists; not overwriting it`);
        copyFileSync(from, to);
        io.stdout(`copied ${basename(from)} to ${to}\n`);
        return 0;
      }
      default:
        throw new TransportError('template', `unknown subcommand '${verb ?? ''}' (list, show NAME, copy NAME [DEST])`);
    }
  } catch (e) {
    io.stderr(`vmledger ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

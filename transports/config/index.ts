/**
 * Config files and templates: loading them into steps, the shipped
 * templates, and export. `vmledger up` and `vmledger template`, which feed
 * them like a command line, are the CLI's (transports/cli/up.ts).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kernel } from '../../kernel/kernel.js';
import { TransportError, type Step } from '../feed/step.js';
import { loadConfigText } from './load.js';
import { parseTemplate, renderTemplate, templateLineMap, type Template } from './template.js';

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
  const decls = new Map(kernel?.registry.list().map((d) => [d.name, d]));
  const opts = { cwd: dirname(path), ...(kernel ? { types: kernel.types, argsSchema: (c: string) => decls.get(c)?.args, coerce: { types: kernel.types } } : {}) };
  return loadConfigText(text, path, opts, templateLineMap(template, text));
}

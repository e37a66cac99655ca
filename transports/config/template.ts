/**
 * Templates: a short command line as a front end to a full config
 * (`vmledger up virtiovm.yaml root=disk.img data=scratch.img`). A template
 * is YAML front matter that declares its variables, then a nunjucks body
 * that renders to an imperative (or descriptive) config.
 *
 * ```
 * ---
 * description: A machine with a virtio root disk
 * variables:
 *   root: { required: true, doc: Root disk image }
 *   memory: { default: 256M, doc: Guest RAM }
 * ---
 * - execute: machine-set
 *   arguments: { type: virt, memory: {{ memory }} }
 * ```
 */
import { isReservedKey, plainDataProblem, reservedKeyProblem } from '../../kernel/plain-data.js';
import { nunjucks, once, yaml } from './libraries.js';
import { TransportError } from '../feed/step.js';

/** One declared variable. */
export interface TemplateVariable {
  readonly name: string;
  readonly default?: string;
  readonly required: boolean;
  readonly doc?: string;
}

/** A parsed template: its description, variables and unrendered body. */
export interface Template {
  readonly name: string;
  readonly description: string;
  readonly variables: readonly TemplateVariable[];
  readonly body: string;
  /** Line of the body's first line in the file, so render errors point into the file. */
  readonly bodyLine: number;
}

const FRONT = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*\r?\n/;

/** Splits and checks a template's front matter. Throws TransportError naming the file. */
export function parseTemplate(text: string, name: string): Template {
  const m = FRONT.exec(text);
  if (!m) throw new TransportError(`${name}:1:1`, "a template starts with front matter between '---' lines (description, variables)");
  let meta: { description?: unknown; variables?: unknown };
  try {
    meta = (yaml().parse(m[1]!) ?? {}) as typeof meta;
  } catch (e) {
    const pos = (e as { linePos?: Array<{ line: number; col: number }> }).linePos?.[0];
    throw new TransportError(`${name}:${(pos?.line ?? 0) + 1}:${pos?.col ?? 1}`, `front matter: ${(e as Error).message.split('\n')[0]}`);
  }
  const problem = plainDataProblem(meta);
  if (problem) throw new TransportError(`${name}:2:1`, `front matter: ${problem}`);
  const vars = (meta.variables ?? {}) as Record<string, { default?: unknown; required?: unknown; doc?: unknown } | null>;
  const variables = Object.entries(vars).map(([vname, v]) => ({
    name: vname,
    ...(v?.default !== undefined && v.default !== null ? { default: String(v.default) } : {}),
    required: v?.required === true,
    ...(typeof v?.doc === 'string' ? { doc: v.doc } : {}),
  }));
  return { name, description: String(meta.description ?? ''), variables, body: text.slice(m[0].length), bodyLine: m[0].split('\n').length };
}

/** Reads `key=value` arguments into variables. */
export function parseAssignments(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new TransportError(`'${a}'`, 'template variables are given as key=value');
    if (isReservedKey(a.slice(0, eq))) throw new TransportError(`'${a}'`, `template variable ${reservedKeyProblem(a.slice(0, eq))}`);
    out[a.slice(0, eq)] = a.slice(eq + 1);
  }
  return out;
}

/** Values as the body sees them: strings safe inside YAML flow and block scalars are left alone; others are quoted by `| q`. */
const environment = once(() => {
  const env = new (nunjucks().Environment)(null, { autoescape: false, throwOnUndefined: true, trimBlocks: true, lstripBlocks: true });
  env.addFilter('q', (v: unknown) => JSON.stringify(String(v)));
  return env;
});

/**
 * Renders a template with `values`: defaults fill what was not given, a
 * missing required variable or an unknown one is an error naming it.
 */
export function renderTemplate(tpl: Template, values: Record<string, string>): string {
  const known = new Set(tpl.variables.map((v) => v.name));
  for (const k of Object.keys(values))
    if (!known.has(k)) throw new TransportError(tpl.name, `unknown variable '${k}' (this template takes: ${[...known].join(', ') || 'none'})`);
  const ctx: Record<string, string | undefined> = {};
  for (const v of tpl.variables) {
    const value = values[v.name] ?? v.default;
    if (value === undefined && v.required) throw new TransportError(tpl.name, `missing required variable '${v.name}'${v.doc ? ` (${v.doc})` : ''}: give ${v.name}=...`);
    ctx[v.name] = value;
  }
  try {
    return environment().renderString(tpl.body, ctx);
  } catch (e) {
    const msg = (e as Error).message.replace(/\s+/g, ' ').trim();
    const line = /\[Line (\d+), Column (\d+)\]/.exec(msg);
    const where = line ? `${tpl.name}:${Number(line[1]) + tpl.bodyLine - 1}:${line[2]}` : tpl.name;
    throw new TransportError(where, `template: ${msg.replace(/^\(unknown path\)\s*/, '').replace(/\[Line \d+, Column \d+\]\s*/, '')}`);
  }
}

/** Template syntax in a line: output, tags, comments. */
const TEMPLATE_SYNTAX = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|\{#[\s\S]*?#\}/g;

/** A line that holds only tags and comments: with trimBlocks and lstripBlocks it renders to nothing. */
const TAGS_ONLY = /^\s*(?:(?:\{%[\s\S]*?%\}|\{#[\s\S]*?#\})\s*)+$/;

/** Matches what a template line can render to: its literal text, anything where `{{ }}` stood. */
function lineShape(line: string): RegExp | undefined {
  if (TAGS_ONLY.test(line)) return undefined;
  const literal = line.split(TEMPLATE_SYNTAX).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${literal.join('.*?')}$`);
}

/**
 * Maps a line of `rendered` (1-based) back to the template file's line, so
 * errors in the rendered config point into the file. Each rendered line is
 * matched, in order, to the next template line whose literal text it fits
 * (and, in a template with loops, to an earlier one when none further on
 * fits); a line none fits, such as one a multi-line value made, maps to nothing.
 */
export function templateLineMap(tpl: Template, rendered: string): (line: number) => number | undefined {
  const shapes = tpl.body.split('\n').map(lineShape);
  const loops = /\{%-?\s*for\b/.test(tpl.body);
  const map: Array<number | undefined> = [];
  let next = 0;
  for (const line of rendered.split('\n')) {
    const fits = (i: number) => shapes[i]?.test(line) === true;
    let found = shapes.findIndex((_, i) => i >= next && fits(i));
    if (found < 0 && loops) found = shapes.findIndex((_, i) => i < next && fits(i));
    map.push(found < 0 ? undefined : found + tpl.bodyLine);
    if (found >= 0) next = found + 1;
  }
  return (line) => map[line - 1];
}

/** `up TEMPLATE --help`: the template's variables with defaults and docs. */
export function templateHelp(tpl: Template): string {
  const rows = tpl.variables.map((v) => {
    const what = v.required ? 'required' : v.default !== undefined ? `default: ${v.default}` : 'optional';
    return `  ${v.name.padEnd(12)} ${what.padEnd(22)} ${v.doc ?? ''}`.trimEnd();
  });
  return [`${tpl.name}: ${tpl.description}`, '', 'variables (give as key=value):', ...(rows.length ? rows : ['  (none)'])].join('\n') + '\n';
}

/**
 * Imperative config files: an ordered list of commands in YAML or JSON5
 * (both supersets of JSON, both with comments), plus `include:` of other
 * files by relative path. Loading yields the same steps a command line
 * does, each with its file, line and column as origin.
 *
 * ```yaml
 * - include: backends.yaml
 * - execute: machine-set
 *   arguments: { type: virt, memory: 256M }
 * - execute: device_add
 *   arguments: { driver: virtio-blk-device, drive: hd0 }
 * ```
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import type { Node as YamlNode } from 'yaml';
import { json5, yaml } from './libraries.js';
import { plainDataProblem } from '../../kernel/plain-data.js';
import type { ObjectSchema } from '../../kernel/schema/types.js';
import type { TypeRegistry } from '../../kernel/objects/type-registry.js';
import { coerceLoose, type CoerceContext } from '../feed/coerce.js';
import { TransportError, type Step } from '../feed/step.js';
import { commandsArrayOffsets, lineColumn, topLevelArrayOffsets } from './json5-positions.js';
import { isDescriptive, planDescriptive } from './planner.js';

/** How deep includes may nest before we call it a mistake. */
export const MAX_INCLUDE_DEPTH = 16;

/**
 * How much of a config file is read: a file may be a pipe (`-readconfig
 * <(render)`), but `/dev/zero` or a runaway writer must not exhaust memory.
 */
const MAX_CONFIG_BYTES = 16 << 20;

/** A config file's text, read to its end or refused past MAX_CONFIG_BYTES. */
function readConfigText(abs: string): string {
  const fd = openSync(abs, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(64 << 10);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) return Buffer.concat(chunks).toString('utf8');
      total += n;
      if (total > MAX_CONFIG_BYTES) throw new Error(`it is larger than ${MAX_CONFIG_BYTES >> 20} MiB`);
      chunks.push(chunk.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
}

/** What loading may use: where relative paths start, what injected the file, and the registry for typing values. */
export interface LoadOptions {
  readonly cwd?: string;
  /** `option 4 (-readconfig)` when a command line injected the file. */
  readonly via?: string;
  readonly types?: TypeRegistry;
  readonly argsSchema?: (command: string) => ObjectSchema | undefined;
  readonly coerce?: CoerceContext;
}

/** One entry as parsed, with its position, before includes are resolved. */
interface RawEntry {
  readonly value: unknown;
  readonly line: number;
  readonly col: number;
}

/** Which parser a file name calls for: `.json`/`.json5` are JSON5, anything else YAML. */
export function configSyntax(fileName: string): 'json5' | 'yaml' {
  return /\.json5?$/i.test(fileName) ? 'json5' : 'yaml';
}

/** A parsed file: a list of entries, or a descriptive document for the planner. */
type Parsed = RawEntry[] | { readonly descriptive: Record<string, unknown> };

/** Names a position in errors and origins: `vm.yaml:3:5`. */
type Where = (line: number, col: number) => string;

/** Parses YAML, keeping each top-level entry's position; syntax errors carry line and column. */
function parseYaml(text: string, at: Where): Parsed {
  const { LineCounter, parseDocument } = yaml();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const err = doc.errors[0];
  if (err) {
    const pos = err.linePos?.[0] ?? { line: 1, col: 1 };
    throw new TransportError(at(pos.line, pos.col), `YAML syntax error: ${err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  if (yaml().isMap(doc.contents)) {
    const json = doc.toJSON() as Record<string, unknown>;
    if (isDescriptive(json)) return { descriptive: json };
  }
  const top = listNode(doc.contents, at(1, 1));
  return top.map((node) => {
    const pos = lineCounter.linePos(node.range?.[0] ?? 0);
    return { value: (node as { toJSON(): unknown }).toJSON(), line: pos.line, col: pos.col };
  });
}

/** The list of entries: the document itself, or its `commands:` member. */
function listNode(contents: unknown, where: string): YamlNode[] {
  if (contents === null || contents === undefined) return [];
  if (yaml().isSeq(contents)) return contents.items as YamlNode[];
  if (yaml().isMap(contents)) {
    const commands = contents.get('commands', true);
    if (yaml().isSeq(commands)) return commands.items as YamlNode[];
  }
  throw new TransportError(where, 'a config file is a list of entries ({execute, arguments} or {include}), or a mapping with a commands: list');
}

/** Parses JSON5; element positions come from a scan of the text since the parser gives none. */
function parseJson5(text: string, at: Where): Parsed {
  let doc: unknown;
  try {
    doc = json5().parse(text);
  } catch (e) {
    const { lineNumber, columnNumber, message } = e as { lineNumber?: number; columnNumber?: number; message: string };
    throw new TransportError(at(lineNumber ?? 1, columnNumber ?? 1), `JSON5 syntax error: ${message.replace(/^JSON5: /, '').replace(/ at \d+:\d+$/, '')}`);
  }
  if (isDescriptive(doc)) return { descriptive: doc as Record<string, unknown> };
  const list = Array.isArray(doc) ? doc : (doc as { commands?: unknown } | null)?.commands;
  if (!Array.isArray(list)) throw new TransportError(at(1, 1), 'a config file is a list of entries ({execute, arguments} or {include}), or an object with a commands list');
  const offsets = Array.isArray(doc) ? topLevelArrayOffsets(text) : commandsArrayOffsets(text);
  return list.map((value, i) => ({ value, ...(offsets[i] !== undefined ? lineColumn(text, offsets[i]!) : { line: 1, col: 1 }) }));
}

const ENTRY_KEYS = new Set(['execute', 'arguments', 'include']);

/** The shared state of one load: the include stack for cycle detection. */
interface LoadState {
  readonly opts: LoadOptions;
  readonly stack: string[];
}

function displayName(abs: string, opts: LoadOptions): string {
  const rel = relative(opts.cwd ?? process.cwd(), abs);
  return rel.startsWith('..') ? abs : rel;
}

/**
 * Positions in `name`; for text rendered from a template, `lineOf` maps a
 * rendered line to the template file's line, and a line it cannot place is
 * named as a rendered line so nobody looks for it in the file.
 */
function positions(name: string, lineOf?: (line: number) => number | undefined): Where {
  if (!lineOf) return (line, col) => `${name}:${line}:${col}`;
  return (line, col) => {
    const source = lineOf(line);
    return source === undefined ? `${name} (rendered line ${line}, column ${col})` : `${name}:${source}:${col}`;
  };
}

function loadText(text: string, abs: string, state: LoadState, lineOf?: (line: number) => number | undefined): Step[] {
  const name = displayName(abs, state.opts);
  const suffix = state.opts.via ? ` (via ${state.opts.via})` : '';
  const at = positions(name, lineOf);
  const parsed = configSyntax(abs) === 'json5' ? parseJson5(text, at) : parseYaml(text, at);
  const steps: Step[] = [];
  const typed = (command: string, args: Record<string, unknown>, where: string): Record<string, unknown> => {
    const { types, coerce, argsSchema } = state.opts;
    try {
      return types ? coerceLoose(command, argsSchema?.(command), args, coerce ?? { types }) : args;
    } catch (e) {
      throw new TransportError(where, (e as Error).message);
    }
  };
  if (!Array.isArray(parsed)) {
    const problem = plainDataProblem(parsed.descriptive);
    if (problem) throw new TransportError(at(1, 1) + suffix, problem);
    for (const d of planDescriptive(parsed.descriptive, { types: state.opts.types, name: name + suffix, start: !state.opts.via })) {
      const position = d.origin?.position ?? name;
      steps.push({ execute: d.execute, arguments: typed(d.execute, d.arguments, position), origin: { transport: 'config', endpoint: abs, position } });
    }
    return steps;
  }
  const entries = parsed;
  for (const { value, line, col } of entries) {
    const where = at(line, col);
    const fail = (problem: string): never => {
      throw new TransportError(where + suffix, problem);
    };
    if (!value || typeof value !== 'object' || Array.isArray(value)) fail('an entry is {execute: COMMAND, arguments: {...}} or {include: FILE}');
    const problem = plainDataProblem(value);
    if (problem) fail(problem);
    const entry = value as Record<string, unknown>;
    const stray = Object.keys(entry).find((k) => !ENTRY_KEYS.has(k));
    if (stray) fail(`unknown key '${stray}' in entry (execute, arguments or include)`);
    if ('include' in entry) {
      if ('execute' in entry) fail("an entry is either 'include' or 'execute', not both");
      const paths = Array.isArray(entry['include']) ? entry['include'] : [entry['include']];
      for (const p of paths) {
        if (typeof p !== 'string') fail('include takes a file path or a list of them');
        steps.push(...loadFile(resolve(dirname(abs), p as string), state, where + suffix));
      }
      continue;
    }
    if (typeof entry['execute'] !== 'string') fail("Parameter 'execute' is missing or not a command name");
    const args = entry['arguments'] ?? {};
    if (!args || typeof args !== 'object' || Array.isArray(args)) fail("'arguments' must be a mapping");
    const command = entry['execute'] as string;
    steps.push({ execute: command, arguments: typed(command, args as Record<string, unknown>, where + suffix), origin: { transport: 'config', endpoint: abs, position: where + suffix } });
  }
  return steps;
}

function loadFile(abs: string, state: LoadState, from: string | undefined): Step[] {
  const where = from ?? displayName(abs, state.opts);
  if (state.stack.includes(abs)) {
    const cycle = [...state.stack.slice(state.stack.indexOf(abs)), abs].map((p) => displayName(p, state.opts));
    throw new TransportError(where, `include cycle: ${cycle.join(' -> ')}`);
  }
  if (state.stack.length >= MAX_INCLUDE_DEPTH) throw new TransportError(where, `includes nest deeper than ${MAX_INCLUDE_DEPTH} files`);
  let text: string;
  try {
    text = readConfigText(abs);
  } catch (e) {
    throw new TransportError(where, `cannot read config file '${displayName(abs, state.opts)}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  state.stack.push(abs);
  try {
    return loadText(text, abs, state);
  } finally {
    state.stack.pop();
  }
}

/**
 * Loads an imperative config file (YAML or JSON5 by extension) and its
 * includes into steps. Throws TransportError naming file, line and column.
 */
export function loadConfigFile(path: string, opts: LoadOptions = {}): Step[] {
  return loadFile(resolve(opts.cwd ?? process.cwd(), path), { opts, stack: [] }, opts.via);
}

/**
 * Loads config text that is not (yet) a file, such as a rendered template;
 * `fileName` names it in errors and anchors relative includes; `lineOf`
 * maps the text's lines to the file's (a template's rendered lines).
 */
export function loadConfigText(text: string, fileName: string, opts: LoadOptions = {}, lineOf?: (line: number) => number | undefined): Step[] {
  const abs = resolve(opts.cwd ?? process.cwd(), fileName);
  return loadText(text, abs, { opts, stack: [abs] }, lineOf);
}

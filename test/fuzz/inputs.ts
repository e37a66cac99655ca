/**
 * The fuzzer's inputs, as fast-check arbitraries: what a hostile or careless
 * client can type at each transport. Most are built from the schema (a
 * command with arguments that are mostly right and sometimes wrong), so they
 * get past the parser and into the handlers; the rest are mutations and
 * token soup aimed at the parsers themselves (truncation, stray brackets,
 * reserved keys, nesting beyond the limit, bad escapes).
 */
import fc from 'fast-check';
import JSON5 from 'json5';
import YAML from 'yaml';
import type { CommandDecl, Schema } from '../../kernel/index.js';
import { AVOIDED_VALUES, DIR, ENDPOINTS, FILES, IDS, QOM_PATHS, type Catalog, type TypeInfo } from './catalog.js';

/** One input, for one transport. */
export type FuzzInput =
  | { readonly via: 'qmp'; readonly text: string }
  | { readonly via: 'hmp'; readonly line: string }
  | { readonly via: 'cli'; readonly argv: readonly string[] }
  | { readonly via: 'config'; readonly syntax: 'yaml' | 'json5'; readonly text: string };

const RESERVED = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];

/** Strings that mean something somewhere, plus arbitrary ones. */
function strings(c: Catalog): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...IDS, ...QOM_PATHS, ...FILES, ...ENDPOINTS, ...c.allTypes, ...c.propNames.slice(0, 200)), weight: 6 },
    { arbitrary: fc.constantFrom('128M', '1G', '0x1000', '-1', 'on', 'off', 'yes', '1e3', '', ' ', ',', ',,', '=', 'help', '?', ...RESERVED), weight: 2 },
    { arbitrary: fc.string({ maxLength: 12 }), weight: 2 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 12 }), weight: 1 },
  );
}

const numbers = fc.oneof(
  fc.integer({ min: -2, max: 4096 }),
  fc.constantFrom(0, -1, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 2 ** 64, 134217728, 1e308, -0, 0.5),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** A value of any JSON shape, a little deep, with reserved keys now and then. */
function anyValue(c: Catalog): fc.Arbitrary<unknown> {
  return fc.letrec<{ v: unknown }>((tie) => ({
    v: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      strings(c),
      numbers,
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('v'), { maxLength: 3 }),
      fc.dictionary(fc.oneof({ arbitrary: strings(c), weight: 12 }, { arbitrary: fc.constantFrom(...RESERVED), weight: 1 }), tie('v'), { maxKeys: 3 }),
    ),
  })).v;
}

/** A value for `schema`: right most of the time, of any shape otherwise. */
function valueFor(c: Catalog, schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 3) return anyValue(c);
  let right: fc.Arbitrary<unknown>;
  switch (schema.kind) {
    case 'str':
      right = strings(c);
      break;
    case 'enum': {
      const values = schema.values.filter((v) => !AVOIDED_VALUES.has(v));
      right = values.length ? fc.constantFrom(...values) : strings(c);
      break;
    }
    case 'int':
    case 'uint64':
    case 'size':
    case 'number':
      right = schema.range ? fc.oneof(fc.integer({ min: schema.range.min ?? -10, max: schema.range.max ?? 10_000 }), numbers) : numbers;
      break;
    case 'bool':
      right = fc.boolean();
      break;
    case 'null':
      right = fc.constant(null);
      break;
    case 'array':
      right = fc.array(valueFor(c, schema.items, depth + 1), { maxLength: 3 });
      break;
    case 'object':
      right = objectFor(c, schema.fields, schema.rest, depth + 1);
      break;
    case 'alternate':
      right = fc.oneof(...schema.options.map((o: Schema) => valueFor(c, o, depth + 1)));
      break;
    case 'any':
      right = anyValue(c);
      break;
  }
  return fc.oneof({ arbitrary: right, weight: 12 }, { arbitrary: anyValue(c), weight: 1 });
}

/** An object with its declared members (required ones nearly always), and now and then one it does not declare. */
function objectFor(c: Catalog, fields: Record<string, { schema: Schema; optional: boolean }>, rest: Schema | undefined, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const members = Object.entries(fields).map(([name, f]) =>
    fc.option(valueFor(c, f.schema, depth).map((v) => [name, v] as const), { freq: f.optional ? 2 : 20, nil: undefined }),
  );
  const key = fc.oneof({ arbitrary: strings(c), weight: 8 }, { arbitrary: fc.constantFrom(...RESERVED), weight: 1 });
  const pair = fc.tuple(key, rest ? valueFor(c, rest, depth) : anyValue(c));
  // An undeclared member now and then (often when a `rest` schema takes them).
  const extra = fc.oneof({ arbitrary: fc.constant(undefined), weight: rest ? 1 : 12 }, { arbitrary: pair, weight: 1 });
  return fc.tuple(fc.tuple(...members), extra).map(([ms, x]) => {
    const out: Record<string, unknown> = {};
    for (const m of ms) if (m) out[m[0]] = m[1];
    // defineProperty: a reserved key stays an own member, as a parser would have produced it.
    if (x) Object.defineProperty(out, x[0], { value: x[1], enumerable: true, writable: true, configurable: true });
    return out;
  });
}

/** A type's properties as extra arguments (device_add DRIVER, object-add TYPE, machine-set). */
function propsOf(c: Catalog, type: TypeInfo): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.fromEntries(type.props.map((p) => [p.name, { schema: p.schema, optional: true }]));
  return objectFor(c, fields, undefined, 1);
}

/** Arguments for a command; commands that name a type take that type's properties as well. */
function argsFor(c: Catalog, decl: CommandDecl): fc.Arbitrary<Record<string, unknown>> {
  const own = objectFor(c, decl.args.fields as Record<string, { schema: Schema; optional: boolean }>, decl.args.rest, 0);
  const typed = (types: readonly TypeInfo[], key: string) =>
    fc.constantFrom(...types).chain((type) => fc.tuple(own, propsOf(c, type)).map(([a, p]) => ({ ...p, ...a, [key]: type.name })));
  switch (decl.name) {
    case 'device_add':
      return fc.oneof(typed(c.devices, 'driver'), own);
    case 'object-add':
      return fc.oneof(typed(c.objects, 'qom-type'), own);
    case 'machine-set':
      return fc.oneof(typed(c.machines, 'type'), own);
    default:
      return own;
  }
}

/** A command with arguments: the structured input every transport is fed. */
export function command(c: Catalog): fc.Arbitrary<{ execute: string; arguments: Record<string, unknown> }> {
  return fc.constantFrom(...c.commands).chain((decl) => argsFor(c, decl).map((args) => ({ execute: decl.name, arguments: args })));
}

/** Random edits: characters inserted or deleted, or the text cut short. */
function mutated(text: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.nat(), fc.nat({ max: 8 }), fc.string({ unit: 'binary', maxLength: 4 }));
  return fc.tuple(text, fc.array(edit, { minLength: 1, maxLength: 3 })).map(([t, edits]) => {
    let out = t;
    for (const [at, del, ins] of edits) {
      const i = out.length ? at % (out.length + 1) : 0;
      out = out.slice(0, i) + ins + out.slice(i + del);
    }
    return out;
  });
}

const QMP_TOKENS = ['{', '}', '[', ']', ':', ',', '"execute"', '"arguments"', '"id"', '"__proto__"', '"constructor"', "'single'", '"set-name"', '"name"', '1e999', '-0', '01', 'true', 'nul', 'null', '"\\u00"', '"\\ud800"', '"\\x"', ' ', '\n', '\u00ff', '"', "'", '\\', '\u0000'];

/** QMP text: well-formed requests, pipelined ones, mutations, token soup, and nesting past the limit. */
export function qmpInput(c: Catalog): fc.Arbitrary<FuzzInput> {
  const request = fc.tuple(command(c), fc.option(fc.oneof(fc.nat(), fc.string({ maxLength: 4 }), anyValue(c)), { nil: undefined })).map(([cmd, id]) =>
    JSON.stringify(id === undefined ? cmd : { ...cmd, id }),
  );
  const text = fc.oneof(
    { arbitrary: request, weight: 10 },
    { arbitrary: fc.array(request, { minLength: 2, maxLength: 4 }).map((r) => r.join('')), weight: 2 },
    { arbitrary: mutated(request), weight: 4 },
    { arbitrary: fc.array(fc.constantFrom(...QMP_TOKENS), { maxLength: 24 }).map((t) => t.join('')), weight: 2 },
    { arbitrary: fc.tuple(fc.integer({ min: 1000, max: 1500 }), fc.constantFrom('[', '{"a":')).map(([n, open]) => `{"execute":"set-name","arguments":{"name":${open.repeat(n)}`), weight: 1 },
  );
  return text.map((t) => ({ via: 'qmp', text: t }));
}

/** `k=v,k2=v2` from an arguments object: values as strings, commas doubled, dotted keys for nested members. */
function keyvalOf(args: Record<string, unknown>, implied?: string): string {
  const parts: string[] = [];
  const walk = (v: unknown, key: string, depth: number): void => {
    if (v && typeof v === 'object' && depth < 4) {
      for (const [k, x] of Object.entries(v)) walk(x, `${key}.${k}`, depth + 1);
    } else parts.push(`${key}=${String(typeof v === 'object' ? JSON.stringify(v) : v).replaceAll(',', ',,')}`);
  };
  for (const [k, v] of Object.entries(args)) {
    if (k === implied && typeof v === 'string') parts.unshift(v);
    else walk(v, k, 0);
  }
  return parts.join(',');
}

/** Keyval text: from a command's arguments, mutated, or built to break the parser (long and deep keys). */
function keyval(c: Catalog, implied?: string): fc.Arbitrary<string> {
  const fromArgs = command(c).map((cmd) => keyvalOf(cmd.arguments, implied));
  return fc.oneof(
    { arbitrary: fromArgs, weight: 8 },
    { arbitrary: mutated(fromArgs), weight: 3 },
    { arbitrary: fc.constantFrom('help', '?', ',', '=', 'a=b=c', 'a.0=x,a.2=y', 'a.b=1,a=2', 'x'.repeat(200) + '=1', `${'a.'.repeat(1500)}a=1`, 'constructor.prototype.x=1', '__proto__.x=1'), weight: 1 },
  );
}

/** A line typed at the human monitor. */
export function hmpInput(c: Catalog): fc.Arbitrary<FuzzInput> {
  const words = fc.array(strings(c), { maxLength: 3 }).map((w) => w.join(' '));
  const line = fc.oneof(
    { arbitrary: fc.tuple(fc.constantFrom(...c.hmpCommands), fc.oneof(keyval(c), words)).map(([name, rest]) => `${name} ${rest}`), weight: 6 },
    { arbitrary: fc.tuple(fc.constantFrom(...c.infoCommands), words).map(([sub, rest]) => `info ${sub} ${rest}`), weight: 3 },
    { arbitrary: fc.tuple(fc.constantFrom('qom-set', 'qom-get'), fc.constantFrom(...QOM_PATHS), strings(c), strings(c)).map((w) => w.join(' ')), weight: 3 },
    { arbitrary: fc.string({ maxLength: 40 }), weight: 1 },
  );
  return line.map((l) => ({ via: 'hmp', line: l.replace(/[\r\n]/g, ' ') }));
}

/** A few command-line options with keyval, JSON or arbitrary values. */
export function cliInput(c: Catalog): fc.Arbitrary<FuzzInput> {
  const value = fc.oneof(
    { arbitrary: keyval(c), weight: 6 },
    { arbitrary: command(c).map((cmd) => JSON.stringify(cmd.arguments)), weight: 2 },
    { arbitrary: strings(c), weight: 2 },
  );
  const option = fc.tuple(fc.constantFrom(...c.options), value).map(([o, v]) => [o, v] as const);
  // -readconfig of a FIFO waits for its writer, as a program starting up should (`-readconfig <(render)`);
  // the fuzzer runs in-process and cannot wait, so it reads the session's config file instead.
  const usable = (o: string, v: string): string =>
    AVOIDED_VALUES.has(v) || v.includes('stdio') ? 'null' : (o === '-readconfig' || o === '-config') && v.includes('/fifo') ? `${DIR}/inc.yaml` : v;
  return fc.array(option, { minLength: 1, maxLength: 3 }).map((opts) => ({ via: 'cli', argv: opts.flatMap(([o, v]) => [o, usable(o, v)]) }));
}

/** A config file of a few entries, in YAML or JSON5, now and then mutated. */
export function configInput(c: Catalog): fc.Arbitrary<FuzzInput> {
  const entry = fc.oneof({ arbitrary: command(c), weight: 9 }, { arbitrary: fc.constant({ include: `${DIR}/inc.yaml` }), weight: 1 }, { arbitrary: anyValue(c), weight: 1 });
  const doc = fc.array(entry, { maxLength: 4 });
  const yaml = doc.map((d) => YAML.stringify(d));
  const json5 = doc.map((d) => JSON5.stringify(d));
  return fc.oneof(
    { arbitrary: yaml.map((text) => ({ via: 'config' as const, syntax: 'yaml' as const, text })), weight: 4 },
    { arbitrary: json5.map((text) => ({ via: 'config' as const, syntax: 'json5' as const, text })), weight: 4 },
    { arbitrary: mutated(yaml).map((text) => ({ via: 'config' as const, syntax: 'yaml' as const, text })), weight: 1 },
    { arbitrary: mutated(json5).map((text) => ({ via: 'config' as const, syntax: 'json5' as const, text })), weight: 1 },
  );
}

/**
 * Steps of a plausible configuration, in an order that works: random
 * commands alone seldom get a machine built, so these, sprinkled among the
 * others, take sessions into the later phases (devices to delete, a guest
 * running) where hostile input meets more code.
 */
const BUILDING: ReadonlyArray<{ execute: string; arguments: Record<string, unknown> }> = [
  { execute: 'chardev-add', arguments: { id: 'rb', backend: { type: 'ringbuf' } } },
  { execute: 'blockdev-add', arguments: { driver: 'file', 'node-name': 'd0', filename: `${DIR}/disk.img` } },
  { execute: 'object-add', arguments: { 'qom-type': 'rng-random', id: 'rng0', filename: `${DIR}/urandom` } },
  { execute: 'machine-set', arguments: { type: 'virt', memory: 64 << 20, serial0: 'rb' } },
  { execute: 'device_add', arguments: { driver: 'virtio-blk-device', id: 'disk', drive: 'd0' } },
  { execute: 'device_add', arguments: { driver: 'virtio-rng-device', id: 'd0', rng: 'rng0' } },
  { execute: 'x-exit-preconfig', arguments: {} },
  { execute: 'cont', arguments: {} },
];

/** A session's inputs: mostly QMP, then HMP, the command line and config files; now and then a step of a real configuration. */
export function sessionInputs(c: Catalog, maxLength = 40): fc.Arbitrary<FuzzInput[]> {
  const building = fc.constantFrom(...BUILDING).map((cmd): FuzzInput => ({ via: 'qmp', text: JSON.stringify(cmd) }));
  const one = fc.oneof(
    { arbitrary: qmpInput(c), weight: 12 },
    { arbitrary: building, weight: 4 },
    { arbitrary: hmpInput(c), weight: 4 },
    { arbitrary: cliInput(c), weight: 2 },
    { arbitrary: configInput(c), weight: 2 },
  );
  return fc.array(one, { minLength: Math.ceil(maxLength / 2), maxLength });
}

/** The text of an input with the session's directory in place of `@DIR@`. */
export function inDir<T extends FuzzInput>(input: T, dir: string): T {
  return JSON.parse(JSON.stringify(input).replaceAll(DIR, dir)) as T;
}

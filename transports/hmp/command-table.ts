/**
 * The HMP command table, as data: each entry names a command, its usage and
 * help, and a formatter that calls the same QMP commands through
 * `exec` (host.execute with an `hmp` origin) and renders the answer for a
 * person. There is no other way into the machine from here: QEMU's
 * `hmp_info_status` is likewise a formatter around `qmp_query_status`.
 */
import type { ObjectSchema } from '../../kernel/index.js';
import type { TransportHost } from '../../kernel/transport.js';
import { chardevDrafts, coerceArgs, coerceValue, helpText, parseKeyval } from '../cli/index.js';
import { SNAPSHOT_COMMANDS, SNAPSHOT_INFO } from './snapshot-commands.js';

/** What a command's formatter may use. */
export interface HmpContext {
  /** Runs a QMP command with this session's origin. */
  exec(command: string, args?: Record<string, unknown>): Promise<unknown>;
  /** What formatting needs to read: types and commands for typing arguments, the object tree for `info qtree`. */
  readonly host: Pick<TransportHost, 'types' | 'objects' | 'commands'>;
  /** Ends the session after this command (quit). */
  end(): void;
}

/** One HMP command: `args` is the usage shown by `help`; `run` returns the text to print. */
export interface HmpCommand {
  readonly name: string;
  /** QEMU's short names (`c` for cont, `q` for quit). */
  readonly aliases?: readonly string[];
  readonly args: string;
  readonly help: string;
  run(ctx: HmpContext, words: string[], rest: string): Promise<string>;
}

/** One `info` subcommand. */
export interface HmpInfo {
  readonly name: string;
  readonly help: string;
  run(ctx: HmpContext, words: string[]): Promise<string>;
}

/** An input error in the HMP syntax itself (a missing argument): printed as `Error: ...`. */
export class HmpUsageError extends Error {}

function need(words: string[], n: number, usage: string): void {
  if (words.length < n) throw new HmpUsageError(`missing argument; usage: ${usage}`);
}

function argsSchema(host: HmpContext['host'], command: string): ObjectSchema | undefined {
  return host.commands().find((c) => c.name === command)?.args;
}

/** Parses `DRIVER,key=val,...` with the command line's keyval rules and types it by the schema. */
function keyvalArgs(ctx: HmpContext, command: string, text: string, implied: string): Record<string, unknown> {
  const { value } = parseKeyval(text, implied);
  return coerceArgs(command, argsSchema(ctx.host, command), value, { types: ctx.host.types });
}

/** `DRIVER,help`, `help` or `?` as the argument: what the command-line option prints for it; undefined when no help was asked. */
function helpFor(ctx: HmpContext, text: string, implied: string, topic: 'device' | 'object'): string | undefined {
  const { value, help } = parseKeyval(text, implied);
  const name = value[implied];
  if (name === 'help' || name === '?') return helpText(ctx.host.types, topic);
  return help ? helpText(ctx.host.types, topic, typeof name === 'string' ? name : undefined) : undefined;
}

function statusLine(s: { running: boolean; singlestep?: boolean; status: string }): string {
  let out = `VM status: ${s.running ? 'running' : 'paused'}${s.singlestep ? ' (single step mode)' : ''}`;
  if (!s.running && s.status !== 'paused') out += ` (${s.status})`;
  return out;
}

type PropInfo = { name: string; type: string };

async function qomTree(ctx: HmpContext, path: string, indent: string, lines: string[]): Promise<void> {
  const list = (await ctx.exec('qom-list', { path })) as PropInfo[];
  const type = await ctx.exec('qom-get', { path, property: 'type' }).catch(() => undefined);
  const name = path === '/' ? '/' : path.slice(path.lastIndexOf('/') + 1);
  lines.push(`${indent}${name}${type ? ` (${String(type)})` : ''}`);
  for (const p of list) if (p.type.startsWith('child<')) await qomTree(ctx, path === '/' ? `/${p.name}` : `${path}/${p.name}`, `${indent}  `, lines);
}

async function qtree(ctx: HmpContext, path: string, indent: string, lines: string[]): Promise<void> {
  const list = (await ctx.exec('qom-list', { path })) as PropInfo[];
  for (const p of list) {
    if (!p.type.startsWith('child<')) continue;
    const child = `${path}/${p.name}`;
    const type = p.type.slice(6, -1);
    const isDevice = type !== 'container';
    if (isDevice) {
      lines.push(`${indent}dev: ${type}, id "${p.name}"`);
      const props = (await ctx.exec('qom-list', { path: child })) as PropInfo[];
      for (const prop of props) {
        if (prop.type.startsWith('child<') || prop.name === 'type') continue;
        const v = await ctx.exec('qom-get', { path: child, property: prop.name }).catch(() => undefined);
        if (v !== undefined) lines.push(`${indent}  ${prop.name} = ${JSON.stringify(v)}`);
      }
    }
    await qtree(ctx, child, isDevice ? `${indent}  ` : indent, lines);
  }
}

function json(v: unknown): string {
  return JSON.stringify(v, null, 4);
}

/** `info` subcommands. */
export const INFO_TABLE: readonly HmpInfo[] = [
  ...SNAPSHOT_INFO,
  { name: 'status', help: 'show the current VM status (running|paused)', run: async (ctx) => statusLine((await ctx.exec('query-status')) as never) },
  {
    name: 'version',
    help: 'show the version of vmledger',
    run: async (ctx) => {
      const v = (await ctx.exec('query-version')) as { qemu: { major: number; minor: number; micro: number }; package: string };
      return `${v.qemu.major}.${v.qemu.minor}.${v.qemu.micro}${v.package ? ` (${v.package})` : ''}`;
    },
  },
  {
    name: 'name',
    help: 'show the current VM name',
    run: async (ctx) => {
      const n = (await ctx.exec('query-name')) as { name?: string };
      return n.name ?? '';
    },
  },
  {
    name: 'qom-tree',
    help: 'show QOM composition tree: info qom-tree [path]',
    run: async (ctx, words) => {
      const lines: string[] = [];
      await qomTree(ctx, words[0] ?? '/', '', lines);
      return lines.join('\n');
    },
  },
  {
    name: 'qtree',
    help: 'show device tree',
    run: async (ctx) => {
      const lines: string[] = [];
      await qtree(ctx, '/machine', '', lines);
      return lines.length ? lines.join('\n') : '(no machine)';
    },
  },
  {
    name: 'commands',
    help: 'list QMP available commands',
    run: async (ctx) => ((await ctx.exec('query-commands')) as Array<{ name: string }>).map((c) => c.name).sort().join('\n'),
  },
  {
    name: 'log',
    help: 'show recent command log entries: info log [count]',
    run: async (ctx, words) => {
      const { entries } = (await ctx.exec('x-query-log', words[0] ? { count: Number(words[0]) } : {})) as {
        entries: Array<{
          seq: number;
          time: number;
          origin: { transport: string; endpoint?: string; client?: string };
          command: string;
          arguments: unknown;
          applied: boolean;
          error?: { desc: string };
        }>;
      };
      if (!entries.length) return '(the command log is empty or disabled)';
      return entries
        .map((e) => {
          const who = [e.origin.transport, e.origin.endpoint, e.origin.client].filter(Boolean).join(' ');
          const args = e.arguments && Object.keys(e.arguments as object).length ? ` ${JSON.stringify(e.arguments)}` : '';
          return `#${e.seq} ${new Date(e.time).toISOString()} [${who}] ${e.command}${args}${e.applied ? '' : ` -> Error: ${e.error?.desc ?? 'failed'}`}`;
        })
        .join('\n');
    },
  },
  { name: 'monitors', help: 'show open monitors', run: async (ctx) => ((await ctx.exec('query-monitors')) as Array<{ id: string; description: string }>).map((m) => `${m.id}: ${m.description}`).join('\n') },
  { name: 'chardev', help: 'show the character devices', run: async (ctx) => fmtList(await ctx.exec('query-chardev'), (c: any) => `${c.label}: filename=${c.filename}`) },
  { name: 'block', help: 'show the block devices', run: async (ctx) => fmtList(await ctx.exec('query-block'), (b: any) => `${b.device ?? b['node-name'] ?? '?'}: ${b.inserted?.file ?? json(b)}`) },
  // As QEMU: '*' marks the monitor's current CPU, which is the first one (there is no `cpu N` command to change it).
  { name: 'cpus', help: 'show infos for each CPU', run: async (ctx) => fmtList(await ctx.exec('query-cpus-fast'), (c: any) => `${c['cpu-index'] === 0 ? '*' : ' '} CPU #${c['cpu-index']}: thread_id=${c['thread-id']}`) },
];

function fmtList(v: unknown, one: (x: any) => string): string {
  return Array.isArray(v) ? v.map(one).join('\n') : json(v);
}

const simple = (name: string, help: string): HmpCommand => ({
  name,
  args: '',
  help,
  run: async (ctx) => {
    await ctx.exec(name);
    return '';
  },
});

/**
 * An HMP command taking QEMU keyval arguments (`device_add DRIVER,k=v`),
 * typed by the QMP command's schema. `help`, `?` and `DRIVER,help` print
 * what the command line's option prints, and add nothing.
 */
function keyvalCommand(name: string, command: string, implied: string, args: string, help: string, topic: 'device' | 'object'): HmpCommand {
  return {
    name,
    args,
    help,
    run: async (ctx, words, rest) => {
      need(words, 1, `${name} ${args}`);
      const shown = helpFor(ctx, rest, implied, topic);
      if (shown !== undefined) return shown;
      await ctx.exec(command, keyvalArgs(ctx, command, rest, implied));
      return '';
    },
  };
}

/** `chardev-add BACKEND,id=ID,...`: the -chardev spelling, turned into QMP's chardev-add as the command line turns it. */
const chardevAdd: HmpCommand = {
  name: 'chardev-add',
  args: 'backend,id=str[,prop=value][,...]',
  help: 'add chardev, like -chardev on the command line',
  run: async (ctx, words, rest) => {
    need(words, 1, 'chardev-add backend,id=str[,prop=value][,...]');
    const { value, help } = parseKeyval(rest, 'backend');
    if (help || value['backend'] === 'help') return helpText(ctx.host.types, 'chardev');
    const { backend, id, ...opts } = value as Record<string, string>;
    if (!backend) throw new HmpUsageError("Parameter 'backend' is missing");
    if (!id) throw new HmpUsageError("Parameter 'id' is missing");
    for (const d of chardevDrafts(backend!, id, opts)) await ctx.exec(d.execute, d.arguments);
    return '';
  },
};

/** An HMP command naming one object by id (`device_del ID`). */
function idCommand(name: string, command: string, arg: string, help: string): HmpCommand {
  return {
    name,
    args: arg,
    help,
    run: async (ctx, words) => {
      need(words, 1, `${name} ${arg}`);
      await ctx.exec(command, { id: words[0] });
      return '';
    },
  };
}

/** The HMP commands, in the order `help` lists them. */
export const HMP_TABLE: readonly HmpCommand[] = [
  {
    name: 'help',
    aliases: ['?'],
    args: '[cmd]',
    help: 'show the help',
    run: async (_ctx, words) => {
      const rows = HMP_TABLE.filter((c) => !words[0] || c.name === words[0]).map((c) => `${[c.name, ...(c.aliases ?? [])].join('|')}${c.args ? ` ${c.args}` : ''} -- ${c.help}`);
      if (!words[0] || words[0] === 'info') rows.push(...INFO_TABLE.map((i) => `info ${i.name} -- ${i.help}`));
      if (!rows.length) throw new HmpUsageError(`unknown command: '${words[0]}'`);
      return rows.join('\n');
    },
  },
  {
    name: 'info',
    args: 'subcommand',
    help: 'show various information about the system state',
    run: async (ctx, words) => {
      if (!words[0]) return INFO_TABLE.map((i) => `info ${i.name} -- ${i.help}`).join('\n');
      const sub = INFO_TABLE.find((i) => i.name === words[0]);
      // QEMU's words for an info subcommand it does not have.
      if (!sub) return `unknown command: 'info ${words[0]}'`;
      return sub.run(ctx, words.slice(1));
    },
  },
  {
    name: 'export_config',
    args: '[commands|cli|qmp]',
    help: 'print the configuration as a config file, a command line or a QMP script',
    run: async (ctx, words) => ((await ctx.exec('export-config', words[0] ? { format: words[0] } : {})) as { text: string }).text.trimEnd(),
  },
  { ...simple('stop', 'stop emulation'), aliases: ['s'] },
  { ...simple('cont', 'resume emulation'), aliases: ['c'] },
  simple('system_reset', 'reset the system'),
  {
    name: 'quit',
    aliases: ['q'],
    args: '',
    help: 'quit the emulator',
    run: async (ctx) => {
      await ctx.exec('quit');
      ctx.end();
      return '';
    },
  },
  ...SNAPSHOT_COMMANDS,
  keyvalCommand('device_add', 'device_add', 'driver', 'driver[,prop=value][,...]', 'add device, like -device on the command line', 'device'),
  idCommand('device_del', 'device_del', 'device', 'remove device'),
  keyvalCommand('object_add', 'object-add', 'qom-type', 'type,id=str[,prop=value][,...]', 'create QOM object', 'object'),
  idCommand('object_del', 'object-del', 'id', 'destroy QOM object'),
  chardevAdd,
  {
    name: 'qom-list',
    args: '[path]',
    help: 'list QOM properties',
    run: async (ctx, words) => ((await ctx.exec('qom-list', { path: words[0] ?? '/' })) as PropInfo[]).map((p) => `${p.name} (${p.type})`).join('\n'),
  },
  {
    name: 'qom-get',
    args: 'path property',
    help: 'print QOM property',
    run: async (ctx, words) => {
      need(words, 2, 'qom-get path property');
      return json(await ctx.exec('qom-get', { path: words[0], property: words[1] }));
    },
  },
  {
    name: 'qom-set',
    args: 'path property value',
    help: 'set QOM property',
    run: async (ctx, words) => {
      need(words, 3, 'qom-set path property value');
      const [path, property] = [words[0]!, words[1]!];
      const text = words.slice(2).join(' ');
      // Typed by the property's declaration (so `128M` is a size), read from the type registry.
      const obj = ctx.host.objects.find(path);
      const schema = obj ? ctx.host.types.props(obj.type).get(property)?.type : undefined;
      const value = schema ? coerceValue(schema, text, property) : text;
      await ctx.exec('qom-set', { path, property, value });
      return '';
    },
  },
];

/** Finds a command by name. */
export function findHmpCommand(name: string): HmpCommand | undefined {
  return HMP_TABLE.find((c) => c.name === name || c.aliases?.includes(name));
}

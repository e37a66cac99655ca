/**
 * `-device help`, `-device DRIVER,help`, `-object help`, `-machine help`,
 * `-chardev help` and `--help`, written from the registry and the option
 * table: a plugin's device shows up here the moment it is loaded.
 */
import type { TypeRegistry } from '../../kernel/objects/type-registry.js';
import type { Schema } from '../../kernel/schema/types.js';
import { CHARDEV_BACKENDS } from '../feed/chardev-spec.js';
import type { HelpTopic } from './option-spec.js';
import { OPTIONS } from './options.js';

/** How a property's type reads in help (`size`, `bool`, `enum OnOff (on, off)`). */
function typeName(s: Schema): string {
  switch (s.kind) {
    case 'enum':
      return s.values.join('|');
    case 'array':
      return `list of ${typeName(s.items)}`;
    case 'object':
      return s.name ?? 'object';
    case 'alternate':
      return s.options.map(typeName).join(' or ');
    default:
      return s.kind;
  }
}

/** Which types each listing shows: concrete types under a base, excluding the other listings' bases. */
const LISTINGS: Readonly<Record<'device' | 'object' | 'machine', { base: string; title: string; option: string }>> = {
  device: { base: 'device', title: 'Available devices', option: '-device' },
  object: { base: 'user-creatable', title: 'Available object types', option: '-object' },
  machine: { base: 'machine', title: 'Supported machines', option: '-machine' },
};

/** The concrete types of a listing, sorted, with docs and the plugin that brought each. */
function listTypes(types: TypeRegistry, topic: 'device' | 'object' | 'machine'): string {
  const { base, title, option } = LISTINGS[topic];
  const rows = types
    .list({ implements: base, abstract: false })
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((d) => `  ${d.name.padEnd(24)} ${d.doc ?? ''}${types.pluginOf(d.name) ? ` [${types.pluginOf(d.name)}]` : ''}`.trimEnd());
  return [`${title}:`, ...(rows.length ? rows : ['  (none registered)']), '', `Use '${option} NAME,help' for the properties of one.`].join('\n');
}

/** The properties of one type, with types, defaults and docs. */
function typeProps(types: TypeRegistry, name: string): string {
  if (!types.has(name)) return `'${name}' is not a known type; '-device help', '-object help' and '-machine help' list them.`;
  const props = [...types.props(name).values()].sort((a, b) => a.name.localeCompare(b.name));
  const rows = props.map((p) => {
    const def = p.default !== undefined ? ` (default: ${JSON.stringify(p.default)})` : '';
    const doc = p.doc ? ` - ${p.doc}` : '';
    return `  ${p.name}=<${typeName(p.type)}>${def}${doc}`;
  });
  const doc = types.get(name).doc;
  return [`${name} options${doc ? ` (${doc})` : ''}:`, ...(rows.length ? rows : ['  (no properties)'])].join('\n');
}

/** `--help`: the option table, each with its argument and the command it becomes. */
export function optionsHelp(): string {
  const rows = OPTIONS.map((o) => {
    const head = `${o.names.join(', ')}${o.arg ? ` ${o.arg}` : ''}`;
    return head.length > 38 ? `  ${head}\n  ${''.padEnd(38)} ${o.doc}` : `  ${head.padEnd(38)} ${o.doc}`;
  });
  return [
    'usage: vmledger [options]          options run left to right, each one a command',
    '       vmledger up TEMPLATE [key=value...] [--help]',
    '       vmledger template list|show|copy',
    '',
    ...rows,
    '',
    "'-device help', '-object help', '-machine help' list what the loaded plugins provide.",
  ].join('\n');
}

/** The text for a help request; `cpuModels` are the names `query-cpu-definitions` gave, for `-cpu help`. */
export function helpText(types: TypeRegistry, topic: HelpTopic, name?: string, cpuModels: readonly string[] = []): string {
  if (topic === 'options') return optionsHelp();
  if (topic === 'cpu')
    return ['Available CPUs:', ...(cpuModels.length ? cpuModels.map((m) => `  ${m}`) : ['  (none registered; load a CPU plugin)']), '', "Use '-cpu NAME,prop=on|off' to set a model's properties."].join('\n');
  if (topic === 'chardev') return ['Available chardev backend types:', ...CHARDEV_BACKENDS.map((b) => `  ${b}`)].join('\n');
  return name ? typeProps(types, name) : listTypes(types, topic);
}

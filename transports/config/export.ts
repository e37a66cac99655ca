/**
 * Export: the configuration as a config file, a command line or a QMP
 * script, made by replaying the logged change commands into one canonical
 * list. QEMU's `-writeconfig` could not serialize a whole command line; here
 * every change went through a logged command, so the list is complete by
 * construction, and a test proves it by the state hash.
 */
import type { Kernel } from '../../kernel/kernel.js';
import { QmpError } from '../../kernel/errors.js';
import { formatArgv, formatCommandLine, formatConfigFile, formatQmpLines, type CommandItem, type ExportFormat } from './formats.js';

/** A log entry as the exporter reads it: a LogEntry (`args`) or an `x-query-log` row (`arguments`). */
export interface ExportableEntry {
  readonly command: string;
  readonly args?: Record<string, unknown>;
  readonly arguments?: Record<string, unknown>;
  readonly applied?: boolean;
  readonly kind?: string;
  readonly error?: unknown;
}

/** Commands that act on the running guest, not on its configuration; replaying them would not rebuild anything. */
const RUN_CONTROL_ONLY = new Set(['stop', 'system_reset', 'system_powerdown', 'quit', 'export-config']);

/** Creation and deletion commands that cancel out when both name the same id. */
const CANCELLING: Readonly<Record<string, string>> = { device_del: 'device_add', 'object-del': 'object-add', 'blockdev-del': 'blockdev-add', 'chardev-remove': 'chardev-add' };

/** The id a creation command gives its object. */
function createdId(item: CommandItem): string | undefined {
  const a = item.arguments;
  const id = item.execute === 'blockdev-add' ? a['node-name'] : a['id'];
  return typeof id === 'string' ? id : undefined;
}

/**
 * The canonical command list of a log: applied change commands only; run
 * control left out except the first `cont` (where the guest first started
 * matters: devices after it were hot-plugged); an object created and
 * deleted again left out whole; adjacent `machine-set`s merged.
 */
export function canonicalCommands(entries: Iterable<ExportableEntry>): CommandItem[] {
  const items: CommandItem[] = [];
  let started = false;
  for (const e of entries) {
    if (e.applied === false || e.error || e.kind === 'query') continue;
    if (RUN_CONTROL_ONLY.has(e.command)) continue;
    if (e.command === 'cont') {
      if (started) continue;
      started = true;
    }
    items.push({ execute: e.command, arguments: { ...(e.args ?? e.arguments ?? {}) } });
  }
  return mergeMachineSets(dropCancelled(items));
}

/** Removes create/delete pairs of the same id, and `qom-set`s aimed at what they removed. */
function dropCancelled(items: CommandItem[]): CommandItem[] {
  const drop = new Set<number>();
  items.forEach((item, i) => {
    const creator = CANCELLING[item.execute];
    if (!creator) return;
    const id = item.execute === 'blockdev-del' ? item.arguments['node-name'] : item.arguments['id'];
    for (let j = i - 1; j >= 0; j--) {
      if (drop.has(j) || items[j]!.execute !== creator || createdId(items[j]!) !== id) continue;
      drop.add(i).add(j);
      for (let k = j + 1; k < i; k++) {
        const path = items[k]!.arguments['path'];
        if (items[k]!.execute === 'qom-set' && typeof path === 'string' && path.endsWith(`/${String(id)}`)) drop.add(k);
      }
      return;
    }
  });
  return items.filter((_, i) => !drop.has(i));
}

/** `machine-set {type: virt}` then `machine-set {memory: N}` is one `machine-set {type: virt, memory: N}`. */
function mergeMachineSets(items: CommandItem[]): CommandItem[] {
  const out: CommandItem[] = [];
  for (const item of items) {
    const prev = out.at(-1);
    if (prev?.execute === 'machine-set' && item.execute === 'machine-set' && (item.arguments['type'] === undefined || item.arguments['type'] === prev.arguments['type']))
      out[out.length - 1] = { execute: 'machine-set', arguments: { ...prev.arguments, ...item.arguments } };
    else out.push(item);
  }
  return out;
}

/** Writes a canonical list in one of the formats. */
export function renderExport(items: readonly CommandItem[], format: ExportFormat): string {
  switch (format) {
    case 'commands':
      return formatConfigFile(items, 'vmledger configuration, exported from the command log (vmledger -readconfig FILE)');
    case 'cli':
      return formatCommandLine(formatArgv(items));
    case 'qmp':
      return formatQmpLines(items, true);
  }
}

/** Where an export can start: log entries (from a log file or `x-query-log`), or a live kernel with a log. */
export type ExportSource = Iterable<ExportableEntry> | Pick<Kernel, 'store'>;

function entriesOf(source: ExportSource): Iterable<ExportableEntry> {
  if (Symbol.iterator in source) return source as Iterable<ExportableEntry>;
  const store = (source as Pick<Kernel, 'store'>).store;
  if (!store) throw new QmpError('GenericError', 'This VM runs without a command log; there is nothing to export from');
  return store.entries();
}

/**
 * The configuration of a log or a live kernel, as a config file
 * (`commands`), a command line (`cli`) or a QMP script (`qmp`).
 */
export function exportConfig(source: ExportSource, format: ExportFormat): string {
  return renderExport(canonicalCommands(entriesOf(source)), format);
}

/**
 * Export: the configuration as a config file, a command line or a QMP
 * script, made by replaying the logged change commands into one canonical
 * list. QEMU's `-writeconfig` could not serialize a whole command line; here
 * every change went through a logged command, so the list is complete by
 * construction, and a test proves it by the state hash.
 */
import type { Kernel } from '../../kernel/kernel.js';
import { QmpError } from '../../kernel/errors.js';
import { OBJECTS_PATH, PERIPHERAL_PATH } from '../../kernel/index.js';
import { formatArgv, formatCommandLine, formatConfigFile, formatQmpLines, type CommandItem, type ExportFormat } from './formats.js';

/** A log entry as the exporter reads it: a LogEntry (`args`, `phaseAfter`) or an `x-query-log` row (`arguments`, `phase-after`). */
export interface ExportableEntry {
  readonly seq?: number;
  readonly command: string;
  readonly args?: Record<string, unknown>;
  readonly arguments?: Record<string, unknown>;
  readonly applied?: boolean;
  readonly kind?: string;
  readonly error?: unknown;
  readonly phaseAfter?: string;
  readonly 'phase-after'?: string;
  readonly runStateBefore?: string;
  readonly 'run-state-before'?: string;
}

/** Commands that act on the running guest, not on its configuration; replaying them would not rebuild anything. */
const RUN_CONTROL_ONLY = new Set(['stop', 'system_reset', 'system_powerdown', 'quit', 'export-config']);

/** Where each creation command puts its object, and where each deletion command removes one from. */
const CREATED_PATH: Readonly<Record<string, (a: Record<string, unknown>) => string | undefined>> = {
  device_add: (a) => (typeof a['id'] === 'string' ? `${PERIPHERAL_PATH}/${a['id']}` : undefined),
  'object-add': (a) => `${OBJECTS_PATH}/${String(a['id'])}`,
  'blockdev-add': (a) => `/blockdevs/${String(a['node-name'])}`,
  'chardev-add': (a) => `/chardevs/${String(a['id'])}`,
};
const DELETED_PATH: Readonly<Record<string, { creator: string; path: (a: Record<string, unknown>) => string }>> = {
  device_del: { creator: 'device_add', path: (a) => (String(a['id']).startsWith('/') ? String(a['id']) : `${PERIPHERAL_PATH}/${String(a['id'])}`) },
  'object-del': { creator: 'object-add', path: (a) => `${OBJECTS_PATH}/${String(a['id'])}` },
  'blockdev-del': { creator: 'blockdev-add', path: (a) => `/blockdevs/${String(a['node-name'])}` },
  'chardev-remove': { creator: 'chardev-add', path: (a) => `/chardevs/${String(a['id'])}` },
};

/** Commands that bring the machine to `machine-ready` when the entry does not say its phase (a hand-made list). */
const READY_AFTER: Readonly<Record<string, (a: Record<string, unknown>) => boolean>> = {
  cont: () => true,
  'x-exit-preconfig': () => true,
  'until-phase': (a) => a['phase'] === 'machine-ready',
};

/** One applied change, with what canonicalization needs to know about where it ran. */
interface Step {
  readonly item: CommandItem;
  /** The machine was already built (`machine-ready`) when it ran: a device it made or removed was seen by the guest. */
  readonly built: boolean;
}

/**
 * The canonical command list of a log: applied change commands only; run
 * control left out except the first `cont` (where the guest first started
 * matters: devices after it were hot-plugged, and each is marked); an object
 * created and deleted again left out whole where that is invisible;
 * adjacent `machine-set`s merged.
 */
export function canonicalCommands(entries: Iterable<ExportableEntry>): CommandItem[] {
  const steps: Step[] = [];
  let started = false;
  let built = false;
  for (const e of entries) {
    if (e.applied === false || e.error || e.kind === 'query') continue;
    const args = { ...(e.args ?? e.arguments ?? {}) };
    const wasBuilt = built;
    const phaseAfter = e.phaseAfter ?? e['phase-after'];
    built ||= phaseAfter !== undefined ? phaseAfter === 'machine-ready' : (READY_AFTER[e.command]?.(args) ?? false);
    if (RUN_CONTROL_ONLY.has(e.command)) continue;
    if (e.command === 'cont') {
      if (started) continue;
      started = true;
    }
    const runState = e.runStateBefore ?? e['run-state-before'];
    const during = runState === 'running' || runState === 'paused' ? `entry ${e.seq ?? '?'}: ran while the guest was ${runState}; here it runs as soon as the guest starts` : undefined;
    steps.push({ item: { execute: e.command, arguments: args, ...(during ? { note: during } : {}) }, built: wasBuilt });
  }
  return mergeMachineSets(dropCancelled(steps));
}

/** Every string inside a value (arguments are plain data). */
function* strings(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const v of value) yield* strings(v);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) yield* strings(v);
}

/**
 * Removes create/delete pairs of the same object, with the `qom-set`s aimed
 * at it, where leaving them out changes nothing anyone sees: a device
 * removed before the machine was built (never realized, so it took no
 * address or interrupt line), a backend anything; and only when no command
 * between them names the object (a link to it, an `id` it was found by),
 * which would fail or differ without it.
 */
function dropCancelled(steps: readonly Step[]): CommandItem[] {
  const drop = new Set<number>();
  steps.forEach(({ item, built }, i) => {
    const deletion = DELETED_PATH[item.execute];
    if (!deletion) return;
    const path = deletion.path(item.arguments);
    if (item.execute === 'device_del' && built) return;
    for (let j = i - 1; j >= 0; j--) {
      const creator = steps[j]!.item;
      if (drop.has(j) || creator.execute !== deletion.creator || CREATED_PATH[creator.execute]!(creator.arguments) !== path) continue;
      const id = path.slice(path.lastIndexOf('/') + 1);
      const between: number[] = [];
      for (let k = j + 1; k < i; k++) {
        if (drop.has(k)) continue;
        const a = steps[k]!.item.arguments;
        const target = steps[k]!.item.execute === 'qom-set' ? a['path'] : undefined;
        if (typeof target === 'string' && (target === path || target.startsWith(`${path}/`))) between.push(k);
        else for (const s of strings(a)) if (s === id || s === path) return;
      }
      for (const k of [j, ...between, i]) drop.add(k);
      return;
    }
  });
  return steps.filter((_, i) => !drop.has(i)).map((s) => s.item);
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

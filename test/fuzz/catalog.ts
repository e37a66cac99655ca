/**
 * What the fuzzer knows about the program before generating anything: the
 * commands and their argument schemas, the object types and their
 * properties (read from a kernel with the program's own plugins, so a new
 * command or device is fuzzed without touching this file), and pools of
 * names worth hitting: ids, QOM paths, files. Paths under the session's
 * directory are written `@DIR@`; the session substitutes its own.
 */
import { createKernel, type CommandDecl, type ObjectSchema } from '../../kernel/index.js';
import { DEFAULT_PLUGINS } from '../../main/default-plugins.js';
import { OPTIONS } from '../../transports/cli/index.js';
import { HMP_TABLE, INFO_TABLE } from '../../transports/hmp/index.js';

/** Stands for the session's private directory in generated text. */
export const DIR = '@DIR@';

/** A type's settable properties, with their schemas. */
export interface TypeInfo {
  readonly name: string;
  readonly props: ReadonlyArray<{ readonly name: string; readonly schema: ObjectSchema['fields'][string]['schema'] }>;
}

/** Everything the generators draw from. */
export interface Catalog {
  readonly commands: readonly CommandDecl[];
  readonly devices: readonly TypeInfo[];
  readonly objects: readonly TypeInfo[];
  readonly machines: readonly TypeInfo[];
  readonly allTypes: readonly string[];
  readonly propNames: readonly string[];
  readonly options: readonly string[];
  readonly hmpCommands: readonly string[];
  readonly infoCommands: readonly string[];
}

/**
 * Values that would hand the test process's own terminal to the VM (a stdio
 * chardev or monitor): they are real inputs, but the fuzzer runs in the test
 * process and must keep its stdin and stdout.
 */
export const AVOIDED_VALUES: ReadonlySet<string> = new Set(['stdio', 'mon:stdio']);
/** Options that take the terminal in the same way. */
const AVOIDED_OPTIONS = new Set(['-nographic', '-plugin', '--plugin', '--help', '-help', '-h']);

/** Object ids the generators reuse, so commands meet each other's objects. */
export const IDS = ['d0', 'd1', 'disk', 'rng0', 'm0', 'rb', 'c0', 'serial0', 'x', 'monitor0', '', 'a,b', '../up', 'ünï', 'a'.repeat(200)];

/** QOM paths worth naming. */
export const QOM_PATHS = [
  '/',
  '/machine',
  '/machine/peripheral',
  '/machine/peripheral/d0',
  '/machine/peripheral/disk',
  '/machine/uart0',
  '/machine/virtio-mmio0',
  '/objects',
  '/objects/m0',
  '/objects/rng0',
  '/settings',
  '/chardevs/rb',
  '/chardevs/c0',
  '/blockdevs/d0',
  '/globals',
  '/nope',
  'relative',
  '//machine',
];

/** Host files: a disk image, a FIFO, a directory, a symlink to /dev/urandom, a config file, a missing file, and some outside the sandbox. */
export const FILES = [
  `${DIR}/disk.img`,
  `${DIR}/fifo`,
  `${DIR}/sub`,
  `${DIR}/urandom`,
  `${DIR}/inc.yaml`,
  `${DIR}/missing.img`,
  `${DIR}/out.dtb`,
  `${DIR}/serial.log`,
  '/etc/passwd',
  '/dev/zero',
  'relative.img',
];

/** Monitor and socket endpoints (the sandbox refuses new sockets, so these exercise the refusals and the parsing). */
export const ENDPOINTS = [`unix:${DIR}/m.sock`, 'tcp:127.0.0.1:0', 'tcp:0.0.0.0:4444', 'chardev:rb', 'fd:99', 'systemd', 'bogus', 'unix:'];

let catalog: Promise<Catalog> | undefined;

/** The catalog, read once per process from a kernel with the default plugins. */
export function loadCatalog(): Promise<Catalog> {
  catalog ??= (async () => {
    const k = await createKernel({ plugins: [...DEFAULT_PLUGINS] });
    const info = (name: string): TypeInfo => ({ name, props: [...k.types.props(name)].map(([p, d]) => ({ name: p, schema: d.type })) });
    const concrete = (implementsName: string) => k.types.list({ implements: implementsName }).filter((t) => !t.abstract).map((t) => info(t.name));
    const allTypes = k.types.list().map((t) => t.name);
    const result: Catalog = {
      commands: k.registry.list(),
      devices: concrete('device'),
      objects: concrete('user-creatable'),
      machines: concrete('machine'),
      allTypes,
      propNames: [...new Set(allTypes.flatMap((t) => [...k.types.props(t).keys()]))],
      options: OPTIONS.map((o) => o.names[0]!).filter((n) => !AVOIDED_OPTIONS.has(n)),
      hmpCommands: HMP_TABLE.map((c) => c.name),
      infoCommands: INFO_TABLE.map((c) => c.name),
    };
    await k.close();
    return result;
  })();
  return catalog;
}

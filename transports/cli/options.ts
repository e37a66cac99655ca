/**
 * The option table, as data: every command-line option and the commands it
 * expands to. Long forms map one-to-one onto commands (`-device` ->
 * `device_add`); short forms (`-hda`, `-serial stdio`, `-nographic`) are
 * macros over the long forms, and `--print-expansion` shows the result.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseJson } from '../../kernel/plain-data.js';
import { isJsonForm, parseKeyval, type KeyvalObject, type KeyvalValue } from '../feed/keyval.js';
import { coerceArgs, parseBool, parseSize } from '../feed/coerce.js';
import { chardevDrafts, monitorEndpoint, parseEndpoint } from '../feed/chardev-spec.js';
import { HelpRequest, type ExpandContext, type HelpTopic, type OptionSpec } from './option-spec.js';
import type { Draft } from '../feed/step.js';
import { machineCompatKeys, QEMU_COMPAT_OPTIONS } from './qemu-compat.js';
import { smpCpus } from './smp.js';
import { isQemuIni, parseQemuIni } from './qemu-ini.js';

/** The command `-sandbox` runs; owned by the sandbox plugin. */
export const SANDBOX_COMMAND = 'sandbox-set';
/** The device `-drive if=virtio` (and `-hda`, `-cdrom`) plugs the disk into, as on QEMU's virt board. */
export const VIRTIO_BLK_DRIVER = 'virtio-blk-device';

/** Reads a keyval or JSON option argument; `help` raises a HelpRequest for `topic`. */
function readArg(value: string, implied: string | undefined, topic?: HelpTopic): Record<string, KeyvalValue> {
  if (isJsonForm(value)) {
    const parsed: unknown = parseJson(value);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('a JSON argument must be an object');
    return parsed as KeyvalObject;
  }
  const { value: kv, help } = parseKeyval(value, implied);
  if (help) {
    if (!topic) throw new Error(`'help' is not available for this option`);
    throw new HelpRequest(topic, implied ? (kv[implied] as string | undefined) : undefined);
  }
  return kv;
}

/** Types keyval arguments by the command's schema; JSON arguments are already typed and pass unchanged. */
function typedArgs(command: string, value: string, implied: string | undefined, cx: ExpandContext, topic?: HelpTopic): Record<string, unknown> {
  const raw = readArg(value, implied, topic);
  if (isJsonForm(value)) {
    if (command === 'machine-set' && typeof raw['type'] === 'string') cx.coerce.machineType = raw['type'];
    return raw;
  }
  return coerceArgs(command, cx.argsSchema(command), raw, cx.coerce);
}

/** `-machine TYPE[,prop=value...]`: QEMU's keys that are not board properties are checked against what the board has, then left out. */
const machineOption: OptionSpec['expand'] = (value, cx) => {
  if (isJsonForm(value)) return [{ execute: 'machine-set', arguments: typedArgs('machine-set', value, 'type', cx, 'machine') }];
  const raw = machineCompatKeys(readArg(value, 'type', 'machine'), cx);
  if (typeof raw['type'] === 'string') cx.coerce.machineType = raw['type'];
  return [{ execute: 'machine-set', arguments: coerceArgs('machine-set', cx.argsSchema('machine-set'), raw, cx.coerce) }];
};

/** A simple "OPTION VALUE -> one command with one member" option. */
function one(command: string, build: (value: string, cx: ExpandContext) => Record<string, unknown>): OptionSpec['expand'] {
  return (value, cx) => [{ execute: command, arguments: build(value, cx) }];
}

const nothing: OptionSpec['expand'] = () => [];

/** Only the keys listed may appear; the message names the first stray one. */
function onlyKeys(kv: Record<string, unknown>, allowed: readonly string[], what: string): void {
  for (const k of Object.keys(kv)) if (!allowed.includes(k)) throw new Error(`${what} does not take parameter '${k}'`);
}

/** `-log-checkpoint entries=N,seconds=S` (either may be left out): positive integers. */
function checkpointEvery(value: string): { entries?: number; seconds?: number } {
  const kv = readArg(value, 'entries') as Record<string, string>;
  onlyKeys(kv, ['entries', 'seconds'], '-log-checkpoint');
  const out: { entries?: number; seconds?: number } = {};
  for (const k of ['entries', 'seconds'] as const) {
    if (kv[k] === undefined) continue;
    if (!/^[1-9]\d*$/.test(kv[k]!)) throw new Error(`-log-checkpoint ${k} must be a positive integer, got '${kv[k]}'`);
    out[k] = Number(kv[k]);
  }
  return out;
}

/** QEMU's `-m [size=]SIZE`, where a bare number means mebibytes. */
function memoryBytes(value: string): number {
  const kv = readArg(value, 'size') as Record<string, string>;
  onlyKeys(kv, ['size'], '-m');
  return parseSize(kv['size'] ?? '', 'size', 'M');
}

/** `-chardev BACKEND,id=ID,...` */
const chardevOption: OptionSpec['expand'] = (value, cx) => {
  const kv = readArg(value, 'backend', 'chardev') as Record<string, unknown>;
  // Dotted keys (backend.type=..., the QMP shape) read as nested values, which -chardev's flat form has no place for.
  for (const [k, v] of Object.entries(kv))
    if (typeof v !== 'string') throw new Error(`-chardev takes '${k}' as one value (-chardev ringbuf,id=ID,size=N), not as '${k}.KEY=...'`);
  const { backend, id, ...opts } = kv as Record<string, string>;
  if (!id) throw new Error("Parameter 'id' is missing");
  if (!backend) throw new Error("Parameter 'backend' is missing");
  return chardevDrafts(backend, id, opts);
};

/**
 * `-serial X`: the Nth use creates chardev `serialN`, which the board connects
 * to its Nth UART. `-serial chardev:ID` instead points the board's Nth UART at
 * an existing chardev through the machine property `serialN`, so it needs
 * the machine chosen first (a board without that port says so).
 */
const serialOption: OptionSpec['expand'] = (value, cx) => {
  const index = cx.next('serial');
  const ep = parseEndpoint(value);
  if (ep.kind === 'none') return [];
  if (ep.kind === 'chardev') {
    if (!cx.coerce.machineType) throw new Error(`'chardev:${ep.id}' names a port of the machine: choose the machine (-machine) before it`);
    return [{ execute: 'machine-set', arguments: { [`serial${index}`]: ep.id } }];
  }
  const id = `serial${index}`;
  // QEMU's mon:stdio passes Ctrl-C to the guest (signal=off): the console shares the terminal with a monitor, and Ctrl-A x quits.
  const quiet: Record<string, string> = ep.monitor && ep.backend === 'stdio' && ep.opts['signal'] === undefined ? { signal: 'off' } : {};
  const drafts = chardevDrafts(ep.backend, id, ep.monitor ? { ...ep.opts, ...quiet, mux: 'on' } : ep.opts);
  if (ep.monitor) drafts.push({ execute: 'monitor-add', arguments: { protocol: 'hmp', endpoint: `chardev:${id}` } });
  return drafts;
};

/** `-monitor X` / `-qmp X`: a monitor endpoint; `mon:` and `chardev:` spellings go through a chardev. */
function monitorOption(protocol: string): OptionSpec['expand'] {
  return (value) => {
    if (value === 'none') return [];
    const { endpoint, options } = monitorEndpoint(value);
    return [{ execute: 'monitor-add', arguments: { protocol, endpoint, ...options } }];
  };
}

/** `-mon [chardev=]ID[,mode=readline|control][,read-only=on]`. */
const monOption: OptionSpec['expand'] = (value) => {
  const kv = readArg(value, 'chardev') as Record<string, string>;
  onlyKeys(kv, ['chardev', 'mode', 'id', 'read-only'], '-mon');
  if (!kv['chardev']) throw new Error("Parameter 'chardev' is missing");
  const protocol = (kv['mode'] ?? 'readline') === 'control' ? 'qmp' : 'hmp';
  const readOnly = kv['read-only'] !== undefined && parseBool(kv['read-only'], 'read-only');
  return [{ execute: 'monitor-add', arguments: { ...(kv['id'] ? { id: kv['id'] } : {}), protocol, endpoint: `chardev:${kv['chardev']}`, ...(readOnly ? { 'read-only': true } : {}) } }];
};

/**
 * `-drive` keys about how the host does the I/O, which a guest cannot tell
 * apart (QEMU's values; vmledger reads and writes the image synchronously):
 * accepted and checked, then left out.
 */
const DRIVE_HOST_KEYS: Readonly<Record<string, readonly string[]>> = {
  cache: ['none', 'writeback', 'writethrough', 'directsync', 'unsafe'],
  aio: ['threads', 'native', 'io_uring'],
  discard: ['ignore', 'off', 'unmap', 'on'],
  'detect-zeroes': ['off', 'on', 'unmap'],
};

/** Drive interfaces the board has; `none` only creates the block node. */
const DRIVE_INTERFACES = ['virtio', 'none'];

/**
 * `-drive file=F[,if=virtio|none][,id=ID][,format=raw][,readonly=on][,snapshot=on][,media=disk|cdrom][,index=N]`
 * -> `blockdev-add` of a `file` node plus `device_add` of a virtio-blk device on it.
 * `snapshot=on` belongs to the node (its copy-on-write overlay), as in QEMU.
 */
function driveDrafts(kv: Record<string, string>, cx: ExpandContext): Draft[] {
  onlyKeys(kv, ['file', 'if', 'id', 'format', 'readonly', 'snapshot', 'media', 'index', ...Object.keys(DRIVE_HOST_KEYS)], '-drive');
  for (const [k, allowed] of Object.entries(DRIVE_HOST_KEYS))
    if (kv[k] !== undefined && !allowed.includes(kv[k]!)) throw new Error(`-drive ${k}=${kv[k]}: not a value QEMU takes (${allowed.join(', ')})`);
  const iface = kv['if'] ?? 'virtio';
  if (!DRIVE_INTERFACES.includes(iface)) throw new Error(`interface '${iface}' is not available on this board (use ${DRIVE_INTERFACES.join(' or ')})`);
  if (kv['format'] !== undefined && kv['format'] !== 'raw') throw new Error(`format '${kv['format']}' is not supported (raw images only)`);
  if (kv['media'] !== undefined && !['disk', 'cdrom'].includes(kv['media'])) throw new Error(`invalid media '${kv['media']}'`);
  const file = kv['file'];
  if (!file) throw new Error("Parameter 'file' is missing");
  const index = kv['index'] !== undefined ? parseSize(kv['index'], 'index') : cx.next('drive');
  const id = kv['id'] ?? `${iface === 'none' ? 'drive' : iface}${index}`;
  const readOnly = kv['media'] === 'cdrom' || (kv['readonly'] !== undefined && parseBool(kv['readonly'], 'readonly'));
  // -snapshot anywhere on the line makes every -drive a snapshot unless it says snapshot=off, as in QEMU.
  const snapshot = kv['snapshot'] !== undefined ? parseBool(kv['snapshot'], 'snapshot') : cx.argv.includes('-snapshot');
  const drafts: Draft[] = [
    {
      execute: 'blockdev-add',
      arguments: { driver: 'file', 'node-name': id, filename: file, ...(readOnly ? { 'read-only': true } : {}), ...(snapshot ? { snapshot: true } : {}) },
    },
  ];
  if (iface === 'virtio')
    drafts.push({ execute: 'device_add', arguments: { driver: VIRTIO_BLK_DRIVER, id: `${id}-dev`, drive: id } });
  return drafts;
}

/** `-hda F`, `-hdb F`, `-cdrom F`: QEMU's shorthands for `-drive file=F,index=N[,media=cdrom]`. */
function driveShorthand(index: number, media: 'disk' | 'cdrom'): OptionSpec['expand'] {
  return (value, cx) => driveDrafts({ file: value, index: String(index), media }, cx);
}

/** `-global DRIVER.PROP=VALUE` or `-global driver=D,property=P,value=V`. */
const globalOption: OptionSpec['expand'] = (value, cx) => {
  const m = /^([^.=,]+)\.([^=,]+)=(.*)$/s.exec(value);
  const raw = m ? { driver: m[1]!, property: m[2]!, value: m[3]! } : (readArg(value, undefined) as Record<string, string>);
  return [{ execute: 'global-set', arguments: coerceArgs('global-set', cx.argsSchema('global-set'), raw, cx.coerce) }];
};

/** `-nographic`: without any `-serial`, the first serial port and a monitor share the terminal. */
const nographicOption: OptionSpec['expand'] = (_value, cx) => {
  if (cx.argv.includes('-serial') || cx.argv.includes('--serial')) return [];
  return serialOption('mon:stdio', cx);
};

/** `-display none` is the only display: vmledger has no graphical console. */
const displayOption: OptionSpec['expand'] = (value) => {
  if (value.split(',')[0] !== 'none') throw new Error(`display '${value}' is not available (only 'none')`);
  return [];
};

/** `-sandbox on[,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny]`. */
const sandboxOption: OptionSpec['expand'] = (value, cx) => [
  { execute: SANDBOX_COMMAND, arguments: coerceArgs(SANDBOX_COMMAND, cx.argsSchema(SANDBOX_COMMAND), readArg(value, 'enable'), cx.coerce) },
];

/** `-execute COMMAND[,key=value...]` or `-execute '{"execute": ..., "arguments": {...}}'`: any command, typed by its schema. */
const executeOption: OptionSpec['expand'] = (value, cx) => {
  if (isJsonForm(value)) {
    const j = parseJson(value) as { execute?: unknown; arguments?: unknown };
    if (typeof j.execute !== 'string') throw new Error("Parameter 'execute' is missing");
    return [{ execute: j.execute, arguments: (j.arguments ?? {}) as Record<string, unknown> }];
  }
  const { execute, ...raw } = readArg(value, 'execute');
  if (typeof execute !== 'string') throw new Error("Parameter 'execute' is missing");
  return [{ execute, arguments: coerceArgs(execute, cx.argsSchema(execute), raw, cx.coerce) }];
};

/**
 * `-readconfig FILE`: the file's commands run here, in place of the option.
 * A file in QEMU's INI format becomes the options its groups stand for,
 * each expanded as on the command line; anything else is a vmledger config
 * file (YAML or JSON5).
 */
const readconfigOption: OptionSpec['expand'] = (value, cx) => {
  let text: string;
  try {
    text = readFileSync(resolve(cx.cwd ?? process.cwd(), value), 'utf8');
  } catch (e) {
    throw new Error(`cannot read config file '${value}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (!isQemuIni(text)) return cx.readConfig(value);
  let options;
  try {
    options = parseQemuIni(text);
  } catch (e) {
    throw new Error(`${value}: ${(e as Error).message}`);
  }
  return options.flatMap(({ option, value: arg, line }) => {
    const spec = findOption(option);
    if (!spec || spec.arg === undefined) throw new Error(`${value}:${line}: there is no option ${option} for this group`);
    try {
      return spec.expand(arg, cx);
    } catch (e) {
      throw new Error(`${value}:${line} (${option}): ${(e as Error).message}`);
    }
  });
};

/** A machine property option: `-bios F` -> `machine-set {firmware: F}`. */
function machineProp(prop: string): OptionSpec['expand'] {
  return one('machine-set', (value) => ({ [prop]: value }));
}

/**
 * `-bios FILE|default|none`. Without firmware the board runs the kernel from
 * the start of RAM, which is QEMU's `-bios none`; with neither it boots the
 * demo firmware, its `default`. QEMU's default firmware runs a kernel as
 * OpenSBI's payload, which vmledger does not ship: that is refused, naming
 * the way to get it.
 */
const biosOption: OptionSpec['expand'] = (value, cx) => {
  const kernel = cx.argv.includes('-kernel');
  if (value === 'none' && !kernel) throw new Error('-bios none without -kernel leaves nothing to run (without either, the board boots its demo firmware)');
  if (value === 'default' && kernel)
    throw new Error('-bios default with -kernel: vmledger ships no OpenSBI to run the kernel on; name one (-bios /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin) or run the kernel alone (-bios none)');
  return value === 'none' || value === 'default' ? [] : [{ execute: 'machine-set', arguments: { firmware: value } }];
};

/** Every option vmledger understands, in the order `--help` lists them. */
export const OPTIONS: readonly OptionSpec[] = [
  { names: ['-machine', '-M'], arg: 'TYPE[,prop=value...]', doc: "choose the machine type and set machine properties (machine-set); QEMU's accel=, usb=off, aclint=off, aia=none, dump-guest-core= are checked and taken out", expand: machineOption },
  { names: ['-m'], arg: '[size=]SIZE', doc: 'guest RAM; a bare number means MiB (machine-set memory)', expand: one('machine-set', (v) => ({ memory: memoryBytes(v) })) },
  { names: ['-smp'], arg: '[cpus=]N[,maxcpus=M,sockets=S,cores=C,threads=T]', doc: "number of harts (machine-set cpus); the topology is checked as QEMU checks it", expand: one('machine-set', (v, cx) => ({ cpus: smpCpus(v, (w) => cx.settings.warnings.push(`-smp ${v}: ${w}`)) })) },
  {
    names: ['-cpu'],
    arg: 'TYPE[,prop=on|off...] | help',
    doc: 'CPU model (machine-set cpu-type); help lists the models',
    expand: (v, cx) => {
      if (v === 'help' || v === '?') throw new HelpRequest('cpu');
      return machineProp('cpu-type')(v, cx);
    },
  },
  { names: ['-bios'], arg: 'FILE|default|none', doc: 'firmware image, raw or ELF (machine-set firmware); default: the demo firmware; none: -kernel runs from the start of RAM', expand: biosOption },
  { names: ['-kernel'], arg: 'FILE', doc: 'kernel image (machine-set kernel)', expand: machineProp('kernel') },
  { names: ['-initrd'], arg: 'FILE', doc: 'initial ramdisk (machine-set initrd)', expand: machineProp('initrd') },
  { names: ['-append'], arg: 'CMDLINE', doc: 'kernel command line (machine-set append)', expand: machineProp('append') },
  { names: ['-dtb'], arg: 'FILE', doc: 'device tree blob instead of the generated one (machine-set dtb)', expand: machineProp('dtb') },
  { names: ['-name'], arg: '[guest=]NAME', doc: 'the VM name (set-name)', expand: one('set-name', (v) => ({ name: isJsonForm(v) || !v.includes('=') ? v : String(readArg(v, 'guest')['guest']) })) },
  { names: ['-uuid'], arg: 'UUID', doc: 'the VM UUID (set-uuid; query-uuid reports it)', expand: one('set-uuid', (v) => ({ uuid: v })) },
  { names: ['-object'], arg: 'TYPE,id=ID[,prop=value...] | JSON', doc: 'create a backend object (object-add)', expand: (v, cx) => [{ execute: 'object-add', arguments: typedArgs('object-add', v, 'qom-type', cx, 'object') }] },
  { names: ['-device'], arg: 'DRIVER[,prop=value...] | JSON', doc: 'add a device (device_add)', expand: (v, cx) => [{ execute: 'device_add', arguments: typedArgs('device_add', v, 'driver', cx, 'device') }] },
  { names: ['-chardev'], arg: 'BACKEND,id=ID[,...]', doc: "create a character device (chardev-add); mux=on shares it (Ctrl-A c switches, Ctrl-A x quits); a socket is a client unless server=on, and a server waits for its first client unless wait=off, as on QEMU's command line (QMP's chardev-add defaults to a server that does not wait)", expand: chardevOption },
  { names: ['-blockdev'], arg: 'driver=DRIVER,node-name=N[,...] | JSON', doc: 'create a block node (blockdev-add)', expand: (v, cx) => [{ execute: 'blockdev-add', arguments: typedArgs('blockdev-add', v, undefined, cx) }] },
  { names: ['-drive'], arg: 'file=FILE[,if=virtio|none,id=ID,readonly=on,snapshot=on,media=cdrom]', doc: 'a disk: blockdev-add + device_add', expand: (v, cx) => driveDrafts(readArg(v, undefined) as Record<string, string>, cx) },
  { names: ['-hda'], arg: 'FILE', doc: 'first disk (-drive file=FILE,index=0)', expand: driveShorthand(0, 'disk') },
  { names: ['-hdb'], arg: 'FILE', doc: 'second disk (-drive file=FILE,index=1)', expand: driveShorthand(1, 'disk') },
  { names: ['-cdrom'], arg: 'FILE', doc: 'read-only disk (-drive file=FILE,index=2,media=cdrom)', expand: driveShorthand(2, 'cdrom') },
  { names: ['-global'], arg: 'DRIVER.PROP=VALUE', doc: 'default property value for devices of a type (global-set)', expand: globalOption },
  { names: ['-serial'], arg: 'stdio|null|none|file:PATH|unix:PATH[,server=on,wait=off]|tcp:HOST:PORT|mon:stdio|chardev:ID', doc: 'next serial port: chardev serialN (chardev-add), or an existing chardev (machine-set serialN)', expand: serialOption },
  { names: ['-monitor'], arg: 'stdio|unix:PATH|tcp:HOST:PORT|chardev:ID|none[,read-only=on][,tls-creds=ID]', doc: 'a human monitor (monitor-add protocol=hmp); read-only=on runs queries only; tls-creds=ID makes clients complete a TLS handshake', expand: monitorOption('hmp') },
  { names: ['-qmp'], arg: 'stdio|unix:PATH|tcp:HOST:PORT|chardev:ID[,read-only=on][,tls-creds=ID]', doc: 'a QMP monitor (monitor-add protocol=qmp); read-only=on runs queries only; tls-creds=ID makes clients complete a TLS handshake', expand: monitorOption('qmp') },
  { names: ['-mon'], arg: 'chardev=ID[,mode=readline|control][,read-only=on]', doc: 'a monitor on an existing chardev (monitor-add)', expand: monOption },
  { names: ['-action'], arg: 'reboot=reset|shutdown,shutdown=poweroff|pause,panic=pause|shutdown|none', doc: 'what guest reset, poweroff and panic do (set-action)', expand: (v, cx) => [{ execute: 'set-action', arguments: typedArgs('set-action', v, undefined, cx) }] },
  { names: ['-no-reboot'], doc: 'a guest reboot shuts down instead (set-action reboot=shutdown)', expand: () => [{ execute: 'set-action', arguments: { reboot: 'shutdown' } }] },
  { names: ['-no-shutdown'], doc: 'a guest poweroff pauses instead (set-action shutdown=pause)', expand: () => [{ execute: 'set-action', arguments: { shutdown: 'pause' } }] },
  { names: ['-sandbox'], arg: 'on[,allow-paths.N=DIR][,deny-commands.N=CMD][,deny-effects.N=CLASS][,spawn=deny,sockets=deny,...]', doc: `restrict what may run from here on (${SANDBOX_COMMAND})`, expand: sandboxOption },
  { names: ['-execute'], arg: 'COMMAND[,key=value...] | {"execute": ..., "arguments": ...}', doc: 'run any command (every command is reachable from the command line)', expand: executeOption },
  { names: ['-readconfig', '-config'], arg: 'FILE', doc: "run a config file's commands here: YAML, JSON5, or QEMU's own INI format (-writeconfig's)", expand: readconfigOption },
  { names: ['-nographic'], doc: 'no display; without -serial, serial port and monitor share the terminal (-serial mon:stdio)', expand: nographicOption },
  { names: ['-display'], arg: 'none', doc: 'display backend (only none)', expand: displayOption },
  { names: ['-snapshot'], doc: 'every -drive writes to a temporary overlay; the images stay as they are (-drive snapshot=on)', expand: nothing },
  { names: ['-pidfile'], arg: 'FILE', doc: "write the process id to FILE (removed at exit)", expand: (v, cx) => ((cx.settings.pidfile = v), []) },
  ...QEMU_COMPAT_OPTIONS,
  { names: ['-nodefaults'], doc: 'accepted for compatibility: vmledger creates no default devices', expand: nothing },
  { names: ['-no-user-config'], doc: 'accepted for compatibility: vmledger reads no user config file', expand: nothing },
  {
    names: ['-loadvm'],
    arg: 'TAG',
    doc: "start from snapshot TAG of the machine's snapshot-dir (loadvm, once the machine is built)",
    expand: (v, cx) => (cx.settings.last.push({ execute: 'loadvm', arguments: { tag: v }, origin: { transport: 'cli', position: cx.position } }), []),
  },
  {
    names: ['-incoming'],
    arg: 'file:PATH',
    doc: 'start from a migration file written by migrate (migrate-incoming, once the machine is built)',
    expand: (v, cx) => (cx.settings.last.push({ execute: 'migrate-incoming', arguments: { uri: v }, origin: { transport: 'cli', position: cx.position } }), []),
  },
  {
    names: ['-S'],
    doc: 'do not start the guest: wait in prelaunch for a monitor (no cont at the end)',
    expand: (_v, cx) => ((cx.settings.freeze = true), []),
  },
  { names: ['-plugin', '--plugin'], arg: 'PATH|PACKAGE', doc: 'load a plugin (before any option runs)', expand: (v, cx) => (cx.settings.plugins.push(v), []) },
  { names: ['-log'], arg: 'FILE', doc: 'where the command log goes (SQLite)', expand: (v, cx) => ((cx.settings.logPath = v), []) },
  {
    names: ['-log-sync', '--log-sync'],
    arg: 'normal|full',
    doc: 'normal: every reply survives a crash of this process; full: also a power loss (slower)',
    expand: (v, cx) => {
      if (v !== 'normal' && v !== 'full') throw new Error(`'${v}' is not a sync mode (normal or full)`);
      cx.settings.logSync = v;
      return [];
    },
  },
  { names: ['-log-queries', '--log-queries'], doc: 'record queries in the command log too', expand: (_v, cx) => ((cx.settings.logQueries = true), []) },
  {
    names: ['-allow-remote-sockets', '--allow-remote-sockets'],
    doc: 'let sockets listen on or connect to addresses beyond loopback (0.0.0.0, a LAN address); a monitor there still needs tls-creds. No command can grant this',
    expand: (_v, cx) => ((cx.settings.remoteSockets = true), []),
  },
  {
    names: ['--confine', '-confine'],
    doc: "run under Node's permission model: the process may read and write only the files this command line names (and the sandbox's allow-paths), whatever path reaches them",
    expand: (_v, cx) => ((cx.settings.confine = true), []),
  },
  {
    names: ['-log-key', '--log-key'],
    arg: 'FILE',
    doc: "sign the log's checkpoints and seal with this Ed25519 key (made by 'vmledger log keygen FILE')",
    expand: (v, cx) => ((cx.settings.logKey = v), []),
  },
  {
    names: ['-log-checkpoint', '--log-checkpoint'],
    arg: 'entries=N,seconds=S',
    doc: 'checkpoint the log (Merkle root, signed with -log-key) every N entries, and S seconds after the last when entries came since (default 10000,10)',
    expand: (v, cx) => ((cx.settings.logCheckpoint = checkpointEvery(v)), []),
  },
  {
    names: ['-log-witness', '--log-witness'],
    arg: 'stderr|file:PATH',
    doc: "send each checkpoint there too, to verify the log against later (vmledger log verify --witness PATH); may be repeated",
    expand: (v, cx) => (cx.settings.logWitnesses.push(v), []),
  },
  {
    names: ['-log-on-error', '--log-on-error'],
    arg: 'refuse-changes|stop',
    doc: 'when the log cannot be written (a full disk): undo what it could not record, then refuse changes (the default) or also pause the guest (stop)',
    expand: (v, cx) => {
      if (v !== 'stop' && v !== 'refuse-changes') throw new Error(`'${v}' is not an action (refuse-changes or stop)`);
      cx.settings.logOnError = v;
      return [];
    },
  },
  {
    names: ['--print-expansion', '-dry-run', '--print-plan'],
    arg: undefined,
    doc: 'print the commands the command line would run (QMP JSON lines; --print-expansion=config for a config file) and run nothing',
    expand: (_v, cx) => ((cx.settings.printExpansion ??= 'qmp'), []),
  },
  { names: ['--help', '-help', '-h'], doc: 'this help', expand: (_v, cx) => ((cx.settings.help = true), []) },
  { names: ['-version', '--version'], doc: 'print the version', expand: (_v, cx) => ((cx.settings.version = true), []) },
];

const BY_NAME = new Map(OPTIONS.flatMap((o) => o.names.map((n) => [n, o] as const)));

/** Finds an option by any of its names; `--device` is accepted for `-device`, as QEMU does. */
export function findOption(name: string): OptionSpec | undefined {
  return BY_NAME.get(name) ?? (name.startsWith('--') ? BY_NAME.get(name.slice(1)) : undefined);
}

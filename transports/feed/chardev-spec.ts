/**
 * The command line's character-device syntaxes (`-chardev socket,id=c,path=P,server=on`,
 * `-serial unix:P,server=on,wait=off`, `-serial mon:stdio`) turned into
 * QEMU's QMP `chardev-add {id, backend: {type, data}}`, so management
 * software sees exactly the arguments it would send QEMU.
 */
import { parseBool, parseInteger, parseSize } from './coerce.js';
import type { Draft } from './step.js';

type Opts = Record<string, string>;
type BackendData = (o: Opts, id: string) => Record<string, unknown>;

/** Thrown for a chardev spelling we cannot turn into a command; the caller adds the option's position. */
export class ChardevSyntaxError extends Error {
  override readonly name = 'ChardevSyntaxError';
}

function required(o: Opts, key: string, backend: string): string {
  const v = o[key];
  if (v === undefined || v === '') throw new ChardevSyntaxError(`chardev backend '${backend}' needs '${key}'`);
  return v;
}

/** Copies the optional members present, converted by kind. */
function optional(o: Opts, spec: Record<string, 'bool' | 'int' | 'size' | 'str'>): Record<string, unknown> {
  const conv = { bool: parseBool, int: parseInteger, size: (s: string, p: string) => parseSize(s, p), str: (s: string) => s };
  const out: Record<string, unknown> = {};
  for (const [k, kind] of Object.entries(spec)) if (o[k] !== undefined) out[k] = conv[kind](o[k]!, k);
  return out;
}

/**
 * `server` and `wait` as QEMU's command line means them, always spelled out
 * because QMP's defaults differ: on the command line a socket is a client
 * unless `server=on`, and a server waits for its first client unless
 * `wait=off`; QMP's `chardev-add` defaults to a server that does not wait.
 */
function socketRole(o: Opts): { server: boolean; wait?: boolean } {
  const server = o['server'] !== undefined && parseBool(o['server'], 'server');
  if (!server) {
    if (o['wait'] !== undefined) throw new ChardevSyntaxError("'wait' is only for a listening socket (server=on)");
    return { server };
  }
  return { server, wait: o['wait'] === undefined || parseBool(o['wait'], 'wait') };
}

/** Per backend: which keys it takes and how they map into QMP's `data`. */
const BACKENDS: Readonly<Record<string, { keys: readonly string[]; data: BackendData }>> = {
  null: { keys: [], data: () => ({}) },
  stdio: { keys: ['signal'], data: (o) => optional(o, { signal: 'bool' }) },
  file: { keys: ['path', 'append'], data: (o) => ({ out: required(o, 'path', 'file'), ...optional(o, { append: 'bool' }) }) },
  ringbuf: { keys: ['size'], data: (o) => optional(o, { size: 'size' }) },
  socket: {
    keys: ['path', 'host', 'port', 'server', 'wait', 'telnet', 'reconnect', 'nodelay', 'tls-creds'],
    data: (o) => ({
      addr:
        o['path'] !== undefined
          ? { type: 'unix', data: { path: required(o, 'path', 'socket') } }
          : { type: 'inet', data: { host: o['host'] || 'localhost', port: required(o, 'port', 'socket') } },
      ...socketRole(o),
      ...optional(o, { telnet: 'bool', reconnect: 'int', nodelay: 'bool', 'tls-creds': 'str' }),
    }),
  },
};

/** The backend names `-chardev` accepts, for help and errors. */
export const CHARDEV_BACKENDS = Object.keys(BACKENDS);

/**
 * `-chardev BACKEND,id=ID,...` as commands. `mux=on` lets a serial console
 * and a monitor share one terminal (Ctrl-A c switches); the chardev plugin
 * takes it as the backend's own `mux` flag.
 */
export function chardevDrafts(backend: string, id: string, opts: Opts): Draft[] {
  const spec = BACKENDS[backend];
  if (!spec) throw new ChardevSyntaxError(`'${backend}' is not a valid chardev backend (known: ${CHARDEV_BACKENDS.join(', ')})`);
  const { mux, ...rest } = opts;
  for (const k of Object.keys(rest))
    if (!spec.keys.includes(k)) throw new ChardevSyntaxError(`chardev backend '${backend}' does not take parameter '${k}'`);
  const data = spec.data(rest, id);
  const add = (cid: string, type: string, d: Record<string, unknown>): Draft => ({
    execute: 'chardev-add',
    arguments: { id: cid, backend: { type, data: d } },
  });
  return [add(id, backend, mux !== undefined && parseBool(mux, 'mux') ? { ...data, mux: true } : data)];
}

/** Legacy flags QEMU still accepts after an address (`server,nowait`). */
const LEGACY_FLAGS: Readonly<Record<string, [string, string]>> = {
  server: ['server', 'on'],
  nowait: ['wait', 'off'],
  wait: ['wait', 'on'],
  telnet: ['telnet', 'on'],
};

/** Splits `ADDR,k=v,flag` into the address and its options. */
function splitEndpoint(spec: string): [string, Opts] {
  const [addr, ...rest] = spec.split(',');
  const opts: Opts = {};
  for (const part of rest) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq >= 0) opts[part.slice(0, eq)] = part.slice(eq + 1);
    else if (LEGACY_FLAGS[part]) opts[LEGACY_FLAGS[part][0]] = LEGACY_FLAGS[part][1];
    else throw new ChardevSyntaxError(`unknown flag '${part}' after '${addr}'`);
  }
  return [addr!, opts];
}

/** A parsed endpoint spelling: a chardev backend with options, an existing chardev, or nothing. */
export type EndpointSpec =
  | { kind: 'backend'; backend: string; opts: Opts; monitor: boolean }
  | { kind: 'chardev'; id: string }
  | { kind: 'none' };

/**
 * Reads the short endpoint spelling `-serial`, `-monitor` and `-qmp` take:
 * `stdio`, `null`, `none`, `file:PATH`, `unix:PATH[,server=on,wait=off]`,
 * `tcp:HOST:PORT[,...]`, `chardev:ID`, and `mon:X` (X with a monitor muxed in).
 */
export function parseEndpoint(spec: string): EndpointSpec {
  if (spec === 'none') return { kind: 'none' };
  if (spec.startsWith('mon:')) {
    const inner = parseEndpoint(spec.slice(4));
    if (inner.kind !== 'backend') throw new ChardevSyntaxError(`'mon:' needs a backend, not '${spec.slice(4)}'`);
    return { ...inner, monitor: true };
  }
  if (spec.startsWith('chardev:')) return { kind: 'chardev', id: spec.slice(8) };
  const [addr, opts] = splitEndpoint(spec);
  if (addr === 'stdio' || addr === 'null') return { kind: 'backend', backend: addr, opts, monitor: false };
  if (addr.startsWith('file:')) return { kind: 'backend', backend: 'file', opts: { ...opts, path: addr.slice(5) }, monitor: false };
  if (addr.startsWith('unix:')) return { kind: 'backend', backend: 'socket', opts: { ...opts, path: addr.slice(5) }, monitor: false };
  if (addr.startsWith('tcp:')) {
    const m = /^tcp:(.*):([0-9]+)$/.exec(addr);
    if (!m) throw new ChardevSyntaxError(`'${addr}' is not tcp:HOST:PORT`);
    return { kind: 'backend', backend: 'socket', opts: { ...opts, host: m[1] || 'localhost', port: m[2]! }, monitor: false };
  }
  throw new ChardevSyntaxError(`'${spec}' is not a character device (stdio, null, none, file:PATH, unix:PATH, tcp:HOST:PORT, chardev:ID, mon:...)`);
}

/**
 * The endpoint string a monitor transport opens, with the monitor's own
 * options typed: `unix:/p,server=on,wait=off,read-only=on` ->
 * `{endpoint: 'unix:/p', options: {'read-only': true}}`.
 */
export function monitorEndpoint(spec: string): { endpoint: string; options: Record<string, unknown> } {
  const [addr, opts] = splitEndpoint(spec);
  const known = ['server', 'wait', 'telnet', 'nodelay', 'read-only', 'tls-creds'];
  for (const k of Object.keys(opts)) if (!known.includes(k)) throw new ChardevSyntaxError(`a monitor endpoint does not take parameter '${k}' (known: ${known.join(', ')})`);
  // A monitor endpoint is always a server that does not wait: QEMU's flags are checked, and mean nothing more.
  optional(opts, { server: 'bool', wait: 'bool', telnet: 'bool', nodelay: 'bool' });
  return { endpoint: addr, options: optional(opts, { 'read-only': 'bool', 'tls-creds': 'str' }) };
}

/**
 * QMP conformance transcripts: what a client sends and the shape of what it
 * must get back. Each runs on a fresh connection against vmledger and, when
 * `shared`, against a real QEMU too; both must produce the same summaries.
 */

/** The comparable part of one server message. */
export interface Summary {
  kind: 'return' | 'error' | 'event' | 'greeting';
  class?: string;
  /** Compared only when the expectation names it. */
  desc?: string;
  hasId: boolean;
  id?: unknown;
  /** Sorted keys of an object return value, or 'array'; compared only when the expectation names it. */
  shape?: string;
}

/** One transcript. */
export interface Transcript {
  readonly name: string;
  /** Negotiate before sending (the default), or start raw from the greeting. */
  readonly raw?: boolean;
  /** Written in order, each as one write. */
  readonly send: readonly string[];
  readonly expect: readonly Partial<Summary>[];
  /** Runs against QEMU too (commands both servers have). */
  readonly shared: boolean;
  /** QEMU writes extra replies here (its 7.2 streamer resets instead of skipping a bad value): compare only the first and last. */
  readonly qemuFirstAndLast?: boolean;
}

const EXPECTING = "Expecting capabilities negotiation with 'qmp_capabilities'";

/** Summarizes a server message for comparison. */
export function summarize(m: any): Summary {
  if (m === undefined) return { kind: 'error', class: '(connection closed)', hasId: false };
  if ('QMP' in m) return { kind: 'greeting', hasId: false, shape: Object.keys(m.QMP).sort().join(',') };
  const hasId = Object.prototype.hasOwnProperty.call(m, 'id');
  const base = hasId ? { hasId, id: m.id } : { hasId };
  if ('event' in m) return { kind: 'event', ...base, shape: Object.keys(m.timestamp ?? {}).sort().join(',') };
  if ('error' in m) return { kind: 'error', class: m.error.class, desc: m.error.desc, ...base };
  const r = m.return;
  const shape = Array.isArray(r) ? 'array' : typeof r === 'object' && r !== null ? Object.keys(r).sort().join(',') : typeof r;
  return { kind: 'return', ...base, shape };
}

/** Checks a summary against an expectation: only the fields the expectation names are compared. */
export function matches(s: Summary, e: Partial<Summary>): boolean {
  for (const [k, v] of Object.entries(e)) if (JSON.stringify((s as any)[k]) !== JSON.stringify(v)) return false;
  return true;
}

const ret = (id?: unknown, shape?: string): Partial<Summary> => ({ kind: 'return', ...(id === undefined ? { hasId: false } : { hasId: true, id }), ...(shape ? { shape } : {}) });
const err = (cls: string, desc: string, id?: unknown): Partial<Summary> => ({ kind: 'error', class: cls, desc, ...(id === undefined ? { hasId: false } : { hasId: true, id }) });
const status = (id: unknown) => JSON.stringify({ execute: 'query-status', id });
const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

/** Every rule of the wire protocol, as transcripts. */
export const TRANSCRIPTS: readonly Transcript[] = [
  { name: 'greets with version and capabilities', raw: true, send: [], expect: [{ kind: 'greeting', shape: 'capabilities,version' }], shared: true },
  {
    name: 'refuses commands before negotiation with CommandNotFound',
    raw: true,
    send: [status(1)],
    expect: [{ kind: 'greeting' }, err('CommandNotFound', EXPECTING, 1)],
    shared: true,
  },
  {
    name: 'refuses unknown commands before negotiation with the negotiation message',
    raw: true,
    send: ['{"execute":"no-such-command","id":"u"}'],
    expect: [{ kind: 'greeting' }, err('CommandNotFound', EXPECTING, 'u')],
    shared: true,
  },
  {
    name: 'keeps structural errors before negotiation',
    raw: true,
    send: ['{"id":5}'],
    expect: [{ kind: 'greeting' }, err('GenericError', "QMP input lacks member 'execute'", 5)],
    shared: true,
  },
  {
    name: 'negotiates and echoes the id',
    raw: true,
    send: ['{"execute":"qmp_capabilities","id":[1,{"a":null}]}', status('after')],
    expect: [{ kind: 'greeting' }, ret([1, { a: null }], ''), ret('after', 'running,singlestep,status')],
    shared: true,
  },
  {
    name: 'refuses a second qmp_capabilities',
    send: ['{"execute":"qmp_capabilities","id":2}'],
    expect: [err('CommandNotFound', 'Capabilities negotiation is already complete, command ignored', 2)],
    shared: true,
  },
  {
    name: 'echoes ids of every JSON type unchanged',
    send: [42, 'x', { a: [1, null] }, [1, '2'], null, true, false, 1.5, -7, 'é😀 "q"'].map(status),
    expect: [42, 'x', { a: [1, null] }, [1, '2'], null, true, false, 1.5, -7, 'é😀 "q"'].map((id) => ret(id)),
    shared: true,
  },
  { name: 'omits the id when none was sent', send: ['{"execute":"query-status"}'], expect: [ret(undefined)], shared: true },
  { name: 'rejects an array', send: ['[1,2]'], expect: [err('GenericError', 'QMP input must be a JSON object')], shared: true },
  { name: 'rejects a string', send: ['"query-status"\n'], expect: [err('GenericError', 'QMP input must be a JSON object')], shared: true },
  { name: 'rejects a number', send: ['1\n'], expect: [err('GenericError', 'QMP input must be a JSON object')], shared: true },
  { name: 'rejects an unknown member', send: ['{"exec":1}'], expect: [err('GenericError', "QMP input member 'exec' is unexpected")], shared: true },
  {
    name: 'rejects an unknown member and still echoes the id',
    send: ['{"execute":"query-status","foo":1,"id":3}'],
    expect: [err('GenericError', "QMP input member 'foo' is unexpected", 3)],
    shared: true,
  },
  { name: 'rejects exec-oob (oob not offered)', send: ['{"exec-oob":"query-status","id":4}'], expect: [err('GenericError', "QMP input member 'exec-oob' is unexpected", 4)], shared: true },
  { name: 'rejects a missing execute', send: ['{"id":7,"arguments":{}}'], expect: [err('GenericError', "QMP input lacks member 'execute'", 7)], shared: true },
  {
    name: 'rejects non-object arguments',
    send: ['{"execute":"query-status","arguments":[],"id":8}'],
    expect: [err('GenericError', "QMP input member 'arguments' must be an object", 8)],
    shared: true,
  },
  { name: 'rejects a non-string execute', send: ['{"execute":1}'], expect: [err('GenericError', "QMP input member 'execute' must be a string")], shared: true },
  { name: 'reports an unknown command', send: ['{"execute":"nope","id":"x"}'], expect: [err('CommandNotFound', 'The command nope has not been found', 'x')], shared: true },
  {
    name: 'reports an unexpected argument',
    send: ['{"execute":"query-status","arguments":{"x":1},"id":1}'],
    expect: [err('GenericError', "Parameter 'x' is unexpected", 1)],
    shared: true,
  },
  {
    name: 'recovers after an invalid keyword',
    send: ['{"execute": foo}\n', status('after')],
    expect: [err('GenericError', "JSON parse error, invalid keyword 'foo'"), ret('after')],
    shared: true,
  },
  {
    name: 'recovers after stray characters',
    send: [`@@@ ${status('after')}\n`],
    expect: [err('GenericError', "JSON parse error, stray '@'"), ret('after')],
    shared: true,
  },
  {
    // Not shared: QEMU prints the token as it came, a raw newline or megabytes of string included.
    name: 'names a stray token on one short line: control characters escaped, long text cut',
    send: ['"a\\\n', `"${'x'.repeat(100)}\\q\n`, status('after')],
    expect: [err('GenericError', `JSON parse error, stray '"a\\\\n'`), err('GenericError', `JSON parse error, stray '"${'x'.repeat(63)}...'`), ret('after')],
    shared: false,
  },
  {
    name: 'reports a missing separator',
    send: ['{"execute":"query-status" "x"}\n', status('after')],
    expect: [err('GenericError', 'JSON parse error, expected separator in dict'), ret('after')],
    shared: true,
  },
  { name: 'reports a trailing comma', send: ['{"a":1,}\n', status('after')], expect: [err('GenericError', 'JSON parse error, expecting value'), ret('after')], shared: true },
  { name: 'reports a stray closing bracket', send: [']\n', status('after')], expect: [err('GenericError', 'JSON parse error, expecting value'), ret('after')], shared: true },
  { name: 'accepts single-quoted strings as QEMU does', send: ["{'execute':'query-status','id':'sq'}"], expect: [ret('sq')], shared: true },
  { name: 'accepts an object spanning lines', send: ['{"execute":\n"query-status",\n', '"id":\n"multi"}\n'], expect: [ret('multi')], shared: true },
  { name: 'accepts two objects on one line', send: [`${status(1)}${status(2)}\n`], expect: [ret(1), ret(2)], shared: true },
  {
    name: 'accepts nesting up to the limit',
    send: [`{"execute":"query-status","id":${deep(1023)}}`],
    expect: [{ kind: 'return', hasId: true }],
    shared: true,
  },
  {
    name: 'rejects nesting beyond the limit and recovers',
    send: [deep(1025) + '\n', status('after-deep')],
    expect: [err('GenericError', 'JSON nesting depth limit exceeded'), ret('after-deep')],
    shared: true,
    qemuFirstAndLast: true,
  },
  {
    name: 'answers pipelined commands in order',
    send: [Array.from({ length: 50 }, (_, i) => status(i)).join('')],
    expect: Array.from({ length: 50 }, (_, i) => ret(i)),
    shared: true,
  },
  { name: 'query-version has QEMU shape', send: ['{"execute":"query-version","id":1}'], expect: [ret(1, 'package,qemu')], shared: true },
  { name: 'query-commands is a list', send: ['{"execute":"query-commands","id":1}'], expect: [ret(1, 'array')], shared: true },
  { name: 'query-qmp-schema is a list', send: ['{"execute":"query-qmp-schema","id":1}'], expect: [ret(1, 'array')], shared: true },
  { name: 'qom-list-types is a list', send: ['{"execute":"qom-list-types","id":1}'], expect: [ret(1, 'array')], shared: true },
  {
    name: 'qom-get on a missing path is DeviceNotFound',
    send: ['{"execute":"qom-get","arguments":{"path":"/nope","property":"x"},"id":1}'],
    expect: [{ kind: 'error', class: 'DeviceNotFound', hasId: true, id: 1 }],
    shared: true,
  },
  { name: 'stop returns an empty object', send: ['{"execute":"stop","id":9}'], expect: [ret(9, '')], shared: true },
];

import { defineCommand } from '../command.js';
import { QmpError } from '../errors.js';
import { t } from '../schema/types.js';
import type { CoreDeps } from './core-deps.js';

/** QEMU's socket chardev flags, which `-qmp unix:PATH,server=on,wait=off` spells out. */
const QEMU_FLAG = 'Accepted for QEMU compatibility: a monitor endpoint always listens and never waits';

/** Monitors (QMP, HMP, ...) are opened by a command, so the log shows who opened which endpoint. */
export function monitorCommands(deps: CoreDeps) {
  return [
    defineCommand({
      name: 'monitor-add',
      // Every member is declared: nothing a client sends reaches the transport
      // unchecked (its parser and buffer limits are the program's, not the client's).
      args: t.object({
        id: t.optional(t.str(), 'Monitor id; generated when absent'),
        protocol: t.field(t.str(), "A registered transport, such as 'qmp' or 'hmp'"),
        endpoint: t.field(t.host('endpoint', 'rw', 'unix:PATH, tcp:HOST:PORT (loopback unless the program allows more), stdio, chardev:ID or fd:N'), 'Where the monitor listens'),
        'read-only': t.optional(t.bool(), 'Queries only: every change from this monitor is refused (dashboards)'),
        'tls-creds': t.optional(t.str(), 'Id of a tls-creds-x509 or tls-creds-psk object (endpoint=server): clients must complete a TLS handshake; required beyond loopback'),
        server: t.optional(t.bool(), QEMU_FLAG),
        wait: t.optional(t.bool(), QEMU_FLAG),
        telnet: t.optional(t.bool(), QEMU_FLAG),
        nodelay: t.optional(t.bool(), QEMU_FLAG),
      }),
      returns: t.object({ id: t.str() }),
      phases: 'any',
      kind: 'change',
      effects: ['configuration'],
      doc: 'Open a monitor endpoint. During replay nothing is opened. A monitor has the rights of the vmledger process on the host (as QEMU\'s: QMP is privileged) unless it is read-only or a sandbox narrows them',
      example:
        '-> { "execute": "monitor-add", "arguments": { "protocol": "qmp", "endpoint": "unix:/run/vm.qmp" } }\n<- { "return": { "id": "monitor0" } }\n' +
        '-> { "execute": "monitor-add", "arguments": { "protocol": "qmp", "endpoint": "unix:/run/dash.qmp", "read-only": true } }\n<- { "return": { "id": "monitor1" } }',
      async handler({ id, protocol, endpoint, 'read-only': readOnly, 'tls-creds': tlsCreds }, ctx) {
        const transport = deps.transports.get(protocol);
        if (!transport) throw new QmpError('GenericError', `Unknown monitor protocol '${protocol}' (known: ${[...deps.transports.keys()].join(', ')})`);
        let name = id;
        for (let n = 0; name === undefined; n++) if (!deps.monitors.has(`monitor${n}`)) name = `monitor${n}`;
        if (deps.monitors.has(name)) throw new QmpError('GenericError', `Duplicate monitor ID '${name}'`);
        if (ctx.mode === 'replay') return { id: name };
        const access = { ...(readOnly !== undefined ? { 'read-only': readOnly } : {}), ...(tlsCreds !== undefined ? { 'tls-creds': tlsCreds } : {}) };
        const handle = await transport.open(endpoint, deps.transportHost(), { ...access, monitorId: name });
        deps.monitors.set(name, handle);
        ctx.onRollback(async () => {
          deps.monitors.delete(name!);
          await handle.close();
        });
        return { id: name };
      },
    }),
    defineCommand({
      name: 'query-monitors',
      args: t.empty(),
      returns: t.array(t.object({ id: t.str(), description: t.str() }, { name: 'MonitorInfo' })),
      phases: 'any',
      kind: 'query',
      doc: 'The open monitors',
      handler: () => [...deps.monitors].map(([id, h]) => ({ id, description: h.description })),
    }),
  ];
}

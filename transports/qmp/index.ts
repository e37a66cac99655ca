/**
 * The QMP transport plugin: registers `qmp_capabilities` and the `qmp`
 * transport, which `monitor-add {protocol: "qmp", endpoint}` opens.
 *
 * -> {"execute": "monitor-add", "arguments": {"protocol": "qmp", "endpoint": "unix:/run/vm.qmp"}}
 * <- {"return": {}}
 */
import { definePlugin } from '../../kernel/plugin.js';
import type { Origin } from '../../kernel/origin.js';
import type { TransportDecl, TransportHandle, TransportHost } from '../../kernel/transport.js';
import { qmpCapabilitiesCommand } from './capabilities.js';
import { connectionOrigin, listen, listenOptions, type Listener, type MonitorAccess } from './endpoints.js';
import type { ChardevLookup, ChardevPort } from './chardev-connection.js';
import { fairQueueFor } from './fair-queue.js';
import { QmpMonitor, type MonitorLimits } from './monitor.js';

export { JsonStreamParser, DEFAULT_JSON_LIMITS, type JsonStreamLimits, type JsonStreamSink } from './json-stream-parser.js';
export { QmpMonitor, DEFAULT_MONITOR_LIMITS, type MonitorLimits, type MonitorStats } from './monitor.js';
export { FairQueue, fairQueueFor, DEFAULT_FAIR_LIMITS } from './fair-queue.js';
export { listen, listenOptions, connectionOrigin, parseEndpoint, activatedFd, socketActivated, type Connection, type Listener, type MonitorAccess } from './endpoints.js';
export { type ChardevLookup, type ChardevPort } from './chardev-connection.js';
export { qmpCapabilitiesCommand } from './capabilities.js';

/** An open QMP endpoint and the monitors connected to it. */
export class QmpEndpoint implements TransportHandle {
  readonly monitors = new Set<QmpMonitor>();
  /** Every monitor ever accepted, in order (tests and diagnostics read their stats). */
  readonly history: QmpMonitor[] = [];

  constructor(
    private readonly listener: Listener,
    readonly description: string,
  ) {}

  /** The endpoint as a client connects to it (`tcp:127.0.0.1:PORT` with the real port). */
  get endpoint(): string {
    return this.listener.endpoint;
  }

  async close(): Promise<void> {
    for (const m of this.monitors) m.close();
    await this.listener.close();
  }
}

/**
 * How `openQmp` opens an endpoint. `monitor-add` passes only the monitor's
 * access settings and `monitorId`; `limits` (the parser's and buffers'
 * bounds) is for the program itself and its tests, never for a client.
 */
export interface QmpOpenOptions extends MonitorAccess {
  readonly limits?: Partial<MonitorLimits>;
  readonly session?: string;
  /** The id `monitor-add` gave this monitor; origins carry it as the session when no session is given. */
  readonly monitorId?: string;
}

/** Opens a QMP endpoint on a host; each connection becomes one monitor. */
export async function openQmp(endpoint: string, host: TransportHost, options: QmpOpenOptions = {}): Promise<QmpEndpoint> {
  const session = options.session ?? options.monitorId;
  const queue = fairQueueFor(host);
  let handle: QmpEndpoint | undefined;
  const pending: QmpMonitor[] = [];
  const listener = await listen(endpoint, host, (conn) => {
    const origin: Origin = { transport: 'qmp', endpoint: handle?.endpoint ?? endpoint.split(',')[0], ...connectionOrigin(conn, options), ...(session ? { session } : {}) };
    const monitor: QmpMonitor = new QmpMonitor({
      host,
      input: conn.input,
      output: conn.output,
      origin,
      lane: queue.lane(),
      limits: options.limits,
      ownsStreams: conn.ownsStreams,
      onClose: () => handle?.monitors.delete(monitor),
    });
    if (handle) {
      handle.monitors.add(monitor);
      handle.history.push(monitor);
    } else pending.push(monitor); // stdio and chardevs connect before `listen` returns
  }, chardevLookup(host), listenOptions(host, options));
  handle = new QmpEndpoint(listener, `qmp ${listener.endpoint}${options['read-only'] ? ' (read-only)' : ''}`);
  for (const m of pending) {
    handle.monitors.add(m);
    handle.history.push(m);
  }
  return handle;
}

/** Chardevs are objects at `/chardevs/<id>`; their runtime is the port a monitor attaches to. */
export function chardevLookup(host: TransportHost): ChardevLookup {
  return (id) => host.objects.find(`/chardevs/${id}`)?.runtime as ChardevPort | undefined;
}


/** The `qmp` transport declaration. */
export const qmpTransport: TransportDecl = {
  name: 'qmp',
  doc: 'QEMU Machine Protocol: unix:PATH, tcp:127.0.0.1:PORT, stdio, systemd[:NAME] (socket activation), fd:N',
  open: (endpoint, host, options) => openQmp(endpoint, host, options as QmpOpenOptions),
};

/** The QMP plugin. */
export const qmpPlugin = definePlugin({
  name: 'qmp',
  version: '0.1.0',
  setup(host) {
    host.command(qmpCapabilitiesCommand);
    host.transport(qmpTransport);
  },
});

export default qmpPlugin;

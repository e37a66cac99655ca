/**
 * The human monitor (HMP) plugin: registers the `hmp` transport, opened by
 * `monitor-add {protocol: "hmp", endpoint: "stdio" | "unix:PATH"}`
 * (`-monitor stdio`, `-monitor unix:PATH`). Every HMP command is a
 * formatter around the same commands QMP uses, with origin `hmp`.
 *
 * (vmledger) info status
 * VM status: paused (prelaunch)
 */
import { definePlugin } from '../../kernel/plugin.js';
import type { TransportDecl, TransportHandle, TransportHost } from '../../kernel/transport.js';
import { chardevLookup, connectionOrigin, listen, listenOptions, type MonitorAccess } from '../qmp/index.js';
import { HmpSession } from './session.js';
import { humanMonitorCommand } from './human-monitor-command.js';

export { HMP_TABLE, INFO_TABLE, findHmpCommand, type HmpCommand, type HmpContext, type HmpInfo } from './command-table.js';
export { HmpSession, HMP_PROMPT, runHmpLine, splitCommandLine } from './session.js';

/** Opens an HMP endpoint; each connection is one session. */
export async function openHmp(endpoint: string, host: TransportHost, access: MonitorAccess = {}): Promise<TransportHandle> {
  const sessions = new Set<HmpSession>();
  let name = endpoint.split(',')[0]!;
  const listener = await listen(endpoint, host, (conn) => {
    const terminal = conn.client === 'stdio' ? Boolean((conn.input as NodeJS.ReadStream).isTTY) : false;
    const session: HmpSession = new HmpSession({
      host,
      input: conn.input,
      output: conn.output,
      origin: { transport: 'hmp', endpoint: name, ...connectionOrigin(conn, access) },
      terminal,
      ownsStreams: conn.ownsStreams,
      onClose: () => sessions.delete(session),
    });
    sessions.add(session);
  }, chardevLookup(host), listenOptions(host, access));
  name = listener.endpoint;
  return {
    description: `hmp ${listener.endpoint}${access['read-only'] ? ' (read-only)' : ''}`,
    close: async () => {
      for (const s of sessions) s.close();
      await listener.close();
    },
  };
}

/** The `hmp` transport declaration. */
export const hmpTransport: TransportDecl = {
  name: 'hmp',
  doc: 'Human monitor: stdio (line editing and history on a terminal) or unix:PATH',
  open: (endpoint, host, options) => openHmp(endpoint, host, options as MonitorAccess),
};

/** The HMP plugin. */
export const hmpPlugin = definePlugin({
  name: 'hmp',
  version: '0.1.0',
  setup(host) {
    host.transport(hmpTransport);
    host.command(humanMonitorCommand);
  },
});

export default hmpPlugin;

/** Starts a real kernel with the QMP plugin (and any test plugins) and a QMP endpoint opened by `monitor-add`. */
import { join } from 'node:path';
import { createKernel, type Kernel, type Plugin } from '../../kernel/index.js';
import { SqliteLogStore } from '../../kernel/log/sqlite-log-store.js';
import { qmpPlugin } from '../../transports/qmp/index.js';

/** A running kernel with one QMP endpoint. */
export interface TestServer {
  readonly kernel: Kernel;
  readonly endpoint: string;
  readonly log?: SqliteLogStore;
  stop(): Promise<void>;
}

/** Options: extra plugins, a log file, whether to mark configuration done immediately, endpoint options. */
export async function startServer(
  dir: string,
  opts: { plugins?: Plugin[]; log?: boolean; configured?: boolean; endpoint?: string; monitorOptions?: Record<string, unknown> } = {},
): Promise<TestServer> {
  const log = opts.log ? SqliteLogStore.open(join(dir, 'log.sqlite')) : undefined;
  const kernel = await createKernel({ plugins: [qmpPlugin, ...(opts.plugins ?? [])], log });
  const endpoint = opts.endpoint ?? `unix:${join(dir, 'vm.qmp')}`;
  await kernel.execute('monitor-add', { id: 'qmp0', protocol: 'qmp', endpoint, ...opts.monitorOptions }, { transport: 'api' });
  if (opts.configured !== false) kernel.setConfigured();
  return { kernel, endpoint, log, stop: () => kernel.close() };
}

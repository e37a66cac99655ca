/** The vmledger side of bench/qmp-throughput.ts, in its own process as QEMU is: a kernel, a durable log, one QMP Unix socket. */
import { createKernel, definePlugin, t } from '../kernel/index.js';
import { SqliteLogStore } from '../kernel/log/sqlite-log-store.js';
import { openQmp, qmpPlugin } from '../transports/qmp/index.js';

const [socketPath, logPath] = process.argv.slice(2) as [string, string];
/** A settable object for `qom-set` (QEMU's side uses /machine's `dumpdtb`). */
const benchPlugin = definePlugin({
  name: 'qmp-bench',
  version: '0.0.1',
  setup(host) {
    host.type({ name: 'bench-object', parent: 'object', interfaces: ['user-creatable'], props: { label: { type: t.str(), settable: 'always', default: '' } } });
  },
});
const log = SqliteLogStore.open(logPath);
const kernel = await createKernel({ plugins: [qmpPlugin, benchPlugin], log });
await kernel.execute('object-add', { 'qom-type': 'bench-object', id: 'b0' }, { transport: 'api' });
kernel.setConfigured();
await openQmp(`unix:${socketPath}`, kernel.host);
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void kernel.close().then(() => process.exit(0));
});

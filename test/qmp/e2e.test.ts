/** End-to-end over real sockets: many clients, events, disconnects, socket activation, suspension, fairness, bounded buffers. */
import { spawn } from 'node:child_process';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKernel, type Kernel } from '../../kernel/index.js';
import { SqliteLogStore } from '../../kernel/log/sqlite-log-store.js';
import { DEFAULT_FAIR_LIMITS, openQmp, qmpPlugin, type QmpEndpoint } from '../../transports/qmp/index.js';
import { QmpClient, tempDir } from './qmp-client.js';
import { testPlugin, until, type TestProbe } from './test-plugin.js';

let dir: string;
let kernel: Kernel;
let probe: TestProbe;
let log: SqliteLogStore;
const endpoints: QmpEndpoint[] = [];
const clients: QmpClient[] = [];

async function open(endpoint = `unix:${join(dir, `vm${endpoints.length}.qmp`)}`, options = {}): Promise<QmpEndpoint> {
  const ep = await openQmp(endpoint, kernel.host, options);
  endpoints.push(ep);
  return ep;
}
async function client(ep: QmpEndpoint, negotiate = true): Promise<QmpClient> {
  const c = await QmpClient.connect(ep.endpoint);
  clients.push(c);
  if (negotiate) await c.negotiate();
  return c;
}

beforeEach(async () => {
  dir = tempDir();
  const t = testPlugin();
  probe = t.probe;
  log = SqliteLogStore.open(join(dir, 'log.sqlite'));
  kernel = await createKernel({ plugins: [qmpPlugin, t.plugin], log });
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const e of endpoints.splice(0)) await e.close();
  await kernel.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('QMP end to end', () => {
  it('creates the Unix socket with mode 0600', async () => {
    kernel.setConfigured();
    const ep = await open();
    expect(statSync(ep.endpoint.slice(5)).mode & 0o777).toBe(0o600);
  });

  it('serves a loopback TCP endpoint and refuses a non-loopback one', async () => {
    kernel.setConfigured();
    const ep = await open('tcp:127.0.0.1:0');
    const c = await client(ep);
    expect(await c.cmd('query-status', undefined, 1)).toMatchObject({ return: { status: 'prelaunch' }, id: 1 });
    await expect(openQmp('tcp:0.0.0.0:0', kernel.host)).rejects.toThrow(/loopback/);
  });

  it('serves several clients at once, each in its own order, events to every negotiated monitor only', async () => {
    kernel.setConfigured();
    const ep = await open();
    const [a, b] = [await client(ep), await client(ep)];
    const silent = await client(ep, false);
    await silent.next(); // greeting
    a.send([1, 2, 3, 4, 5].map((n) => JSON.stringify({ execute: 'test-emit', arguments: { n }, id: `a${n}` })).join(''));
    b.send([101, 102, 103, 104, 105].map((n) => JSON.stringify({ execute: 'test-emit', arguments: { n }, id: `b${n}` })).join('\n'));
    for (const [c, mine] of [
      [a, ['a1', 'a2', 'a3', 'a4', 'a5']],
      [b, ['b101', 'b102', 'b103', 'b104', 'b105']],
    ] as const) {
      const msgs = await c.take(15);
      expect(msgs.filter((m) => 'return' in m).map((m) => m.id)).toEqual(mine);
      const events = msgs.filter((m) => 'event' in m);
      expect(events.map((e) => e.data.n).sort((x: number, y: number) => x - y)).toEqual([1, 2, 3, 4, 5, 101, 102, 103, 104, 105]);
      for (const e of events) {
        expect(e.event).toBe('TEST_EVENT');
        expect(Number.isInteger(e.timestamp.seconds) && Number.isInteger(e.timestamp.microseconds)).toBe(true);
      }
      // An event is never sent before the command that caused it was accepted, and a reply never before its own event.
      const replyIdx = msgs.findIndex((m) => m.id === mine[0]);
      const eventIdx = msgs.findIndex((m) => 'event' in m && `${mine[0]![0]}${m.data.n}` === mine[0]);
      expect(eventIdx).toBeLessThan(replyIdx);
    }
    // The monitor that never negotiated got no events: its first message after negotiating is the reply.
    silent.send('{"execute":"qmp_capabilities","id":"neg"}');
    expect(await silent.next()).toEqual({ return: {}, id: 'neg' });
  });

  it('completes and logs exactly once a command whose client disconnected', async () => {
    kernel.setConfigured();
    const ep = await open();
    const c = await client(ep);
    c.send('{"execute":"test-gate","id":"g"}');
    await probe.gateEntered;
    c.close();
    await until(() => ep.history[0]!.stats.closed, 'monitor closed');
    probe.release();
    const other = await client(ep);
    expect(await other.cmd('query-status')).toHaveProperty('return');
    const gates = [...log.entries()].filter((e) => e.command === 'test-gate');
    expect(gates).toHaveLength(1);
    expect(gates[0]).toMatchObject({ applied: true, origin: { transport: 'qmp', endpoint: ep.endpoint, client: 'conn-1' } });
  });

  it('names transport, endpoint and connection in the log origin', async () => {
    kernel.setConfigured();
    const ep = await open();
    const [a, b] = [await client(ep), await client(ep)];
    await a.cmd('test-tick');
    await b.cmd('test-tick');
    const origins = [...log.entries()].filter((e) => e.command === 'test-tick').map((e) => e.origin);
    expect(origins).toEqual([
      { transport: 'qmp', endpoint: ep.endpoint, client: 'conn-1' },
      { transport: 'qmp', endpoint: ep.endpoint, client: 'conn-2' },
    ]);
  });

  it('keeps monitors suspended until configuration is done', async () => {
    const ep = await open();
    const c = await client(ep, false);
    c.send('{"execute":"qmp_capabilities"}{"execute":"query-status","id":1}');
    await until(() => ep.history[0]?.stats.parsed === 2, 'requests parsed');
    expect(ep.history[0]!.stats.executed).toBe(0);
    expect(c.rawLines).toEqual([]);
    kernel.setConfigured();
    const [greeting, neg, status] = await c.take(3);
    expect(greeting).toHaveProperty('QMP');
    expect(neg).toEqual({ return: {} });
    expect(status).toMatchObject({ return: { status: 'prelaunch' }, id: 1 });
  });

  it('does not let a flooding client starve another', async () => {
    kernel.setConfigured();
    const ep = await open();
    const [flood, polite] = [await client(ep), await client(ep)];
    flood.send('{"execute":"test-gate"}' + '{"execute":"test-tick"}'.repeat(2000));
    await probe.gateEntered;
    await until(() => ep.history[0]!.stats.parsed >= 1000, 'flood read well past its lane cap');
    polite.send('{"execute":"test-tick","id":"p"}');
    // Two: its qmp_capabilities, then the tick.
    await until(() => ep.history[1]!.stats.executed === 2, 'polite command admitted');
    probe.release();
    expect(await polite.reply()).toEqual({ return: {}, id: 'p' });
    // Only the flood's commands already admitted to the kernel (its lane's cap) ran first.
    expect(probe.ticks.indexOf('conn-2')).toBeLessThanOrEqual(DEFAULT_FAIR_LIMITS.perLane);
    const replies = await flood.take(2001);
    expect(replies.every((r) => 'return' in r)).toBe(true);
  });

  it('bounds what it buffers for a client that does not read', async () => {
    kernel.setConfigured();
    const highWater = 64 << 10;
    const ep = await open(undefined, { limits: { outputHighWater: highWater } });
    const c = await client(ep);
    const reply = JSON.stringify(await c.cmd('query-qmp-schema')).length;
    c.socket.pause();
    const n = 400;
    c.send(Array.from({ length: n }, (_, i) => `{"execute":"query-qmp-schema","id":${i}}`).join(''));
    const m = ep.history[0]!;
    await until(() => m.stats.held, 'output held');
    expect(m.stats.replied).toBeLessThan(n);
    c.socket.resume();
    const got = await c.take(n);
    expect(got.map((r) => r.id)).toEqual(Array.from({ length: n }, (_, i) => i));
    // High-water mark plus what was already in flight in the kernel when it was hit (the lane cap).
    expect(m.stats.maxBuffered).toBeLessThanOrEqual(highWater + (DEFAULT_FAIR_LIMITS.perLane + 1) * (reply + 16));
  });

  it('disconnects a client that reads nothing while events pile up', async () => {
    kernel.setConfigured();
    const hard = 256 << 10;
    const ep = await open(undefined, { limits: { outputHighWater: 64 << 10, outputHardLimit: hard } });
    const deaf = await client(ep);
    deaf.socket.pause();
    const talker = await client(ep);
    const m = ep.history[0]!;
    for (let i = 0; i < 400 && !m.stats.closed; i++) await talker.cmd('test-emit', { n: i, pad: 10_000 });
    expect(m.stats.closed).toBe(true);
    expect(m.stats.maxBuffered).toBeLessThanOrEqual(hard + 11_000);
    expect(await talker.cmd('query-status')).toHaveProperty('return');
  });

  it('accepts a socket passed by systemd socket activation (LISTEN_FDS, fd 3)', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port: 0 }, r));
    const port = (server.address() as net.AddressInfo).port;
    const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
    const script = join(dir, 'activated.mts');
    const root = process.cwd();
    writeFileSync(
      script,
      `import { createKernel } from ${JSON.stringify(join(root, 'kernel/index.ts'))};
import { qmpPlugin } from ${JSON.stringify(join(root, 'transports/qmp/index.ts'))};
const k = await createKernel({ plugins: [qmpPlugin] });
await k.execute('monitor-add', { protocol: 'qmp', endpoint: 'systemd' }, { transport: 'cli' });
k.setConfigured();
process.stdout.write('ready ' + (process.env.LISTEN_FDS ?? 'unset') + '\\n');
`,
    );
    // As systemd does: LISTEN_PID is the pid of the process that execs the service (sh's $$ survives exec).
    const child = spawn('sh', ['-c', 'LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" --import tsx "$1"', process.execPath, script], {
      stdio: ['ignore', 'pipe', 'inherit', fd],
      cwd: root,
    });
    try {
      const ready = await new Promise<string>((resolve, reject) => {
        child.stdout!.once('data', (d) => resolve(String(d)));
        child.once('exit', (code) => reject(new Error(`child exited ${code}`)));
      });
      expect(ready.trim()).toBe('ready unset');
      server.close(); // the child holds its own copy of the listening socket
      const c = await QmpClient.connect(`tcp:127.0.0.1:${port}`);
      clients.push(c);
      await c.negotiate();
      expect(await c.cmd('query-status', undefined, 'sa')).toMatchObject({ return: { status: 'prelaunch' }, id: 'sa' });
    } finally {
      child.kill('SIGKILL');
      server.close();
    }
  });

  it('refuses socket activation meant for another process', async () => {
    const { activatedFd } = await import('../../transports/qmp/endpoints.js');
    expect(() => activatedFd(undefined, { LISTEN_FDS: '1', LISTEN_PID: String(process.pid + 1) })).toThrow(/not this process/);
    expect(activatedFd(undefined, { LISTEN_FDS: '1', LISTEN_PID: String(process.pid) })).toBe(3);
    expect(activatedFd('qmp', { LISTEN_FDS: '2', LISTEN_PID: String(process.pid), LISTEN_FDNAMES: 'hmp:qmp' })).toBe(4);
  });
});

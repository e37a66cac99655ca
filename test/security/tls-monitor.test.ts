import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import net from 'node:net';
import tls from 'node:tls';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { createKernel, type Kernel } from '../../kernel/index.js';
import { SqliteLogStore } from '../../kernel/log/sqlite-log-store.js';
import chardevPlugin from '../../plugins/backends/chardev/index.js';
import tlsPlugin from '../../plugins/backends/tls/index.js';
import { runCommandLine } from '../../transports/cli/index.js';
import hmpPlugin from '../../transports/hmp/index.js';
import { qmpPlugin, type QmpEndpoint } from '../../transports/qmp/index.js';
import { QmpClient, tempDir } from '../qmp/qmp-client.js';
import { describeNeeding, lacking } from '../needs.js';
import { makePki, type Pki } from './pki.js';

const api = { transport: 'api' };
const kernels: Kernel[] = [];

afterEach(async () => {
  for (const k of kernels.splice(0)) await k.close();
});

async function kernel(log?: SqliteLogStore): Promise<Kernel> {
  const k = await createKernel({ plugins: [qmpPlugin, hmpPlugin, chardevPlugin, tlsPlugin], log });
  kernels.push(k);
  k.setConfigured();
  return k;
}

/** A TLS connection to a loopback port; resolves once the handshake is done, rejects when it fails. */
function tlsConnect(port: number, opts: tls.ConnectionOptions): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ...opts }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Whether a connection is closed by the server before anything is read from it. */
function closedWithoutData(s: tls.TLSSocket | net.Socket): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    s.on('data', (d) => (got += d.toString()));
    s.on('error', () => undefined);
    s.on('close', () => resolve(got));
  });
}

const portOf = (endpoint: string) => Number(endpoint.slice(endpoint.lastIndexOf(':') + 1));

describeNeeding('TLS on monitors', lacking('openssl'), () => {
  let pki: Pki;
  beforeAll(() => {
    pki = makePki();
  });

  async function x509Monitor(k: Kernel, extra: Record<string, unknown> = {}): Promise<number> {
    await k.execute('object-add', { 'qom-type': 'tls-creds-x509', id: 'tls0', dir: pki.serverDir, endpoint: 'server', ...extra }, api);
    const { id } = (await k.execute('monitor-add', { protocol: 'qmp', endpoint: 'tcp:127.0.0.1:0', 'tls-creds': 'tls0' }, api)) as { id: string };
    const monitors = (await k.execute('query-monitors', {}, api)) as Array<{ id: string; description: string }>;
    return portOf(monitors.find((m) => m.id === id)!.description);
  }

  it('a QMP monitor with tls-creds-x509 serves a client whose certificate the CA signed, and the log records its address and subject', async () => {
    const log = SqliteLogStore.open(join(tempDir(), 'log.db'));
    const k = await kernel(log);
    const port = await x509Monitor(k);
    const socket = await tlsConnect(port, { ca: pki.ca, cert: pki.client.cert, key: pki.client.key });
    const localPort = socket.localPort;
    const client = QmpClient.over(socket);
    const greeting = await client.negotiate();
    expect(greeting.QMP).toBeDefined();
    expect(await client.cmd('set-name', { name: 'over-tls' })).toEqual({ return: {} });
    client.close();
    const entry = [...log.entries()].find((e) => e.command === 'set-name')!;
    expect(entry.origin).toMatchObject({ transport: 'qmp', client: 'conn-1', peer: `tcp:127.0.0.1:${localPort}`, identity: 'x509:O=vmledger tests,CN=ops' });
  });

  it('verify-peer is on by default, as in QEMU: no client certificate, or one from another CA, never reaches the monitor', async () => {
    const k = await kernel();
    const port = await x509Monitor(k);
    await expect(tlsConnect(port, { ca: pki.ca }).then(closedWithoutData)).resolves.toBe('');
    await expect(tlsConnect(port, { ca: pki.ca, cert: pki.rogue.cert, key: pki.rogue.key }).then(closedWithoutData)).resolves.toBe('');
    const endpoint = [...(k as unknown as { monitors: Map<string, QmpEndpoint> }).monitors.values()][0]!;
    expect(endpoint.history).toEqual([]);
  });

  it('a client that does not speak TLS gets no greeting and runs nothing', async () => {
    const k = await kernel();
    const port = await x509Monitor(k);
    const plain = net.connect(port, '127.0.0.1');
    const answer = closedWithoutData(plain);
    plain.write('{"execute":"qmp_capabilities"}\n{"execute":"set-name","arguments":{"name":"plain"}}\n');
    expect(await answer).not.toContain('QMP');
    expect(await k.execute('query-name', {}, api)).toEqual({});
  });

  it('verify-peer=off serves a client without a certificate (encryption only), and records no identity', async () => {
    const log = SqliteLogStore.open(join(tempDir(), 'log.db'));
    const k = await kernel(log);
    const port = await x509Monitor(k, { 'verify-peer': false });
    const client = QmpClient.over(await tlsConnect(port, { ca: pki.ca }));
    await client.negotiate();
    await client.cmd('set-name', { name: 'anonymous' });
    client.close();
    const entry = [...log.entries()].find((e) => e.command === 'set-name')!;
    expect(entry.origin.identity).toBeUndefined();
    expect(entry.origin.peer).toMatch(/^tcp:127\.0\.0\.1:\d+$/);
  });

  it('tls-creds-psk: a client that knows the key for its identity is served and named by it; a wrong key is not', async () => {
    const log = SqliteLogStore.open(join(tempDir(), 'log.db'));
    const k = await kernel(log);
    await k.execute('object-add', { 'qom-type': 'tls-creds-psk', id: 'psk0', dir: pki.pskDir, endpoint: 'server' }, api);
    await k.execute('monitor-add', { id: 'm', protocol: 'qmp', endpoint: 'tcp:127.0.0.1:0', 'tls-creds': 'psk0' }, api);
    const monitors = (await k.execute('query-monitors', {}, api)) as Array<{ description: string }>;
    const port = portOf(monitors[0]!.description);
    const psk = (key: Buffer): tls.ConnectionOptions => ({ ciphers: 'PSK', checkServerIdentity: () => undefined, pskCallback: () => ({ psk: key, identity: 'ops' }) });
    const client = QmpClient.over(await tlsConnect(port, psk(pki.psk)));
    await client.negotiate();
    await client.cmd('set-name', { name: 'psk' });
    client.close();
    expect([...log.entries()].find((e) => e.command === 'set-name')!.origin.identity).toBe('psk:ops');
    await expect(tlsConnect(port, psk(Buffer.alloc(32, 7))).then(closedWithoutData)).rejects.toThrow();
  });

  it('works from the command line as in QEMU: -object tls-creds-x509,...,endpoint=server and -chardev socket,...,tls-creds=ID under a QMP monitor', async () => {
    const k = await createKernel({ plugins: [qmpPlugin, hmpPlugin, chardevPlugin, tlsPlugin] });
    kernels.push(k);
    const io = { out: '', err: '', stdout(s: string) { this.out += s; }, stderr(s: string) { this.err += s; } };
    const outcome = await runCommandLine(
      ['-object', `tls-creds-x509,id=tls0,dir=${pki.serverDir},endpoint=server`, '-chardev', 'socket,id=c0,host=127.0.0.1,port=0,server=on,wait=off,tls-creds=tls0', '-mon', 'chardev=c0,mode=control'],
      k,
      io,
    );
    expect(io.err).toBe('');
    expect(outcome.status).toBe('running');
    const [chardev] = (await k.execute('query-chardev', {}, api)) as Array<{ filename: string }>;
    const port = Number(/:(\d+),server=on$/.exec(chardev!.filename)![1]);
    // A monitor on a chardev greets once, when it starts (before this client connected), so the client negotiates straight away.
    const client = QmpClient.over(await tlsConnect(port, { ca: pki.ca, cert: pki.client.cert, key: pki.client.key }));
    expect(await client.cmd('qmp_capabilities')).toEqual({ return: {} });
    expect(await client.cmd('query-name')).toEqual({ return: {} });
    client.close();
  });

  it('a socket chardev that connects out with tls-creds (endpoint=client) presents its certificate and checks the server by the CA', async () => {
    let peer = '';
    const received = new Promise<string>((resolve) => {
      const server = tls.createServer({ ca: pki.ca, cert: readFileSync(join(pki.serverDir, 'server-cert.pem')), key: readFileSync(join(pki.serverDir, 'server-key.pem')), requestCert: true, rejectUnauthorized: true }, (s) => {
        peer = s.getPeerX509Certificate()!.subject;
        s.on('data', (d) => (resolve(d.toString()), s.end(), server.close()));
      });
      server.listen(0, '127.0.0.1', () => void connectOut((server.address() as net.AddressInfo).port));
    });
    const k = await kernel();
    async function connectOut(port: number) {
      await k.execute('object-add', { 'qom-type': 'tls-creds-x509', id: 'out', dir: pki.clientDir, endpoint: 'client' }, api);
      await k.execute('chardev-add', { id: 'c', backend: { type: 'socket', data: { addr: { type: 'inet', data: { host: '127.0.0.1', port: String(port) } }, server: false, 'tls-creds': 'out' } } }, api);
      (k.objects.get('/chardevs/c').runtime as { write(d: Uint8Array): void }).write(new TextEncoder().encode('hello over tls'));
    }
    expect(await received).toBe('hello over tls');
    expect(peer).toContain('CN=ops');
  });

  it('a chardev that connects out refuses a server its CA did not sign, naming the address', async () => {
    const server = tls.createServer({ cert: pki.rogue.cert, key: pki.rogue.key }, (s) => s.on('error', () => undefined));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const k = await kernel();
      await k.execute('object-add', { 'qom-type': 'tls-creds-x509', id: 'out', dir: pki.clientDir, endpoint: 'client' }, api);
      await expect(
        k.execute('chardev-add', { id: 'c', backend: { type: 'socket', data: { addr: { type: 'inet', data: { host: '127.0.0.1', port: String(port) } }, server: false, 'tls-creds': 'out' } } }, api),
      ).rejects.toMatchObject({ desc: expect.stringMatching(new RegExp(`^TLS handshake with 'tcp:127\\.0\\.0\\.1:${port}' failed: `)) });
      expect(await k.execute('query-chardev', {}, api)).toEqual([]);
    } finally {
      server.close();
    }
  });

  it('names what is wrong with the credentials: an unknown id, the wrong side, a missing file', async () => {
    const k = await kernel();
    await expect(k.execute('monitor-add', { protocol: 'qmp', endpoint: 'tcp:127.0.0.1:0', 'tls-creds': 'nope' }, api)).rejects.toMatchObject({ desc: "No TLS credentials with id 'nope'" });
    await k.execute('object-add', { 'qom-type': 'tls-creds-x509', id: 'cli', dir: pki.clientDir, endpoint: 'client' }, api);
    await expect(k.execute('monitor-add', { protocol: 'qmp', endpoint: 'tcp:127.0.0.1:0', 'tls-creds': 'cli' }, api)).rejects.toMatchObject({ desc: 'Expecting TLS credentials with a server endpoint' });
    await expect(k.execute('object-add', { 'qom-type': 'tls-creds-x509', id: 'bad', dir: pki.clientDir, endpoint: 'server' }, api)).rejects.toMatchObject({
      desc: `Unable to access credentials ${join(pki.clientDir, 'server-cert.pem')}: No such file or directory`,
    });
    expect(await k.execute('query-monitors', {}, api)).toEqual([]);
  });
});

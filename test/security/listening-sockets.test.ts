import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { createKernel, type Kernel } from '../../kernel/index.js';
import { DEFAULT_PLUGINS } from '../../main/default-plugins.js';
import { runCommandLine } from '../../transports/cli/index.js';
import { QmpClient, VmProcess, VMLEDGER } from '../e2e/run-vmledger.js';
import { describeNeeding, itNeeding, lacking } from '../needs.js';
import { makePki } from './pki.js';

const api = { transport: 'qmp', client: 'conn-1' };
const kernels: Kernel[] = [];

afterEach(async () => {
  for (const k of kernels.splice(0)) await k.close();
});

async function kernel(remoteSockets = false): Promise<Kernel> {
  const k = await createKernel({ plugins: DEFAULT_PLUGINS, remoteSockets });
  kernels.push(k);
  return k;
}

const inetChardev = (host: string, server = true) => ({
  id: 'net0',
  backend: { type: 'socket', data: { addr: { type: 'inet', data: { host, port: '4444' } }, server, wait: false } },
});

const NOT_LOOPBACK = (address: string, verb = 'listen on') =>
  `Refusing to ${verb} '${address}': it is not a loopback address (127.0.0.1, ::1); start vmledger with -allow-remote-sockets to reach beyond this host`;
const NEEDS_AUTH = (address: string) =>
  `A monitor on '${address}' would be reachable beyond this host without authentication: give its socket tls-creds=ID (a tls-creds-x509 or tls-creds-psk object)`;

describe('every socket stays on this host unless the program was started with -allow-remote-sockets', () => {
  it('a client cannot open a socket chardev on 0.0.0.0 (to put a QMP monitor on it), and nothing is created', async () => {
    const k = await kernel();
    await expect(k.execute('chardev-add', inetChardev('0.0.0.0'), api)).rejects.toMatchObject({ desc: NOT_LOOPBACK('tcp:0.0.0.0:4444') });
    expect(await k.execute('query-chardev', {}, api)).toEqual([]);
  });

  it('nor on the IPv6 wildcard, nor connect a chardev out to another host', async () => {
    const k = await kernel();
    await expect(k.execute('chardev-add', inetChardev('::'), api)).rejects.toMatchObject({ desc: NOT_LOOPBACK('tcp:[::]:4444') });
    await expect(k.execute('chardev-add', inetChardev('192.0.2.1', false), api)).rejects.toMatchObject({ desc: NOT_LOOPBACK('tcp:192.0.2.1:4444', 'connect to') });
  });

  it('monitor-add on a non-loopback TCP address names the opt-in; with it, a monitor there still needs tls-creds (refused before binding)', async () => {
    await expect((await kernel()).execute('monitor-add', { protocol: 'qmp', endpoint: 'tcp:0.0.0.0:4444' }, api)).rejects.toMatchObject({ desc: NOT_LOOPBACK('tcp:0.0.0.0:4444') });
    const allowed = await kernel(true);
    for (const protocol of ['qmp', 'hmp'])
      await expect(allowed.execute('monitor-add', { protocol, endpoint: 'tcp:0.0.0.0:4444' }, api)).rejects.toMatchObject({ desc: NEEDS_AUTH('tcp:0.0.0.0:4444') });
    expect(await allowed.execute('query-monitors', {}, api)).toEqual([]);
  });

  it('a host name is judged by every address it resolves to: localhost is loopback', async () => {
    const k = await kernel();
    await k.execute('chardev-add', { id: 'local', backend: { type: 'socket', data: { addr: { type: 'inet', data: { host: 'localhost', port: '0' } }, server: true, wait: false } } }, api);
    const [c] = (await k.execute('query-chardev', {}, api)) as Array<{ filename: string }>;
    expect(c!.filename).toMatch(/^tcp:(127\.0\.0\.1|\[::1\]):\d+,server=on$/);
  });

  it.each([
    ['-chardev', 'socket,id=c,host=0.0.0.0,port=4444,server=on,wait=off', 'tcp:0.0.0.0:4444'],
    ['-serial', 'tcp:0.0.0.0:4444,server=on,wait=off', 'tcp:0.0.0.0:4444'],
    ['-qmp', 'tcp:0.0.0.0:4444', 'tcp:0.0.0.0:4444'],
    ['-monitor', 'tcp:[::]:4444', 'tcp:[::]:4444'],
  ])('the command line follows the same rule: %s %s', async (option, value, address) => {
    const k = await kernel();
    const io = { err: '', stdout() {}, stderr(s: string) { this.err += s; } };
    const outcome = await runCommandLine([option, value, '-S'], k, io);
    expect(outcome.status).toBe('failed');
    expect(io.err).toContain(NOT_LOOPBACK(address));
  });
});

/** Whether this machine lets us make a network namespace (util-linux's unshare, as root): the only place a test may bind 0.0.0.0. */
/** What keeps this process from making a private network namespace: unshare (util-linux) or the privilege it needs. */
const NO_NETNS = lacking('unshare') ?? (() => {
  try {
    execFileSync('unshare', ['-n', 'true'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'the privilege to make a network namespace (unshare -n fails: run as root)';
  }
})();

describeNeeding('a monitor on a chardev that listens beyond loopback (in a private network namespace)', NO_NETNS, () => {
  const run = (...args: string[]) => new VmProcess(args, undefined, ['unshare', '-n', process.execPath, VMLEDGER]);

  it.each([
    ['-chardev', 'socket,id=c,host=0.0.0.0,port=4444,server=on,wait=off', '-mon', 'chardev=c,mode=control'],
    ['-serial', 'mon:tcp:0.0.0.0:4444,server=on,wait=off'],
  ])('is refused without tls-creds even with -allow-remote-sockets: %s %s', async (...argv) => {
    const vm = run('-allow-remote-sockets', ...argv, '-S', '-log', 'vm.db');
    expect(await vm.exited).toBe(1);
    expect(vm.stderr).toContain(NEEDS_AUTH('tcp:0.0.0.0:4444'));
  });

  itNeeding('is accepted with tls-creds', lacking('openssl'), async () => {
    const pki = makePki();
    const vm = run('-allow-remote-sockets', '-object', `tls-creds-x509,id=tls0,dir=${pki.serverDir},endpoint=server`,
      '-chardev', 'socket,id=c,host=0.0.0.0,port=4444,server=on,wait=off,tls-creds=tls0', '-mon', 'chardev=c,mode=control', '-qmp', 'unix:vm.qmp', '-S', '-log', 'vm.db');
    try {
      const qmp = await QmpClient.connect(`${vm.cwd}/vm.qmp`);
      expect(await qmp.cmd('query-chardev')).toMatchObject([{ label: 'c', filename: 'tcp:0.0.0.0:4444,server=on' }]);
      await qmp.cmd('quit');
      expect(await vm.exited).toBe(0);
    } finally {
      vm.kill();
    }
  });
});

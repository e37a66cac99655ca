import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKernel, type Kernel } from '../../kernel/index.js';
import { DEFAULT_PLUGINS } from '../../main/default-plugins.js';
import sandboxPlugin from '../../plugins/sandbox/index.js';

const api = { transport: 'api' };

async function kernel() {
  return createKernel({ plugins: [sandboxPlugin] });
}

describe('sandbox', () => {
  it('refuses a denied command from the point it is turned on, not before', async () => {
    const k = await kernel();
    await k.execute('set-name', { name: 'before' }, api);
    await k.execute('sandbox-set', { enable: true, 'deny-commands': ['set-name'] }, api);
    await expect(k.execute('set-name', { name: 'after' }, api)).rejects.toMatchObject({ desc: 'The command set-name is not allowed: the sandbox denies it' });
  });

  it('refuses host files outside the allowed paths', async () => {
    const k = await kernel();
    await k.execute('sandbox-set', { enable: true, 'allow-paths': ['/srv/vm'] }, api);
    await expect(k.broker.readFile('/etc/hostname')).rejects.toThrow("Access to file '/etc/hostname' (r) denied: the sandbox allows files only below /srv/vm");
  });

  it('refuses sockets and processes when denied', async () => {
    const k = await kernel();
    await k.execute('sandbox-set', { enable: true, sockets: 'deny', spawn: 'deny' }, api);
    expect(() => k.broker.authorize({ kind: 'socket', target: 'unix:/tmp/x', access: 'listen' })).toThrow('the sandbox denies sockets');
    expect(() => k.broker.authorize({ kind: 'process', target: '/bin/sh', access: 'exec' })).toThrow('the sandbox denies spawning processes');
  });

  it('only tightens: a rule that is deny cannot become allow, and the sandbox cannot be turned off', async () => {
    const k = await kernel();
    await k.execute('sandbox-set', { enable: true, spawn: 'deny' }, api);
    await expect(k.execute('sandbox-set', { enable: true, spawn: 'allow' }, api)).rejects.toMatchObject({ desc: "The sandbox rule 'spawn' can only be tightened: it is already 'deny'" });
    await expect(k.execute('sandbox-set', { enable: false }, api)).rejects.toMatchObject({ desc: 'The sandbox cannot be turned off once it is on' });
  });

  it('allowed paths only narrow: a later list keeps only directories inside the earlier one', async () => {
    const k = await kernel();
    await k.execute('sandbox-set', { enable: true, 'allow-paths': ['/srv'] }, api);
    await k.execute('sandbox-set', { enable: true, 'allow-paths': ['/srv/vm', '/etc'] }, api);
    expect(k.objects.get('/sandbox').get('policy')).toMatchObject({ 'allow-paths': ['/srv/vm'] });
  });

  it('the policy is configuration: it changes the state hash', async () => {
    const k = await kernel();
    const before = k.stateHash();
    await k.execute('sandbox-set', { enable: true }, api);
    expect(k.stateHash()).not.toBe(before);
  });
});

describe('sandbox allow-paths: every host path, resolved', () => {
  const kernels: Kernel[] = [];
  afterEach(async () => {
    for (const k of kernels.splice(0)) await k.close();
  });
  /** A kernel with the default plugins, an allowed folder and a folder outside it. */
  async function confined() {
    const root = mkdtempSync(join(tmpdir(), 'sandbox-'));
    const allowed = join(root, 'allowed');
    const outside = join(root, 'outside');
    mkdirSync(allowed);
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret'), 'not yours');
    const k = await createKernel({ plugins: DEFAULT_PLUGINS });
    kernels.push(k);
    await k.execute('sandbox-set', { enable: true, 'allow-paths': [allowed] }, api);
    return { k, allowed, outside };
  }
  const unixChardev = (path: string, server = true) => ({ id: 'c', backend: { type: 'socket', data: { addr: { type: 'unix', data: { path } }, server, wait: false } } });

  it('a socket chardev outside the allowed folder is refused, listening or connecting, and no socket appears', async () => {
    const { k, outside } = await confined();
    for (const server of [true, false])
      await expect(k.execute('chardev-add', unixChardev(join(outside, 's.sock'), server), api)).rejects.toMatchObject({
        desc: `Access to socket 'unix:${join(outside, 's.sock')}' (${server ? 'listen' : 'connect'}) denied: the sandbox allows sockets only below ${join(dirname(outside), 'allowed')}`,
      });
    expect(existsSync(join(outside, 's.sock'))).toBe(false);
  });

  it('monitor-add unix: outside the allowed folder is refused; inside it is served', async () => {
    const { k, allowed, outside } = await confined();
    await expect(k.execute('monitor-add', { protocol: 'qmp', endpoint: `unix:${join(outside, 'q.sock')}` }, api)).rejects.toMatchObject({ desc: expect.stringContaining('denied: the sandbox allows sockets only below') });
    await k.execute('monitor-add', { protocol: 'qmp', endpoint: `unix:${join(allowed, 'q.sock')}` }, api);
    expect(existsSync(join(allowed, 'q.sock'))).toBe(true);
  });

  it('a symlink inside the allowed folder that leads outside is refused, for reading and for writing, and names where it leads', async () => {
    const { k, allowed, outside } = await confined();
    symlinkSync(join(outside, 'secret'), join(allowed, 'innocent.img'));
    await expect(k.execute('blockdev-add', { driver: 'file', 'node-name': 'd', filename: join(allowed, 'innocent.img') }, api)).rejects.toMatchObject({
      desc: `Access to file '${join(allowed, 'innocent.img')}' (${join(outside, 'secret')}) (rw) denied: the sandbox allows files only below ${allowed}`,
    });
    await expect(k.execute('chardev-add', { id: 'f', backend: { type: 'file', data: { out: join(allowed, 'innocent.img') } } }, api)).rejects.toMatchObject({ desc: expect.stringContaining('denied') });
    expect(readFileSync(join(outside, 'secret'), 'utf8')).toBe('not yours');
  });

  it('a file that does not exist yet is judged by where its folder really is', async () => {
    const { k, allowed, outside } = await confined();
    symlinkSync(outside, join(allowed, 'door'));
    await expect(k.execute('chardev-add', { id: 'f', backend: { type: 'file', data: { out: join(allowed, 'door', 'new.log') } } }, api)).rejects.toMatchObject({ desc: expect.stringContaining('denied') });
    expect(existsSync(join(outside, 'new.log'))).toBe(false);
    symlinkSync(join(outside, 'not-yet'), join(allowed, 'dangling'));
    await expect(k.execute('chardev-add', { id: 'g', backend: { type: 'file', data: { out: join(allowed, 'dangling') } } }, api)).rejects.toMatchObject({ desc: expect.stringContaining('denied') });
    expect(existsSync(join(outside, 'not-yet'))).toBe(false);
  });

  it('an allowed folder named through a symlink still allows the files in it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sandbox-'));
    mkdirSync(join(root, 'real'));
    symlinkSync(join(root, 'real'), join(root, 'alias'));
    const k = await createKernel({ plugins: DEFAULT_PLUGINS });
    kernels.push(k);
    await k.execute('sandbox-set', { enable: true, 'allow-paths': [join(root, 'alias')] }, api);
    await k.execute('chardev-add', { id: 'f', backend: { type: 'file', data: { out: join(root, 'real', 'console.log') } } }, api);
    expect(existsSync(join(root, 'real', 'console.log'))).toBe(true);
  });
});

describe('sandbox deny-effects: classes of effect, whichever command has them', () => {
  it('denying configuration refuses set-name and qom-set alike (the same change by two names); queries and run control still run', async () => {
    const k = await kernel();
    await k.execute('sandbox-set', { enable: true, 'deny-effects': ['configuration'] }, api);
    await expect(k.execute('set-name', { name: 'a' }, api)).rejects.toMatchObject({ desc: 'The command set-name is not allowed: the sandbox denies configuration' });
    await expect(k.execute('qom-set', { path: '/settings', property: 'name', value: 'a' }, api)).rejects.toMatchObject({ desc: 'The command qom-set is not allowed: the sandbox denies configuration' });
    expect(await k.execute('query-name', {}, api)).toEqual({});
    await k.execute('stop', {}, api);
  });

  it('deny-commands stays by name: denying qom-set alone leaves set-name (which is what classes are for)', async () => {
    const k = await kernel();
    await k.execute('sandbox-set', { enable: true, 'deny-commands': ['qom-set'] }, api);
    await k.execute('set-name', { name: 'a' }, api);
    expect(await k.execute('query-name', {}, api)).toEqual({ name: 'a' });
  });

  it('denying host-files refuses every file, whichever command opens it; denying network every socket, but not a ringbuf', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-'));
    writeFileSync(join(dir, 'disk.img'), Buffer.alloc(4096));
    const k = await createKernel({ plugins: DEFAULT_PLUGINS });
    await k.execute('sandbox-set', { enable: true, 'deny-effects': ['host-files', 'network'] }, api);
    await expect(k.execute('blockdev-add', { driver: 'file', 'node-name': 'd', filename: join(dir, 'disk.img') }, api)).rejects.toMatchObject({ desc: expect.stringContaining('denied: the sandbox denies host-files') });
    await expect(k.execute('object-add', { 'qom-type': 'rng-random', id: 'rng' }, api)).rejects.toMatchObject({ desc: expect.stringContaining('denied: the sandbox denies host-files') });
    await expect(k.execute('monitor-add', { protocol: 'qmp', endpoint: 'tcp:127.0.0.1:0' }, api)).rejects.toMatchObject({ desc: expect.stringContaining('denied: the sandbox denies network') });
    await k.execute('chardev-add', { id: 'r', backend: { type: 'ringbuf' } }, api);
    await k.close();
  });

  it('deny-effects only grows', async () => {
    const k = await kernel();
    await k.execute('sandbox-set', { enable: true, 'deny-effects': ['network'] }, api);
    await k.execute('sandbox-set', { enable: true, 'deny-effects': ['run-control'] }, api);
    expect(k.objects.get('/sandbox').get('policy')).toMatchObject({ 'deny-effects': ['network', 'run-control'] });
  });
});

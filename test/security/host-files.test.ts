import { fork } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKernel, type Kernel } from '../../kernel/index.js';
import { DEFAULT_PLUGINS } from '../../main/default-plugins.js';
import { tempDir } from '../qmp/qmp-client.js';

const api = { transport: 'qmp', client: 'conn-1' };
const kernels: Kernel[] = [];

afterEach(async () => {
  for (const k of kernels.splice(0)) await k.close();
});

async function kernel(): Promise<Kernel> {
  const k = await createKernel({ plugins: DEFAULT_PLUGINS });
  kernels.push(k);
  return k;
}

const unixChardev = (id: string, path: string) => ({ id, backend: { type: 'socket', data: { addr: { type: 'unix', data: { path } }, server: true, wait: false } } });

/** A socket file whose listener died without removing it (the process was killed), as a crashed VM leaves one. */
async function staleSocket(path: string): Promise<void> {
  const child = fork('-e', [`require('net').createServer().listen(${JSON.stringify(path)}, () => process.send('up'))`], { execArgv: [], stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  await new Promise((r) => child.once('message', r));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
}

describe('binding a Unix socket never deletes what is at the path, unless it is a stale socket', () => {
  it.each([
    ['a socket chardev', (k: Kernel, path: string) => k.execute('chardev-add', unixChardev('c', path), api)],
    ['a QMP monitor', (k: Kernel, path: string) => k.execute('monitor-add', { protocol: 'qmp', endpoint: `unix:${path}` }, api)],
    ['a human monitor', (k: Kernel, path: string) => k.execute('monitor-add', { protocol: 'hmp', endpoint: `unix:${path}` }, api)],
  ])('%s over a regular file fails, naming it, and the file is untouched', async (_what, bind) => {
    const path = join(tempDir(), 'precious.txt');
    writeFileSync(path, 'keep me');
    const k = await kernel();
    await expect(bind(k, path)).rejects.toMatchObject({ desc: `Cannot bind a socket at '${path}': the path exists and is not a socket (a regular file); it was left as it is` });
    expect(readFileSync(path, 'utf8')).toBe('keep me');
  });

  it('a symbolic link at the path is left as it is, and so is its target', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'target.txt'), 'keep me');
    symlinkSync(join(dir, 'target.txt'), join(dir, 'link.sock'));
    const k = await kernel();
    await expect(k.execute('chardev-add', unixChardev('c', join(dir, 'link.sock')), api)).rejects.toMatchObject({ desc: expect.stringContaining('is not a socket') });
    expect(lstatSync(join(dir, 'link.sock')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'target.txt'), 'utf8')).toBe('keep me');
  });

  it('a socket another process listens on is not taken over', async () => {
    const path = join(tempDir(), 'busy.sock');
    const other = net.createServer((s) => s.on('error', () => undefined).end('still mine\n'));
    await new Promise<void>((r) => other.listen(path, r));
    try {
      const k = await kernel();
      await expect(k.execute('monitor-add', { protocol: 'qmp', endpoint: `unix:${path}` }, api)).rejects.toMatchObject({
        desc: `Cannot bind a socket at '${path}': the socket there is in use by a listening process`,
      });
      const answer = await new Promise<string>((r) => net.connect(path).on('data', (d) => r(d.toString())).on('error', () => undefined));
      expect(answer).toBe('still mine\n');
    } finally {
      other.close();
    }
  });

  it('a stale socket left by a process that died is replaced', async () => {
    const path = join(tempDir(), 'stale.sock');
    await staleSocket(path);
    expect(lstatSync(path).isSocket()).toBe(true);
    const k = await kernel();
    await k.execute('chardev-add', unixChardev('c', path), api);
    const client = await new Promise<net.Socket>((resolve, reject) => {
      const c = net.connect(path, () => resolve(c));
      c.once('error', reject);
    });
    client.destroy();
  });

  it('closing removes its own socket only: a file that replaced it stays', async () => {
    const path = join(tempDir(), 'mine.sock');
    const k = await kernel();
    await k.execute('chardev-add', unixChardev('c', path), api);
    unlinkSync(path);
    writeFileSync(path, 'someone else');
    await k.execute('chardev-remove', { id: 'c' }, api);
    expect(readFileSync(path, 'utf8')).toBe('someone else');
  });

  it('closing removes the socket it made', async () => {
    const path = join(tempDir(), 'mine.sock');
    const k = await kernel();
    await k.execute('chardev-add', unixChardev('c', path), api);
    expect(lstatSync(path).mode & 0o777).toBe(0o600);
    await k.execute('chardev-remove', { id: 'c' }, api);
    expect(existsSync(path)).toBe(false);
  });
});

describe('host files without a sandbox: a monitor has the rights of the process, as in QEMU', () => {
  it('a file chardev truncates an existing file unless append=on, as QEMU does', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.log'), 'old');
    writeFileSync(join(dir, 'b.log'), 'old');
    const k = await kernel();
    await k.execute('chardev-add', { id: 'a', backend: { type: 'file', data: { out: join(dir, 'a.log') } } }, api);
    await k.execute('chardev-add', { id: 'b', backend: { type: 'file', data: { out: join(dir, 'b.log'), append: true } } }, api);
    expect(readFileSync(join(dir, 'a.log'), 'utf8')).toBe('');
    expect(readFileSync(join(dir, 'b.log'), 'utf8')).toBe('old');
  });
});

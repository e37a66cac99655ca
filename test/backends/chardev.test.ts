import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CharBackendBase, RingbufChardev } from '../../plugins/backends/chardev/index.js';
import type { CharFrontend } from '../../plugins/hw/backend-types.js';
import { hwKernel, run } from '../machines/helpers.js';

const dir = () => mkdtempSync(join(tmpdir(), 'chr-'));
const enc = (s: string) => new TextEncoder().encode(s);

/** A front-end that takes everything and remembers it. */
function sink(room = 1 << 20): CharFrontend & { got: string } {
  return { got: '', canReceive: () => room, receive(d) { this.got += new TextDecoder().decode(d); } };
}
const chardev = (k: Awaited<ReturnType<typeof hwKernel>>, id: string) => k.objects.get(`/chardevs/${id}`).runtime as CharBackendBase;
const nextData = (s: Socket) => new Promise<string>((r) => s.once('data', (d) => r(d.toString())));

describe('chardev backends', () => {
  it('ringbuf keeps device output for ringbuf-read and feeds ringbuf-write to the device', async () => {
    const k = await hwKernel();
    await run(k, ['chardev-add', { id: 'r', backend: { type: 'ringbuf', data: { size: 8 } } }]);
    const c = chardev(k, 'r');
    const fe = sink();
    c.attach(fe);
    c.write(enc('0123456789'));
    expect(await run(k, ['ringbuf-read', { device: 'r', size: 100 }])).toBe('23456789'); // oldest bytes dropped
    await run(k, ['ringbuf-write', { device: 'r', data: 'aGk=', format: 'base64' }]);
    expect(fe.got).toBe('hi');
  });

  it('rejects a ringbuf size that is not a power of two', async () => {
    const k = await hwKernel();
    await expect(run(k, ['chardev-add', { id: 'r', backend: { type: 'ringbuf', data: { size: 100 } } }])).rejects.toThrow(/power of 2/);
    expect(k.objects.has('/chardevs/r')).toBe(false);
  });

  it('file writes output to the file and reads input from another', async () => {
    const d = dir();
    writeFileSync(join(d, 'in'), 'typed');
    const k = await hwKernel();
    await run(k, ['chardev-add', { id: 'f', backend: { type: 'file', data: { out: join(d, 'out'), in: join(d, 'in') } } }]);
    const fe = sink();
    chardev(k, 'f').attach(fe);
    chardev(k, 'f').write(enc('hello'));
    await new Promise((r) => setTimeout(r, 10));
    expect(readFileSync(join(d, 'out'), 'utf8')).toBe('hello');
    expect(fe.got).toBe('typed');
  });

  it('null discards and query-chardev lists every chardev with its front-end state', async () => {
    const k = await hwKernel();
    await run(k, ['chardev-add', { id: 'n', backend: { type: 'null' } }]);
    chardev(k, 'n').attach(sink());
    expect(await run(k, ['query-chardev'])).toEqual([{ label: 'n', filename: 'null', 'frontend-open': true }]);
    await expect(run(k, ['chardev-remove', { id: 'n' }])).rejects.toThrow(/busy/);
  });

  it('a unix server with wait=off accepts a client later, both directions', async () => {
    const path = join(dir(), 's.sock');
    const k = await hwKernel();
    await run(k, ['chardev-add', { id: 's', backend: { type: 'socket', data: { addr: { type: 'unix', data: { path } }, server: true, wait: false } } }]);
    const fe = sink();
    chardev(k, 's').attach(fe);
    const client = connect(path);
    await new Promise((r) => client.once('connect', r));
    await new Promise((r) => setTimeout(r, 20));
    const got = nextData(client);
    chardev(k, 's').write(enc('from guest'));
    expect(await got).toBe('from guest');
    client.write('to guest');
    await new Promise((r) => setTimeout(r, 20));
    expect(fe.got).toBe('to guest');
    client.destroy();
    await run(k, ['chardev-remove', { id: 's' }]).catch(() => undefined);
  });

  it('a tcp client connects to a loopback server', async () => {
    const server = createServer();
    const accepted = new Promise<Socket>((r) => server.once('connection', r));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const k = await hwKernel();
    await run(k, ['chardev-add', { id: 'c', backend: { type: 'socket', data: { addr: { type: 'inet', data: { host: '127.0.0.1', port: String(port) } }, server: false } } }]);
    const peer = await accepted;
    const got = nextData(peer);
    chardev(k, 'c').write(enc('ping'));
    expect(await got).toBe('ping');
    peer.destroy();
    server.close();
  });

  it('a client that cannot connect is an error naming the address', async () => {
    const k = await hwKernel();
    const path = join(dir(), 'none.sock');
    await expect(run(k, ['chardev-add', { id: 'c', backend: { type: 'socket', data: { addr: { type: 'unix', data: { path } }, server: false } } }])).rejects.toThrow(/none\.sock.*ENOENT/);
  });

  it('opens nothing during replay', async () => {
    const { createKernel } = await import('../../kernel/index.js');
    const { default: hw } = await import('../../plugins/hw/index.js');
    const { default: chr } = await import('../../plugins/backends/chardev/index.js');
    const k = await createKernel({ plugins: [hw, chr], mode: 'replay' });
    const path = join(dir(), 'never.sock');
    await run(k, ['chardev-add', { id: 's', backend: { type: 'socket', data: { addr: { type: 'unix', data: { path } }, server: false } } }]);
    expect(chardev(k, 's').describe()).toBe('null');
  });
});

describe('chardev mux and flow control', () => {
  it('switches input between front-ends on Ctrl-A c and passes Ctrl-A Ctrl-A through', () => {
    const c = new RingbufChardev(64, true);
    const serial = sink();
    const monitor = sink();
    c.attach(serial);
    c.attach(monitor);
    expect(c.focused).toBe(1);
    c.inject(enc('\x01c'));
    expect(c.focused).toBe(0);
    c.inject(enc('ls\x01\x01'));
    expect(serial.got).toBe('ls\x01');
    c.inject(enc('\x01cinfo'));
    expect(monitor.got).toBe('info');
  });

  it('quits on Ctrl-A x: a host-ui shutdown, the program exits with status 0', async () => {
    const k = await hwKernel();
    const exits: number[] = [];
    k.onExit((code) => exits.push(code));
    const events: unknown[] = [];
    k.host.events.subscribe((e) => events.push(e));
    await run(k, ['chardev-add', { id: 'con', backend: { type: 'ringbuf', data: { mux: true } } }]);
    const serial = sink();
    chardev(k, 'con').attach(serial);
    await run(k, ['ringbuf-write', { device: 'con', data: 'ab\x01x' }]);
    expect(serial.got).toBe('ab');
    expect(exits).toEqual([0]);
    expect(k.runState).toBe('shutdown');
    expect(events).toContainEqual(expect.objectContaining({ event: 'SHUTDOWN', data: { guest: false, reason: 'host-ui' } }));
    expect(await run(k, ['ringbuf-read', { device: 'con', size: 100 }])).toBe('vmledger: Terminated\n\r');
  });

  it('ignores Ctrl-A x on a chardev that is not a mux', async () => {
    const k = await hwKernel();
    const exits: number[] = [];
    k.onExit((code) => exits.push(code));
    await run(k, ['chardev-add', { id: 'con', backend: { type: 'ringbuf' } }]);
    const serial = sink();
    chardev(k, 'con').attach(serial);
    await run(k, ['ringbuf-write', { device: 'con', data: '\x01x' }]);
    expect(serial.got).toBe('\x01x');
    expect(exits).toEqual([]);
  });

  it('refuses a second front-end without mux', () => {
    const c = new RingbufChardev(64);
    c.attach(sink());
    expect(() => c.attach(sink())).toThrow(/mux=on/);
  });

  it('holds input until the front-end has room', () => {
    const c = new RingbufChardev(64);
    let room = 0;
    const got: number[] = [];
    c.attach({ canReceive: () => room, receive: (d) => { room -= d.length; got.push(...d); } });
    c.inject(enc('abc'));
    expect(got).toEqual([]);
    room = 2;
    c.pump();
    expect(got.length).toBe(2);
    room = 5;
    c.pump();
    expect(got.length).toBe(3);
  });
});


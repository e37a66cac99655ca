import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKernel, type Kernel } from '../../kernel/index.js';
import { DEFAULT_PLUGINS } from '../../main/default-plugins.js';
import { runUp } from '../../transports/cli/up.js';
import { VmProcess } from '../e2e/run-vmledger.js';
import { captureIo } from '../cli/fixtures.js';

const running: VmProcess[] = [];
const kernels: Kernel[] = [];
afterEach(async () => {
  running.splice(0).forEach((p) => p.kill());
  for (const k of kernels.splice(0)) await k.close();
});

/** A temporary directory holding raw disk images of the given sizes. */
function withImages(images: Record<string, number>): string {
  const dir = mkdtempSync(join(tmpdir(), 'vmledger-up-'));
  for (const [name, size] of Object.entries(images)) writeFileSync(join(dir, name), new Uint8Array(size));
  return dir;
}

/** One QMP exchange on a fresh connection: greeting, capabilities, then `command`'s reply. */
function qmp(path: string, command: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const s = connect(path);
    let buf = '';
    const lines: unknown[] = [];
    s.on('data', (d) => {
      buf += d.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const msg = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>;
        buf = buf.slice(nl + 1);
        if ('event' in msg) continue;
        lines.push(msg);
        if (lines.length === 1) s.write('{"execute":"qmp_capabilities"}\n');
        if (lines.length === 2) s.write(JSON.stringify({ execute: command }) + '\n');
        if (lines.length === 3) resolve((s.destroy(), (msg as { return: unknown }).return));
      }
    });
    s.once('error', reject);
  });
}

/** Waits for a file (a socket) to appear, polling; the test's own timeout bounds it. */
async function appears(path: string): Promise<void> {
  while (!existsSync(path)) await new Promise((r) => setTimeout(r, 25));
}

describe('vmledger up virtiovm.yaml with the real plugins', () => {
  it('`vmledger up virtiovm.yaml root=disk.img data=data.img` boots with both disks on virtio-blk, and powers off', async () => {
    const cwd = withImages({ 'disk.img': 1 << 20, 'data.img': 256 << 10 });
    const vm = new VmProcess(['up', 'virtiovm.yaml', 'root=disk.img', 'data=data.img'], cwd);
    running.push(vm);
    await vm.waitFor('press q to power off');
    await appears(join(cwd, 'vmledger.qmp'));
    const block = (await qmp(join(cwd, 'vmledger.qmp'), 'query-block')) as Array<{ inserted: { 'node-name': string; file: string; image: { 'virtual-size': number } }; 'in-use': boolean }>;
    expect(block.map((b) => [b.inserted['node-name'], b.inserted.file, b.inserted.image['virtual-size'], b['in-use']])).toEqual([
      ['root', 'disk.img', 1 << 20, true],
      ['data', 'data.img', 256 << 10, true],
    ]);
    expect(await qmp(join(cwd, 'vmledger.qmp'), 'query-status')).toMatchObject({ status: 'running' });
    vm.type('q');
    expect(await vm.exited).toBe(0);
  });

  it('without data= has one disk; snapshot=on keeps writes in an overlay on the node', async () => {
    const cwd = withImages({ 'disk.img': 1 << 20 });
    const k = await createKernel({ plugins: [...DEFAULT_PLUGINS] });
    kernels.push(k);
    const io = captureIo(cwd);
    const out = await runUp(['virtiovm.yaml', `root=${join(cwd, 'disk.img')}`, 'snapshot=on', 'serial=null', 'qmp=', '-S'], k, io);
    expect(io.err).toBe('');
    expect(out.status).toBe('running');
    expect(k.objects.children('/blockdevs').map((o) => [o.name, o.get('snapshot')])).toEqual([['root', true]]);
    expect(k.objects.get('/machine/peripheral/root-dev').get('drive')).toBe('root');
    expect(k.objects.has('/machine/peripheral/data-dev')).toBe(false);
  });
});

describe('vmledger up with no template name', () => {
  it('gives key=value variables to the default template', async () => {
    const k = await createKernel({ plugins: [...DEFAULT_PLUGINS] });
    kernels.push(k);
    const io = captureIo();
    const out = await runUp(['memory=256M', 'qmp=', 'serial=null', '--print-expansion'], k, io);
    expect(io.err).toBe('');
    expect(out.status).toBe('done');
    expect(io.out).toContain('{"execute":"machine-set","arguments":{"type":"virt","memory":268435456,"cpus":1}}');
  });
});

import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKernel, type Kernel } from '../../kernel/index.js';
import { DEFAULT_PLUGINS } from '../../main/default-plugins.js';
import type { CharBackendBase } from '../../plugins/backends/chardev/index.js';
import { decodeFdt, findNode, stringsOf, walkNodes } from '../../plugins/hw/fdt.js';
import type { VirtBoard } from '../../plugins/machines/virt/index.js';
import { runCommandLine } from '../../transports/cli/index.js';
import { captureIo } from './fixtures.js';

const kernels: Kernel[] = [];
afterEach(async () => {
  for (const k of kernels.splice(0)) {
    // Host sockets the chardevs opened are closed here; kernel.close() only closes monitors and the log.
    for (const c of k.objects.has('/chardevs') ? k.objects.children('/chardevs') : []) await (c.runtime as CharBackendBase | undefined)?.close();
    await k.close();
  }
});

/** A kernel with the program's own plugin set, as `vmledger` builds it. */
async function realKernel(): Promise<Kernel> {
  const k = await createKernel({ plugins: [...DEFAULT_PLUGINS] });
  kernels.push(k);
  return k;
}

/** A temporary directory with raw disk images of the given sizes. */
function workdir(images: Record<string, number>): string {
  const dir = mkdtempSync(join(tmpdir(), 'vmledger-real-'));
  for (const [name, size] of Object.entries(images)) writeFileSync(join(dir, name), new Uint8Array(size));
  return dir;
}

const get = (k: Kernel, path: string, prop: string) => k.objects.find(path)?.get(prop);

describe('a long real-world command line with the real plugins and the virt board', () => {
  it('expands and runs ~40 options: disks, chardevs, rng, globals, monitors; -S leaves the guest in prelaunch', async () => {
    const dir = workdir({ 'root.img': 1 << 20, 'data.img': 512 << 10, 'base.img': 64 << 10, 'scratch.img': 4096, 'install.iso': 8192 });
    const at = (f: string) => join(dir, f);
    writeFileSync(at('extra.yaml'), `- execute: device_add\n  arguments: { driver: virtio-blk-device, id: fromfile, drive: base, serial: FROMFILE }\n`);
    const argv = [
      '-name', 'guest=build-42',
      '-machine', 'virt',
      '-m', '256M',
      '-smp', 'cpus=2',
      '-cpu', 'rv64',
      '-append', 'console=ttyS0 root=/dev/vda rw earlycon=sbi',
      '-nodefaults', '-no-user-config', '-display', 'none',
      '-chardev', `socket,id=mon0,path=${at('mon.sock')},server=on,wait=off`,
      '-chardev', `file,id=log0,path=${at('guest.log')}`,
      '-chardev', 'ringbuf,id=con0,size=4096',
      '-chardev', 'null,id=spare',
      '-serial', 'chardev:con0',
      '-mon', 'chardev=mon0,mode=control',
      '-chardev', 'ringbuf,id=hmp0',
      '-mon', 'chardev=hmp0',
      '-monitor', 'none',
      '-object', 'rng-random,id=rng0,filename=/dev/urandom',
      '-object', '{"qom-type":"memory-backend-ram","id":"ram0","size":268435456}',
      '-global', 'virtio-blk-device.serial=DEFAULT',
      '-blockdev', `driver=file,node-name=base,filename=${at('base.img')},read-only=on`,
      '-drive', `file=${at('root.img')},if=virtio,format=raw,id=root`,
      '-drive', `file=${at('data.img')},if=virtio,id=data,snapshot=on`,
      '-drive', `file=${at('scratch.img')},if=none,id=scratch`,
      '-device', 'virtio-blk-device,id=scratch-dev,drive=scratch,read-only=on',
      '-device', 'virtio-rng-device,id=rng-dev,rng=rng0',
      '-object', 'rng-random,id=rng1',
      '-device', '{"driver":"virtio-rng-device","id":"rng-dev1","rng":"rng1"}',
      '-hdb', at('data.img'),
      '-cdrom', at('install.iso'),
      '-readconfig', at('extra.yaml'),
      '-no-reboot',
      '-sandbox', 'on,spawn=deny',
      '-execute', 'qom-set,path=/machine/peripheral/root-dev,property=serial,value=ROOT',
      '-qmp', `unix:${at('vm.qmp')},server=on,wait=off`,
      '-S',
    ];
    expect(argv.filter((a) => a.startsWith('-')).length).toBeGreaterThanOrEqual(36);
    const k = await realKernel();
    const io = captureIo(dir);
    const outcome = await runCommandLine(argv, k, io);
    expect(io.err).toBe('');
    expect(outcome.status).toBe('running');
    expect(k.runState).toBe('prelaunch');
    expect(k.phase).toBe('machine-created');
    // What a management tool does next over QMP after -S: build the machine, still without running it.
    await k.execute('until-phase', { phase: 'machine-ready' }, { transport: 'api' });
    expect(k.runState).toBe('prelaunch');

    expect(get(k, '/machine', 'append')).toBe('console=ttyS0 root=/dev/vda rw earlycon=sbi');
    expect(get(k, '/machine', 'memory')).toBe(256 * 2 ** 20);
    expect(get(k, '/machine', 'cpus')).toBe(2);
    expect(await k.execute('query-name', {}, { transport: 'api' })).toEqual({ name: 'build-42' });
    // -serial chardev:ID connects the board's UART to that chardev.
    expect(get(k, '/machine/uart0', 'chardev')).toBe('con0');
    expect(await k.execute('query-chardev', {}, { transport: 'api' })).toEqual(
      expect.arrayContaining([
        { label: 'con0', filename: 'ringbuf', 'frontend-open': true },
        { label: 'mon0', filename: `unix:${at('mon.sock')},server=on`, 'frontend-open': true },
        { label: 'spare', filename: 'null', 'frontend-open': false },
      ]),
    );
    // Disks: every -drive, -hdb, -cdrom and -blockdev is a block node on a real image, each under a virtio-blk device.
    const block = (await k.execute('query-block', {}, { transport: 'api' })) as Array<{ inserted: { 'node-name': string; ro: boolean; image: { 'virtual-size': number } }; 'in-use': boolean }>;
    expect(block.map((b) => [b.inserted['node-name'], b.inserted.ro, b.inserted.image['virtual-size'], b['in-use']])).toEqual([
      ['base', true, 64 << 10, true],
      ['root', false, 1 << 20, true],
      ['data', false, 512 << 10, true],
      ['scratch', false, 4096, true],
      ['virtio1', false, 512 << 10, true],
      ['virtio2', true, 8192, true],
    ]);
    expect(get(k, '/blockdevs/data', 'snapshot')).toBe(true);
    expect(get(k, '/machine/peripheral/scratch-dev', 'read-only')).toBe(true);
    // -global applies to every virtio-blk-device after it; an explicit value and a later qom-set win.
    expect(get(k, '/machine/peripheral/data-dev', 'serial')).toBe('DEFAULT');
    expect(get(k, '/machine/peripheral/fromfile', 'serial')).toBe('FROMFILE');
    expect(get(k, '/machine/peripheral/root-dev', 'serial')).toBe('ROOT');
    expect(get(k, '/machine/peripheral/rng-dev', 'rng')).toBe('rng0');
    expect(k.objects.has('/objects/ram0')).toBe(true);
    // The device tree describes what the line built: the appended command line and all eight virtio devices.
    const tree = decodeFdt((k.objects.get('/machine').runtime as VirtBoard).fdtBlob);
    expect(stringsOf(findNode(tree, '/chosen')!.props.get('bootargs'))).toEqual(['console=ttyS0 root=/dev/vda rw earlycon=sbi']);
    expect([...walkNodes(tree)].filter(([path]) => path.startsWith('/soc/virtio_mmio@')).length).toBe(8);
    expect([...walkNodes(tree)].filter(([path]) => /^\/cpus\/cpu@[0-9]+$/.test(path)).length).toBe(2);
    // Both monitors are listening and resumed: a QMP client gets the greeting.
    expect(existsSync(at('vm.qmp'))).toBe(true);
    const greeting = await new Promise<string>((resolve, reject) => {
      const s = connect(at('vm.qmp'));
      s.once('data', (d) => (resolve(d.toString()), s.destroy()));
      s.once('error', reject);
    });
    expect(JSON.parse(greeting)).toHaveProperty('QMP.version');
    expect(await k.execute('query-status', {}, { transport: 'api' })).toMatchObject({ status: 'prelaunch', running: false });
  });
});

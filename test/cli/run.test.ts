import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Kernel } from '../../kernel/index.js';
import { runCommandLine } from '../../transports/cli/index.js';
import { SqliteLogStore } from '../../kernel/log/sqlite-log-store.js';
import { captureIo, monitors, newKernel, tmp } from './fixtures.js';

const kernels: Kernel[] = [];
afterEach(async () => {
  for (const k of kernels.splice(0)) await k.close();
  monitors.length = 0;
});
async function run(argv: string[], opts: { log?: boolean; cwd?: string } = {}) {
  const kernel = await newKernel(opts);
  kernels.push(kernel);
  const io = captureIo(opts.cwd);
  const outcome = await runCommandLine(argv, kernel, io);
  return { kernel, io, outcome };
}
const get = (k: Kernel, path: string, prop: string) => k.objects.find(path)?.get(prop);

describe('command line feed', () => {
  it('runs options left to right and starts the guest', async () => {
    const { kernel, outcome } = await run(['-M', 'tvirt', '-m', '256M', '-device', 'tdev,id=d0,size=4K']);
    expect(outcome).toMatchObject({ status: 'running', exitCode: 0 });
    expect(get(kernel, '/machine', 'memory')).toBe(268435456);
    expect(get(kernel, '/machine/peripheral/d0', 'size')).toBe(4096);
    expect(kernel.runState).toBe('running');
  });
  it('makes order observable: a later option sees what an earlier one did', async () => {
    const ok = await run(['-M', 'tvirt', '-object', 'tobj,id=o1', '-device', 'tdev,id=d,needs=o1']);
    expect(ok.outcome.status).toBe('running');
    const bad = await run(['-M', 'tvirt', '-device', 'tdev,id=d,needs=o1', '-object', 'tobj,id=o1']);
    expect(bad.outcome.status).toBe('failed');
    expect(bad.io.err).toBe("vmledger: option 2 (-device): device_add: object 'o1' does not exist\n");
  });
  it('applies a -global to devices created after it, not before', async () => {
    const { kernel } = await run(['-M', 'tvirt', '-device', 'tdev,id=before', '-global', 'tdev.count=7', '-device', 'tdev,id=after']);
    expect(get(kernel, '/machine/peripheral/before', 'count')).toBe(1);
    expect(get(kernel, '/machine/peripheral/after', 'count')).toBe(7);
  });
  it('with -S waits in prelaunch', async () => {
    const { kernel, outcome } = await run(['-S', '-M', 'tvirt']);
    expect(outcome.status).toBe('running');
    expect(kernel.runState).toBe('prelaunch');
    expect(kernel.phase).toBe('machine-created');
  });
  it('is all or nothing: a failing option stops the feed, the guest never starts, the exit status is 1', async () => {
    const { kernel, io, outcome } = await run(['-M', 'tvirt', '-object', 'tobj,id=o', '-device', 'nosuch,id=x', '-device', 'tdev,id=never'], { log: true });
    expect(outcome).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(io.err).toBe("vmledger: option 3 (-device): device_add: 'nosuch' is not a valid device model name\n");
    expect(kernel.runState).toBe('prelaunch');
    expect(kernel.objects.has('/machine/peripheral/never')).toBe(false);
    const entries = [...SqliteLogStore.open((kernel as Kernel & { logPath: string }).logPath).entries()];
    expect(entries.map((e) => [e.command, e.applied, e.origin.position])).toEqual([
      ['machine-set', true, 'option 1 (-M)'],
      ['object-add', true, 'option 2 (-object)'],
      ['device_add', false, 'option 3 (-device)'],
    ]);
  });
  it('runs nothing when any option fails to expand', async () => {
    const { kernel, io, outcome } = await run(['-M', 'tvirt', '-device', 'tdev,count=lots']);
    expect(outcome.exitCode).toBe(1);
    expect(io.err).toBe("vmledger: option 2 (-device): Parameter 'count' expects integer\n");
    expect(kernel.phase).toBe('no-machine');
  });
  it('keeps monitors opened on the command line suspended until the line is done', async () => {
    // The second monitor is opened after the first: when it opens, the first must still be suspended.
    const { outcome } = await run(['-qmp', 'unix:/tmp/a.sock,server=on,wait=off', '-M', 'tvirt', '-execute', 'query-status', '-monitor', 'stdio']);
    expect(outcome.status).toBe('running');
    expect(monitors.map((m) => [m.protocol, m.endpoint, m.options])).toEqual([
      // QEMU's server/wait flags are accepted by monitor-add, not passed on to the transport.
      ['qmp', 'unix:/tmp/a.sock', {}],
      ['hmp', 'stdio', {}],
    ]);
    expect(monitors[1]!.earlierResumed).toEqual([false]);
    await Promise.resolve();
    expect(monitors.every((m) => m.resumed)).toBe(true);
  });
  it('does not resume monitors when the command line failed', async () => {
    await run(['-qmp', 'stdio', '-M', 'nosuch']);
    await Promise.resolve();
    expect(monitors[0]!.resumed).toBe(false);
  });
  it('prints the expansion and runs nothing', async () => {
    const { kernel, io, outcome } = await run(['-M', 'tvirt', '-dry-run']);
    expect(outcome.status).toBe('done');
    expect(io.out).toBe('{"execute":"machine-set","arguments":{"type":"tvirt"}}\n{"execute":"cont"}\n');
    expect(kernel.phase).toBe('no-machine');
  });
});

describe('help from the registry', () => {
  it('-device help lists devices, a plugin’s included', async () => {
    const { io, outcome } = await run(['-device', 'help']);
    expect(outcome.status).toBe('done');
    expect(io.out).toContain('Available devices:');
    expect(io.out).toMatch(/ tdev +A device with one property of every kind \[cli-fixture\]/);
  });
  it('-device DRIVER,help lists its properties with types and defaults', async () => {
    const { io } = await run(['-device', 'tdev,help']);
    expect(io.out).toContain('tdev options (A device with one property of every kind):');
    expect(io.out).toContain('  size=<size> (default: 0) - A size');
    expect(io.out).toContain('  mode=<fast|slow> (default: "fast")');
  });
  it('-object help and -machine help', async () => {
    expect((await run(['-object', 'help'])).io.out).toMatch(/ tobj +A backend object/);
    expect((await run(['-machine', 'help'])).io.out).toMatch(/Supported machines:\n {2}tvirt +A test board/);
  });
  it('--help lists the options', async () => {
    const { io } = await run(['--help']);
    expect(io.out).toContain('-drive file=FILE');
    expect(io.out).toContain('-no-reboot');
  });
});

describe('a long real-world command line', () => {
  it('parses, expands and runs ~40 options', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'extra.yaml'), '- execute: device_add\n  arguments: { driver: tdev, id: fromfile, size: 2M }\n');
    const argv = [
      '-name', 'guest=build-42',
      '-machine', 'tvirt,dumpdtb=/tmp/x.dtb',
      '-m', '1G',
      '-smp', 'cpus=4',
      '-cpu', 'rv64',
      '-bios', 'fw_jump.bin',
      '-kernel', 'Image',
      '-initrd', 'initrd.img',
      '-append', 'console=ttyS0 root=/dev/vda rw earlycon=sbi',
      '-nodefaults', '-no-user-config', '-display', 'none',
      '-chardev', 'socket,id=qmp0,path=/tmp/q.sock,server=on,wait=off',
      '-chardev', 'file,id=log0,path=/tmp/guest.log',
      '-chardev', 'stdio,id=con,mux=on',
      '-serial', 'null',
      '-mon', 'chardev=qmp0,mode=control',
      '-object', 'tobj,id=mem0,size=64M',
      '-object', '{"qom-type":"tobj","id":"mem1","value":3}',
      '-global', 'tdev.count=9',
      '-global', 'virtio-blk-device.serial=none',
      '-blockdev', 'driver=file,node-name=base,filename=base.img,read-only=on',
      '-drive', 'file=root.img,if=virtio,format=raw,id=root',
      '-drive', 'file=data.img,if=virtio,id=data,snapshot=on',
      '-drive', 'file=scratch.img,if=none,id=scratch',
      '-device', 'virtio-blk-device,id=scratch-dev,drive=scratch',
      '-device', 'tdev,id=t1,size=16K,mode=slow,needs=mem0',
      '-device', 'tdev,id=t2,on=on,label=hello,,world',
      '-device', '{"driver":"tdev","id":"t3","count":2}',
      '-device', 'tuart,id=uart1,chardev=log0',
      '-cdrom', 'install.iso',
      '-hdb', 'second.img',
      '-object', 'tobj,id=mem2,size=0x1000',
      '-device', 'tdev,id=t4,needs=mem2',
      '-device', 'tdev,mode=fast',
      '-readconfig', join(dir, 'extra.yaml'),
      '-no-reboot',
      '-sandbox', 'on,spawn=deny',
      '-execute', 'qom-set,path=/objects/mem1,property=value,value=5',
      '-qmp', 'unix:/tmp/vm.qmp,server=on,wait=off',
    ];
    expect(argv.filter((a) => a.startsWith('-')).length).toBeGreaterThanOrEqual(38);
    const { kernel, io, outcome } = await run(argv);
    expect(io.err).toBe('');
    expect(outcome.status).toBe('running');
    expect(kernel.runState).toBe('running');
    expect(get(kernel, '/machine', 'append')).toBe('console=ttyS0 root=/dev/vda rw earlycon=sbi');
    expect(get(kernel, '/machine', 'memory')).toBe(2 ** 30);
    expect(get(kernel, '/machine/peripheral/t1', 'count')).toBe(9);
    expect(get(kernel, '/machine/peripheral/t2', 'label')).toBe('hello,world');
    expect(get(kernel, '/blockdevs/data', 'snapshot')).toBe(true);
    expect(get(kernel, '/machine/peripheral/fromfile', 'size')).toBe(2 * 2 ** 20);
    expect(get(kernel, '/blockdevs/virtio2', 'read-only')).toBe(true);
    expect(get(kernel, '/machine/peripheral/virtio1-dev', 'drive')).toBe('virtio1');
    expect(kernel.objects.has('/machine/peripheral-anon/device[0]')).toBe(true);
    expect(kernel.objects.has('/chardevs/con')).toBe(true);
    expect(monitors.map((m) => m.endpoint)).toEqual(['chardev:qmp0', 'unix:/tmp/vm.qmp']);
  });
});

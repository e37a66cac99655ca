/**
 * The human monitor as a QEMU user types at it, with the program's real
 * plugins, driven through QMP's human-monitor-command (what libvirt's
 * `virsh qemu-monitor-command --hmp` sends); QEMU 7.2's answers to the same
 * lines were measured and are quoted where the text must match.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKernel, type Kernel } from '../../kernel/index.js';
import { DEFAULT_PLUGINS } from '../../main/default-plugins.js';

const API = { transport: 'qmp', endpoint: 'test' } as const;
let kernel: Kernel;
beforeEach(async () => (kernel = await createKernel({ plugins: [...DEFAULT_PLUGINS] })));
afterEach(async () => {
  for (const c of kernel.objects.has('/chardevs') ? kernel.objects.children('/chardevs') : []) await kernel.execute('chardev-remove', { id: c.name }, API);
  await kernel.close();
});

const hmp = async (line: string) => (await kernel.execute('human-monitor-command', { 'command-line': line }, API)) as string;
const peripherals = () => (kernel.objects.has('/machine/peripheral-anon') ? kernel.objects.children('/machine/peripheral-anon').length : 0);

describe('HMP device_add help', () => {
  it('DRIVER,help prints the properties and adds no device (it used to add a driveless device that broke the next boot)', async () => {
    await kernel.execute('machine-set', { type: 'virt' }, API);
    await kernel.execute('until-phase', { phase: 'machine-initialized' }, API);
    const text = await hmp('device_add virtio-blk-device,help');
    expect(text).toMatch(/^virtio-blk-device options/);
    expect(text).toContain('drive=<');
    expect(await hmp('device_add virtio-rng-device,help')).toMatch(/^virtio-rng-device options/);
    expect(peripherals()).toBe(0);
    expect(await hmp('device_add virtio-rng-device')).toBe('');
    expect(peripherals()).toBe(1);
  });

  it('help and ? list the devices, as -device help does', async () => {
    expect(await hmp('device_add help')).toMatch(/^Available devices:\r\n/);
    expect(await hmp('device_add ?')).toBe(await hmp('device_add help'));
  });
});

describe('HMP chardev-add', () => {
  it('takes every backend in the -chardev spelling, a file too', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'vmledger-hmp-')), 'f.out');
    expect(await hmp(`chardev-add file,id=f,path=${out}`)).toBe('');
    expect(await hmp('info chardev')).toContain('f: filename=');
    expect(existsSync(out)).toBe(true);
  });
});

describe('HMP names as in QEMU', () => {
  it("answers an info subcommand it does not have with QEMU's line, not the list", async () => {
    expect(await hmp('info nonsense')).toBe("unknown command: 'info nonsense'\r\n");
  });

  it('takes the short names c, s, q and ?', async () => {
    expect(await hmp('?')).toBe(await hmp('help'));
    expect(await hmp('help')).toContain('cont|c');
    await kernel.execute('machine-set', { type: 'virt' }, API);
    await hmp('c');
    expect(kernel.runState).toBe('running');
    await hmp('s');
    expect(kernel.runState).toBe('paused');
    const codes: number[] = [];
    kernel.onExit((c) => codes.push(c));
    await hmp('q');
    expect(codes).toEqual([0]);
  });
});

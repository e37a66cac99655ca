import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planDescriptive } from '../../transports/config/index.js';
import { runCommandLine } from '../../transports/cli/index.js';
import { captureIo, errorOf, newKernel, tmp } from '../cli/fixtures.js';

const plan = (doc: Record<string, unknown>) => planDescriptive(doc).map((d) => `${d.execute} ${String(d.arguments['id'] ?? d.arguments['node-name'] ?? d.arguments['type'] ?? '')}`.trim());

describe('planner', () => {
  it('orders backends, then the machine, then devices, whatever the file order', () => {
    expect(
      plan({
        devices: { disk0: { driver: 'virtio-blk-device', drive: 'root' } },
        machine: { type: 'tvirt' },
        blockdevs: { root: { driver: 'file', filename: 'disk.img' } },
        chardevs: { con: { backend: 'stdio' } },
      }),
    ).toEqual(['chardev-add con', 'blockdev-add root', 'machine-set tvirt', 'device_add disk0', 'cont']);
  });
  it('puts a device after the device it references, even when written first', () => {
    expect(
      plan({
        machine: { type: 'tvirt' },
        devices: { child: { driver: 'tdev', bus: 'parent.0' }, parent: { driver: 'tdev' }, last: { driver: 'tdev', after: ['child'] } },
      }),
    ).toEqual(['machine-set tvirt', 'device_add parent', 'device_add child', 'device_add last', 'cont']);
  });
  it('orders objects by their references among themselves', () => {
    expect(plan({ objects: { b: { 'qom-type': 'tobj', after: 'a' }, a: { 'qom-type': 'tobj' } }, start: false })).toEqual(['object-add a', 'object-add b']);
  });
  it('names a cycle', () => {
    expect(
      errorOf(() =>
        planDescriptive({ machine: { type: 'tvirt' }, devices: { a: { driver: 'tdev', after: 'b' }, b: { driver: 'tdev', after: 'c' }, c: { driver: 'tdev', after: 'a' } } }, { name: 'vm.yaml' }),
      ),
    ).toBe("vm.yaml: dependency cycle: device 'a' -> device 'b' -> device 'c' -> device 'a'");
  });
  it('names an undeclared after: target', () => {
    expect(errorOf(() => planDescriptive({ devices: { a: { driver: 'tdev', after: 'ghost' } } }))).toBe("config: device 'a' is to come after 'ghost', which is not declared");
  });
  it('runs a descriptive file through -readconfig and prints the plan with --print-plan', async () => {
    const dir = tmp();
    writeFileSync(
      join(dir, 'vm.yaml'),
      'devices:\n  t1: { driver: tdev, needs: o1, size: 8K }\nobjects:\n  o1: { qom-type: tobj, size: 1M }\nmachine: { type: tvirt, memory: 32M }\n',
    );
    const k = await newKernel();
    const io = captureIo(dir);
    await runCommandLine(['-readconfig', 'vm.yaml', '--print-plan'], k, io);
    expect(io.out).toBe(
      '{"execute":"object-add","arguments":{"id":"o1","qom-type":"tobj","size":1048576}}\n' +
        '{"execute":"machine-set","arguments":{"type":"tvirt","memory":33554432}}\n' +
        '{"execute":"device_add","arguments":{"id":"t1","driver":"tdev","needs":"o1","size":8192}}\n' +
        '{"execute":"cont"}\n',
    );
    const out = await runCommandLine(['-readconfig', 'vm.yaml'], k, captureIo(dir));
    expect(out.status).toBe('running');
    expect(k.objects.find('/machine/peripheral/t1')?.get('size')).toBe(8192);
    await k.close();
  });
});

/**
 * QEMU's spellings that vmledger reads as QEMU does: its INI config file
 * (`-readconfig`, what `-writeconfig` wrote) and `-smp`'s topology, whose
 * omitted members QEMU 7.2 computes and whose consistency it checks.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKernel, type Kernel } from '../../kernel/index.js';
import { DEFAULT_PLUGINS } from '../../main/default-plugins.js';
import { expandArgv, kernelEnv } from '../../transports/cli/index.js';
import { smpCpus } from '../../transports/cli/smp.js';

let kernel: Kernel;
beforeAll(async () => (kernel = await createKernel({ plugins: [...DEFAULT_PLUGINS] })));
afterAll(async () => kernel.close());

const dir = mkdtempSync(join(tmpdir(), 'vmledger-ini-'));
const commands = (...argv: string[]) => expandArgv(argv, kernelEnv(kernel, dir)).steps.map((s) => [s.execute, s.arguments]);
const failure = (...argv: string[]) => {
  try {
    expandArgv(argv, kernelEnv(kernel, dir));
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
};

/** A file as `qemu-system-riscv64 -writeconfig` writes one (groups, quoted values, ids in the group header). */
const WRITTEN_BY_QEMU = `# qemu config file

[drive "d0"]
  file = "disk.img"
  format = "raw"
  if = "none"

[machine]
  type = "virt"
  accel = "tcg"

[memory]
  size = "256"

[smp-opts]
  cpus = "2"

[chardev "con"]
  backend = "null"

[device "disk0"]
  driver = "virtio-blk-device"
  drive = "d0"
`;

describe("-readconfig with QEMU's INI format", () => {
  it('expands every group exactly as the option of the same name on the command line', () => {
    writeFileSync(join(dir, 'vm.cfg'), WRITTEN_BY_QEMU);
    expect(commands('-readconfig', 'vm.cfg', '-S')).toEqual(
      commands('-drive', 'id=d0,file=disk.img,format=raw,if=none', '-machine', 'type=virt,accel=tcg', '-m', 'size=256', '-smp', 'cpus=2', '-chardev', 'id=con,backend=null', '-device', 'id=disk0,driver=virtio-blk-device,drive=d0', '-S'),
    );
  });

  it('reads a JSON5 file that starts with its list of commands as JSON5, not as INI', () => {
    writeFileSync(join(dir, 'vm.json5'), "[\n  { execute: 'set-name', arguments: { name: 'x' } },\n]\n");
    expect(commands('-readconfig', 'vm.json5')).toEqual([['set-name', { name: 'x' }]]);
  });

  it('names the file and line of a line it cannot read', () => {
    writeFileSync(join(dir, 'bad.cfg'), '[machine]\n  type = virt\n');
    expect(failure('-readconfig', 'bad.cfg')).toBe('option 1 (-readconfig): bad.cfg: line 2: parse error (expected [group], [group "id"] or key = "value")');
  });

  it('names the file, line and option of a group whose option refuses its keys', () => {
    writeFileSync(join(dir, 'kvm.cfg'), '[machine]\n  type = "virt"\n  accel = "kvm"\n');
    expect(failure('-readconfig', 'kvm.cfg')).toBe('option 1 (-readconfig): kvm.cfg:1 (-machine): -machine accel: KVM is not available: vmledger emulates the CPU in software, as QEMU does with -accel tcg');
  });
});

describe("QEMU's options expand to what they mean here", () => {
  it('-snapshot makes every -drive a snapshot unless it says snapshot=off, wherever it stands on the line', () => {
    expect(commands('-M', 'virt', '-drive', 'file=a.img,if=none,id=a', '-drive', 'file=b.img,if=none,id=b,snapshot=off', '-snapshot', '-S')).toEqual([
      ['machine-set', { type: 'virt' }],
      ['blockdev-add', { driver: 'file', 'node-name': 'a', filename: 'a.img', snapshot: true }],
      ['blockdev-add', { driver: 'file', 'node-name': 'b', filename: 'b.img' }],
    ]);
  });

  it("-machine takes QEMU's keys that are not board properties out, once checked", () => {
    expect(commands('-M', 'virt,accel=tcg,usb=off,dump-guest-core=off,aclint=off,aia=none,memory=256M', '-S')).toEqual([['machine-set', { type: 'virt', memory: 268435456 }]]);
  });

  it('-accel tcg, -rtc base=utc, -boot, -vga none, -nic none and -overcommit off run no command; -uuid sets the UUID', () => {
    expect(commands('-M', 'virt', '-accel', 'tcg,thread=single', '-rtc', 'base=utc', '-boot', 'order=c', '-vga', 'none', '-nic', 'none', '-overcommit', 'mem-lock=off', '-uuid', '5b2a3b5e-7d0e-4a51-9b39-0c1f4e9d2a10', '-S')).toEqual([
      ['machine-set', { type: 'virt' }],
      ['set-uuid', { uuid: '5b2a3b5e-7d0e-4a51-9b39-0c1f4e9d2a10' }],
    ]);
  });

  it("-mon's implied key is chardev, as QEMU's; -bios none with -kernel leaves the firmware out", () => {
    expect(commands('-mon', 'c0')).toEqual([['monitor-add', { protocol: 'hmp', endpoint: 'chardev:c0' }]]);
    expect(commands('-M', 'virt', '-bios', 'none', '-kernel', 'Image', '-S')).toEqual([['machine-set', { type: 'virt' }], ['machine-set', { kernel: 'Image' }]]);
  });

  it('-drive takes QEMU\'s host I/O keys with QEMU\'s values and leaves them out', () => {
    expect(commands('-M', 'virt', '-drive', 'file=a.img,if=none,id=a,aio=native,cache=none,discard=unmap,detect-zeroes=unmap', '-S')[1]).toEqual(['blockdev-add', { driver: 'file', 'node-name': 'a', filename: 'a.img' }]);
    expect(failure('-drive', 'file=a.img,if=none,detect-zeroes=always')).toBe('option 1 (-drive): -drive detect-zeroes=always: not a value QEMU takes (off, on, unmap)');
  });
});

describe('-smp as QEMU 7.2 computes it', () => {
  it.each([
    ['4', 4],
    ['sockets=2,cores=2', 4],
    ['cores=2,threads=2', 4],
    ['2,maxcpus=4', 2],
    ['maxcpus=4', 4],
    ['cpus=4,sockets=2', 4],
    ['cpus=4,sockets=1,dies=1,clusters=1,cores=2,threads=2,maxcpus=4', 4],
  ])('-smp %s gives %d harts', (arg, harts) => {
    expect(smpCpus(arg)).toBe(harts);
  });

  it('-smp with a member 0 counts it as omitted, with QEMU 7.2\'s deprecation warning', () => {
    const warnings: string[] = [];
    expect(smpCpus('cpus=2,cores=0', (w) => warnings.push(w))).toBe(2);
    expect(warnings).toEqual(['Deprecated CPU topology (considered invalid): CPU topology parameters must be greater than zero']);
  });

  it.each([
    ['cpus=4,cores=3', 'Invalid CPU topology: product of the hierarchy must match maxcpus: sockets (1) * cores (3) * threads (1) != maxcpus (4)'],
    ['cpus=4,maxcpus=2', 'Invalid CPU topology: maxcpus must be equal to or greater than smp: sockets (1) * cores (2) * threads (1) == maxcpus (2) < smp_cpus (4)'],
    ['2,dies=2', "dies not supported by this machine's CPU topology"],
    ['2,clusters=2', "clusters not supported by this machine's CPU topology"],
    ['2,books=2', "-smp does not take parameter 'books' (cpus, maxcpus, sockets, dies, clusters, cores, threads)"],
  ])('-smp %s is refused: %s', (arg, message) => {
    expect(() => smpCpus(arg)).toThrow(message);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kernel } from '../../kernel/index.js';
import { scanSettings, expandArgv, kernelEnv, formatExpansion } from '../../transports/cli/index.js';
import { newKernel } from './fixtures.js';

let kernel: Kernel;
beforeAll(async () => (kernel = await newKernel()));
afterAll(async () => kernel.close());

/** The commands an argv expands to, without origins, trailing `cont` included. */
const expand = (...argv: string[]) => expandArgv(argv, kernelEnv(kernel)).steps.map((s) => ({ execute: s.execute, arguments: s.arguments }));
/** The commands one option expands to, after a machine so no `cont`/phase steps depend on it. */
const only = (...argv: string[]) => expandArgv(['-S', ...argv], kernelEnv(kernel)).steps.map((s) => [s.execute, s.arguments]);
/** The message expansion fails with. */
const error = (...argv: string[]) => {
  try {
    expandArgv(argv, kernelEnv(kernel));
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
};

describe('expansion of each option (exact)', () => {
  it('-machine TYPE,prop=val -> machine-set typed by the machine type', () => {
    expect(only('-M', 'tvirt,memory=256M,cpus=2')).toEqual([['machine-set', { type: 'tvirt', memory: 268435456, cpus: 2 }]]);
  });
  it('-m SIZE means MiB for a bare number', () => {
    expect(only('-m', '512')).toEqual([['machine-set', { memory: 536870912 }]]);
    expect(only('-m', '2G')).toEqual([['machine-set', { memory: 2147483648 }]]);
    expect(only('-m', 'size=1.5G')).toEqual([['machine-set', { memory: 1610612736 }]]);
  });
  it('-smp N and -smp with a topology', () => {
    expect(only('-smp', '4')).toEqual([['machine-set', { cpus: 4 }]]);
    expect(only('-smp', 'sockets=2,cores=2')).toEqual([['machine-set', { cpus: 4 }]]);
  });
  it('-cpu, -bios, -kernel, -initrd, -append -> machine properties', () => {
    expect(only('-cpu', 'rv64', '-bios', 'fw.bin', '-kernel', 'Image', '-initrd', 'rd.img', '-append', 'console=ttyS0 root=/dev/vda')).toEqual([
      ['machine-set', { 'cpu-type': 'rv64' }],
      ['machine-set', { firmware: 'fw.bin' }],
      ['machine-set', { kernel: 'Image' }],
      ['machine-set', { initrd: 'rd.img' }],
      ['machine-set', { append: 'console=ttyS0 root=/dev/vda' }],
    ]);
  });
  it('-name -> set-name', () => {
    expect(only('-name', 'vm1')).toEqual([['set-name', { name: 'vm1' }]]);
    expect(only('-name', 'guest=vm2')).toEqual([['set-name', { name: 'vm2' }]]);
  });
  it('-object TYPE,... -> object-add with properties typed by the type', () => {
    expect(only('-object', 'tobj,id=o1,size=4K,value=0x10')).toEqual([['object-add', { 'qom-type': 'tobj', id: 'o1', size: 4096, value: 16 }]]);
  });
  it('-device keyval and JSON give the same typed command', () => {
    const kv = only('-device', 'tdev,id=d1,size=1M,count=3,on=yes,mode=slow');
    const json = only('-device', '{"driver":"tdev","id":"d1","size":1048576,"count":3,"on":true,"mode":"slow"}');
    expect(kv).toEqual([['device_add', { driver: 'tdev', id: 'd1', size: 1048576, count: 3, on: true, mode: 'slow' }]]);
    expect(json).toEqual(kv);
  });
  it('-chardev -> chardev-add in QEMU’s QMP shape', () => {
    expect(only('-chardev', 'socket,id=c0,path=/tmp/s,server=on,wait=off')).toEqual([
      ['chardev-add', { id: 'c0', backend: { type: 'socket', data: { addr: { type: 'unix', data: { path: '/tmp/s' } }, server: true, wait: false } } }],
    ]);
    expect(only('-chardev', 'file,id=f,path=out.log')).toEqual([['chardev-add', { id: 'f', backend: { type: 'file', data: { out: 'out.log' } } }]]);
  });
  it('-chardev socket follows QEMU’s command line, not QMP’s defaults: a client unless server=on, a server that waits unless wait=off', () => {
    const socket = (opts: string) => (only('-chardev', `socket,id=c,path=/s${opts}`)[0]![1] as { backend: { data: Record<string, unknown> } }).backend.data;
    expect(socket('')).toMatchObject({ server: false });
    expect(socket('')).not.toHaveProperty('wait');
    expect(socket(',server=on')).toMatchObject({ server: true, wait: true });
    expect(socket(',server=on,wait=off')).toMatchObject({ server: true, wait: false });
    expect(error('-chardev', 'socket,id=c,path=/s,wait=off')).toBe("option 1 (-chardev): 'wait' is only for a listening socket (server=on)");
  });
  it('-chardev mux=on makes the chardev a mux that several front-ends share', () => {
    expect(only('-chardev', 'stdio,id=con,mux=on')).toEqual([['chardev-add', { id: 'con', backend: { type: 'stdio', data: { mux: true } } }]]);
  });
  it('-blockdev -> blockdev-add', () => {
    expect(only('-blockdev', 'driver=file,node-name=hd0,filename=disk.img,read-only=on')).toEqual([
      ['blockdev-add', { driver: 'file', 'node-name': 'hd0', filename: 'disk.img', 'read-only': true }],
    ]);
  });
  it('-drive -> blockdev-add + device_add of virtio-blk', () => {
    expect(only('-drive', 'file=disk.img,if=virtio,format=raw,id=root')).toEqual([
      ['blockdev-add', { driver: 'file', 'node-name': 'root', filename: 'disk.img' }],
      ['device_add', { driver: 'virtio-blk-device', id: 'root-dev', drive: 'root' }],
    ]);
    expect(only('-drive', 'file=scratch.img,if=none,id=s')).toEqual([['blockdev-add', { driver: 'file', 'node-name': 's', filename: 'scratch.img' }]]);
  });
  it('-drive snapshot=on puts the copy-on-write overlay on the block node, not the device', () => {
    expect(only('-drive', 'file=disk.img,id=d,snapshot=on')).toEqual([
      ['blockdev-add', { driver: 'file', 'node-name': 'd', filename: 'disk.img', snapshot: true }],
      ['device_add', { driver: 'virtio-blk-device', id: 'd-dev', drive: 'd' }],
    ]);
  });
  it('-hda, -hdb and -cdrom are -drive with an index', () => {
    expect(only('-hda', 'a.img', '-hdb', 'b.img', '-cdrom', 'c.iso')).toEqual([
      ['blockdev-add', { driver: 'file', 'node-name': 'virtio0', filename: 'a.img' }],
      ['device_add', { driver: 'virtio-blk-device', id: 'virtio0-dev', drive: 'virtio0' }],
      ['blockdev-add', { driver: 'file', 'node-name': 'virtio1', filename: 'b.img' }],
      ['device_add', { driver: 'virtio-blk-device', id: 'virtio1-dev', drive: 'virtio1' }],
      ['blockdev-add', { driver: 'file', 'node-name': 'virtio2', filename: 'c.iso', 'read-only': true }],
      ['device_add', { driver: 'virtio-blk-device', id: 'virtio2-dev', drive: 'virtio2' }],
    ]);
  });
  it('-global DRIVER.PROP=VALUE -> global-set with the value typed by the property', () => {
    expect(only('-global', 'tdev.size=64K')).toEqual([['global-set', { driver: 'tdev', property: 'size', value: 65536 }]]);
    expect(only('-global', 'driver=tdev,property=on,value=on')).toEqual([['global-set', { driver: 'tdev', property: 'on', value: true }]]);
  });
  it('-serial stdio / null / file: / unix: -> chardev serialN', () => {
    expect(only('-serial', 'stdio', '-serial', 'null', '-serial', 'file:con.log', '-serial', 'unix:/tmp/ser,server=on,wait=off')).toEqual([
      ['chardev-add', { id: 'serial0', backend: { type: 'stdio', data: {} } }],
      ['chardev-add', { id: 'serial1', backend: { type: 'null', data: {} } }],
      ['chardev-add', { id: 'serial2', backend: { type: 'file', data: { out: 'con.log' } } }],
      ['chardev-add', { id: 'serial3', backend: { type: 'socket', data: { addr: { type: 'unix', data: { path: '/tmp/ser' } }, server: true, wait: false } } }],
    ]);
  });
  it('-serial chardev:ID -> the machine property serialN naming that chardev', () => {
    expect(only('-M', 'tvirt', '-serial', 'chardev:con')).toEqual([
      ['machine-set', { type: 'tvirt' }],
      ['machine-set', { serial0: 'con' }],
    ]);
    expect(error('-serial', 'chardev:con')).toBe("option 1 (-serial): 'chardev:con' names a port of the machine: choose the machine (-machine) before it");
  });
  it('-serial mon:stdio -> mux chardev plus a human monitor on it; Ctrl-C goes to the guest (signal=off), as in QEMU', () => {
    expect(only('-serial', 'mon:stdio')).toEqual([
      ['chardev-add', { id: 'serial0', backend: { type: 'stdio', data: { signal: false, mux: true } } }],
      ['monitor-add', { protocol: 'hmp', endpoint: 'chardev:serial0' }],
    ]);
    expect(only('-serial', 'mon:stdio,signal=on')[0]).toEqual(['chardev-add', { id: 'serial0', backend: { type: 'stdio', data: { signal: true, mux: true } } }]);
  });
  it('-monitor and -qmp -> monitor-add (QEMU\'s server and wait flags are accepted: a monitor always listens without waiting)', () => {
    expect(only('-monitor', 'stdio', '-qmp', 'unix:/tmp/q.sock,server=on,wait=off', '-qmp', 'tcp:127.0.0.1:4444,server,nowait')).toEqual([
      ['monitor-add', { protocol: 'hmp', endpoint: 'stdio' }],
      ['monitor-add', { protocol: 'qmp', endpoint: 'unix:/tmp/q.sock' }],
      ['monitor-add', { protocol: 'qmp', endpoint: 'tcp:127.0.0.1:4444' }],
    ]);
  });
  it('read-only=on and tls-creds=ID on -qmp, -monitor and -mon become the monitor\'s own options', () => {
    expect(only('-qmp', 'unix:/tmp/d.sock,server=on,wait=off,read-only=on', '-monitor', 'tcp:127.0.0.1:4445,tls-creds=tls0', '-mon', 'chardev=c0,mode=control,read-only=on')).toEqual([
      ['monitor-add', { protocol: 'qmp', endpoint: 'unix:/tmp/d.sock', 'read-only': true }],
      ['monitor-add', { protocol: 'hmp', endpoint: 'tcp:127.0.0.1:4445', 'tls-creds': 'tls0' }],
      ['monitor-add', { protocol: 'qmp', endpoint: 'chardev:c0', 'read-only': true }],
    ]);
  });
  it('a monitor endpoint option it does not know is an error naming it', () => {
    expect(() => only('-qmp', 'unix:/tmp/q.sock,limits=1')).toThrow("a monitor endpoint does not take parameter 'limits'");
  });
  it("-chardev with QMP's dotted backend keys says to name the backend first (it said '[object Object]' is not a valid backend; found by the fuzz campaign)", () => {
    expect(() => only('-chardev', 'id=c,backend.type=ringbuf,backend.data.out=/tmp/x')).toThrow("-chardev takes 'backend' as one value (-chardev ringbuf,id=ID,size=N), not as 'backend.KEY=...'");
  });
  it('-nographic without -serial is -serial mon:stdio; with -serial it adds nothing', () => {
    expect(only('-nographic')).toEqual(only('-serial', 'mon:stdio'));
    expect(only('-nographic', '-serial', 'null')).toEqual(only('-serial', 'null'));
  });
  it('-display none, -nodefaults, -no-user-config expand to nothing', () => {
    expect(only('-display', 'none', '-nodefaults', '-no-user-config')).toEqual([]);
  });
  it('-action panic=pause,reboot=shutdown -> set-action with both', () => {
    expect(only('-action', 'panic=pause,reboot=shutdown')).toEqual([['set-action', { panic: 'pause', reboot: 'shutdown' }]]);
  });

  it('-no-reboot -> set-action reboot=shutdown', () => {
    expect(only('-no-reboot')).toEqual([['set-action', { reboot: 'shutdown' }]]);
  });
  it('-sandbox on,spawn=deny -> sandbox-set', () => {
    expect(only('-sandbox', 'on,spawn=deny')).toEqual([['sandbox-set', { enable: true, spawn: 'deny' }]]);
  });
  it('-execute runs any command, typed by its schema', () => {
    expect(only('-execute', 'until-phase,phase=machine-initialized')).toEqual([['until-phase', { phase: 'machine-initialized' }]]);
    expect(only('-execute', '{"execute":"stop"}')).toEqual([['stop', {}]]);
  });
  it('-plugin and -log choose settings and run nothing', () => {
    const e = expandArgv(['-S', '-plugin', './p.js', '-log', 'vm.db'], kernelEnv(kernel));
    expect(e.steps).toEqual([]);
    expect(e.settings).toMatchObject({ plugins: ['./p.js'], logPath: 'vm.db', freeze: true });
  });
  it('-log-sync and -log-queries choose how the log is kept, before a kernel exists', () => {
    expect(scanSettings(['-log-sync', 'full', '-log-queries', '-M', 'virt'])).toMatchObject({ logSync: 'full', logQueries: true });
    expect(() => scanSettings(['-log-sync', 'sometimes'])).toThrow("'sometimes' is not a sync mode (normal or full)");
  });
  it('-log-key, -log-checkpoint and -log-witness choose how the log is anchored, before a kernel exists, and run nothing', () => {
    const argv = ['-log-key', 'vm.key', '-log-checkpoint', 'entries=500,seconds=5', '-log-witness', 'stderr', '-log-witness', 'file:w.txt'];
    expect(scanSettings(argv)).toMatchObject({ logKey: 'vm.key', logCheckpoint: { entries: 500, seconds: 5 }, logWitnesses: ['stderr', 'file:w.txt'] });
    expect(expandArgv(['-S', ...argv], kernelEnv(kernel)).steps).toEqual([]);
    expect(scanSettings(['-log-checkpoint', '2000'])).toMatchObject({ logCheckpoint: { entries: 2000 } });
    expect(() => scanSettings(['-log-checkpoint', 'entries=0'])).toThrow("-log-checkpoint entries must be a positive integer, got '0'");
    expect(() => scanSettings(['-log-checkpoint', 'every=5'])).toThrow("-log-checkpoint does not take parameter 'every'");
  });
});

describe('expansion as a whole', () => {
  it('feeds cont after the last option unless -S', () => {
    expect(expand('-M', 'tvirt')).toEqual([
      { execute: 'machine-set', arguments: { type: 'tvirt' } },
      { execute: 'cont', arguments: {} },
    ]);
    expect(expand('-S', '-M', 'tvirt')).toEqual([{ execute: 'machine-set', arguments: { type: 'tvirt' } }]);
  });
  it('feeds no cont when no machine was chosen: the VM waits for a monitor', () => {
    expect(expand('-qmp', 'stdio')).toEqual([{ execute: 'monitor-add', arguments: { protocol: 'qmp', endpoint: 'stdio' } }]);
  });
  it('records each command’s option and position as its origin', () => {
    const steps = expandArgv(['-M', 'tvirt', '-hda', 'a.img'], kernelEnv(kernel)).steps;
    expect(steps.map((s) => s.origin)).toEqual([
      { transport: 'cli', position: 'option 1 (-M)' },
      { transport: 'cli', position: 'option 2 (-hda)' },
      { transport: 'cli', position: 'option 2 (-hda)' },
      { transport: 'cli', position: 'end of command line' },
    ]);
  });
  it('prints the expansion as QMP JSON lines', () => {
    const e = expandArgv(['-M', 'tvirt,memory=64M', '-no-reboot', '--print-expansion'], kernelEnv(kernel));
    expect(formatExpansion(e)).toBe(
      '{"execute":"machine-set","arguments":{"type":"tvirt","memory":67108864}}\n' +
        '{"execute":"set-action","arguments":{"reboot":"shutdown"}}\n' +
        '{"execute":"cont"}\n',
    );
  });
  it('prints the expansion as a config file with origins as comments', () => {
    const e = expandArgv(['-M', 'tvirt', '--print-expansion=config'], kernelEnv(kernel));
    expect(formatExpansion(e)).toBe(
      '# option 1 (-M)\n- execute: machine-set\n  arguments: { type: tvirt }\n' + '# end of command line\n- execute: cont\n',
    );
  });
});

describe('expansion errors name the option, its position and the problem', () => {
  it('unknown option', () => expect(error('-M', 'tvirt', '-frobnicate')).toBe("option 2 (-frobnicate): unknown option '-frobnicate' (see --help)"));
  it('missing argument', () => expect(error('-M')).toBe('option 1 (-M): requires an argument (TYPE[,prop=value...])'));
  it('a bare word', () => expect(error('disk.img')).toMatch(/^option 1 \(disk.img\): 'disk.img' is not an option/));
  it('a keyval syntax error', () => expect(error('-device', 'tdev,a.0=1,a.x=2')).toBe("option 1 (-device): Parameters 'a.*' used inconsistently"));
  it('a value of the wrong type', () => expect(error('-device', 'tdev,count=many')).toBe("option 1 (-device): Parameter 'count' expects integer"));
  it('a bad size', () => expect(error('-m', 'lots')).toMatch(/^option 1 \(-m\): Parameter 'size' expects a non-negative number/));
  it('a bad boolean', () => expect(error('-device', 'tdev,on=maybe')).toBe("option 1 (-device): Parameter 'on' expects 'on' or 'off'"));
  it('an enum value not allowed', () => expect(error('-device', 'tdev,mode=warp')).toBe("option 1 (-device): Parameter 'mode' does not accept value 'warp'"));
  it('an unsupported display', () => expect(error('-display', 'gtk')).toBe("option 1 (-display): display 'gtk' is not available (only 'none')"));
  it('an unsupported drive format', () => expect(error('-drive', 'file=x.qcow2,format=qcow2')).toBe("option 1 (-drive): format 'qcow2' is not supported (raw images only)"));
});

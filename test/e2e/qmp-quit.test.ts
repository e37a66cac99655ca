import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectUnix, DEMO_FIRMWARE, VmProcess } from './run-vmledger.js';

const running: VmProcess[] = [];
afterEach(() => running.splice(0).forEach((p) => p.kill()));

describe('quit over QMP', () => {
  it('replies and announces SHUTDOWN before the process exits, while the guest runs and stdin stays open', async () => {
    const vm = new VmProcess(['-M', 'virt', '-bios', DEMO_FIRMWARE, '-display', 'none', '-serial', 'null', '-qmp', 'unix:q.sock,server=on,wait=off']);
    running.push(vm);
    const s = await connectUnix(join(vm.cwd, 'q.sock'));
    let text = '';
    s.setEncoding('utf8').on('data', (d: string) => (text += d));
    s.write('{"execute":"qmp_capabilities"}{"execute":"quit","id":"bye"}');
    const closed = new Promise((r) => s.once('close', r));
    expect(await vm.exited).toBe(0);
    await closed;
    const lines = text.trim().split('\r\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.slice(1).map((l) => l.event ?? l.return)).toEqual([{}, 'SHUTDOWN', {}]);
    expect(lines[2]).toMatchObject({ event: 'SHUTDOWN', data: { guest: false, reason: 'host-qmp-quit' } });
    expect(lines[3]).toEqual({ return: {}, id: 'bye' });
  });

  it('answers a script piped into -qmp stdio whose end arrives before the machine is built, and quits', async () => {
    // Before, stdin's end closed the monitor while the firmware was still being read: no greeting, nothing run.
    const vm = new VmProcess(['-M', 'virt', '-bios', DEMO_FIRMWARE, '-display', 'none', '-serial', 'null', '-qmp', 'stdio']);
    running.push(vm);
    vm.child.stdin.end('{"execute":"qmp_capabilities"}\n{"execute":"query-status","id":1}\n{"execute":"quit","id":2}\n');
    expect(await vm.exited).toBe(0);
    const lines = vm.stdout.trim().split(/\r?\n/).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toHaveProperty('QMP');
    expect(lines.filter((l) => 'id' in l)).toEqual([
      { return: { running: true, singlestep: false, status: 'running' }, id: 1 },
      { return: {}, id: 2 },
    ]);
  });
});

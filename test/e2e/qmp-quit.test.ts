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
});

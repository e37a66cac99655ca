import { firstValueFrom, filter } from 'rxjs';
import { expect, it } from 'vitest';
import type { Kernel } from '../../kernel/index.js';
import cpuPlugin from '../../plugins/cpu-rv64/index.js';
import { describeNeeding, hostPath, lacking } from '../needs.js';
import { hwKernel, run } from './helpers.js';

const UBOOT = hostPath('U-Boot (M-mode)');

/** Reads the console until `marker` shows up (no timing assertion: the test timeout is the only limit). */
async function waitFor(k: Kernel, marker: string, seen = { text: '' }): Promise<string> {
  while (!seen.text.includes(marker)) {
    seen.text += (await run(k, ['ringbuf-read', { device: 'serial0', size: 65536 }])) as string;
    await new Promise((r) => setTimeout(r, 50));
  }
  return seen.text;
}

describeNeeding('virt board running Debian U-Boot', lacking('U-Boot (M-mode)'), () => {
  it('boots to the prompt, answers a command and powers off through the test device', async () => {
    const k = await hwKernel([], cpuPlugin);
    await run(k, ['chardev-add', { id: 'serial0', backend: { type: 'ringbuf', data: { size: 65536 } } }], ['machine-set', { type: 'virt', firmware: UBOOT! }], ['cont']);
    const seen = { text: '' };
    await waitFor(k, 'Hit any key to stop autoboot', seen);
    await run(k, ['ringbuf-write', { device: 'serial0', data: '\r' }]);
    await waitFor(k, '=> ', seen);
    expect(seen.text).toContain('Model: riscv-virtio,qemu');
    expect(seen.text).toContain('DRAM:  128 MiB');
    seen.text = '';
    await run(k, ['ringbuf-write', { device: 'serial0', data: 'version\r' }]);
    await waitFor(k, '=> ', seen);
    expect(seen.text).toMatch(/U-Boot 20\d\d/);
    const shutdown = firstValueFrom(k.host.events.pipe(filter((e) => e.event === 'SHUTDOWN')));
    await run(k, ['ringbuf-write', { device: 'serial0', data: 'poweroff\r' }]);
    expect((await shutdown).data).toMatchObject({ guest: true });
    expect(k.runState).toBe('shutdown');
    await run(k, ['quit']);
  }, 120_000);
});

/** The virt board's RAM size is checked when it is given (machine-set), with a sentence naming the bound. */
import { describe, expect, it } from 'vitest';
import { hwKernel, run } from './helpers.js';

describe('virt RAM size', () => {
  it('refuses more than 4 GiB, the largest RAM the board can hold, when the size is given rather than when the board is built', async () => {
    const k = await hwKernel();
    await expect(run(k, ['machine-set', { type: 'virt', memory: 8 * 1024 ** 3 }])).rejects.toMatchObject({ desc: 'Invalid RAM size 8589934592: at most 4 GiB (4294967296)' });
    await run(k, ['machine-set', { type: 'virt' }]);
    await expect(run(k, ['machine-set', { memory: 0 }])).rejects.toMatchObject({ desc: 'Invalid RAM size 0: needs at least 16 MiB in whole pages' });
    await expect(run(k, ['machine-set', { cpus: 9 }])).rejects.toMatchObject({ desc: 'Invalid number of CPUs 9: the virt board here takes 1 to 8' });
    expect(k.objects.get('/machine').get('memory')).toBe(128 * 1024 ** 2);
    await k.close();
  });
});

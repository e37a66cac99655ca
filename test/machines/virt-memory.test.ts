/** The virt board's RAM size is checked when the board is built, with a sentence naming the bound. */
import { describe, expect, it } from 'vitest';
import { hwKernel, run } from './helpers.js';

describe('virt RAM size', () => {
  it('refuses more than 4 GiB, the largest RAM the board can hold, instead of failing inside the allocation', async () => {
    const k = await hwKernel();
    await run(k, ['machine-set', { type: 'virt', memory: 8 * 1024 ** 3 }]);
    await expect(run(k, ['until-phase', { phase: 'machine-initialized' }])).rejects.toMatchObject({ desc: 'Invalid RAM size 8589934592: at most 4 GiB (4294967296)' });
    await k.close();
  });
});

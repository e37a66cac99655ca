/** What management software asks before it builds a command line: the CPU models, the architecture, KVM. */
import { describe, expect, it } from 'vitest';
import { createKernel } from '../../kernel/index.js';
import { DEFAULT_PLUGINS } from '../../main/default-plugins.js';
import { API } from './helpers.js';

describe('target queries', () => {
  it("answer in QEMU's shape: the models -cpu takes, riscv64, and KVM neither present nor enabled", async () => {
    const k = await createKernel({ plugins: [...DEFAULT_PLUGINS] });
    expect(await k.execute('query-cpu-definitions', {}, API)).toEqual([{ name: 'rv64', typename: 'rv64-riscv-cpu', static: false, deprecated: false }]);
    expect(await k.execute('query-target', {}, API)).toEqual({ arch: 'riscv64' });
    expect(await k.execute('query-kvm', {}, API)).toEqual({ enabled: false, present: false });
    await k.close();
  });
});

import { createKernel, definePlugin, type Kernel, type Plugin } from '../../kernel/index.js';
import chardevPlugin from '../../plugins/backends/chardev/index.js';
import devicesPlugin from '../../plugins/devices/index.js';
import { CPU_MODELS, type CpuCluster, type CpuModel, type Hart } from '../../plugins/hw/cpu.js';
import hwPlugin from '../../plugins/hw/index.js';
import virtPlugin from '../../plugins/machines/virt/index.js';

/** A CPU model whose harts do nothing (board and device-tree tests need no instructions). */
export const stubCpu: CpuModel = {
  name: 'stub',
  properties: {},
  describe: () => ({ isa: 'rv64imac_zicsr_zifencei', isaBase: 'rv64i', isaExtensions: ['i', 'm', 'a', 'c', 'zicsr', 'zifencei'], mmuType: 'riscv,sv48' }),
  createCluster({ harts }): CpuCluster {
    const list: Hart[] = Array.from({ length: harts }, (_, hartId) => ({ hartId, setInterrupt() {}, pc: () => 0, halted: () => true }));
    return { harts: list, reset() {}, run: () => ({ executed: 0, idle: true }), retired: () => 0 };
  },
};

/** Registers the stub as `rv64`. */
export const stubCpuPlugin = definePlugin({
  name: 'stub-cpu',
  version: '0',
  dependsOn: ['hw'],
  setup(host) {
    host.use<Map<string, CpuModel>>(CPU_MODELS).set('rv64', stubCpu);
  },
});

/** The origin tests send commands from. */
export const API = { transport: 'api' } as const;

/** A kernel with the hardware plugins and the given CPU plugin (the stub by default). */
export function hwKernel(extra: Plugin[] = [], cpu: Plugin = stubCpuPlugin): Promise<Kernel> {
  return createKernel({ plugins: [hwPlugin, devicesPlugin, virtPlugin, chardevPlugin, cpu, ...extra] });
}

/** Sends commands in order, stopping at the first error. */
export async function run(k: Kernel, ...cmds: Array<[string, Record<string, unknown>?]>): Promise<unknown> {
  let last: unknown;
  for (const [name, args] of cmds) last = await k.execute(name, args ?? {}, API);
  return last;
}

/**
 * The `rv64` CPU core plugin: RV64GC (RV64IMAFDC, Zicsr, Zifencei, Zicntr),
 * M/S/U modes, Sv39 and Sv48 with a TLB, PMP. The device tree names
 * exactly these, and nothing more.
 */
import { CPU_MODELS, type CpuDescription, type CpuModel, type CpuProps } from '../hw/cpu.js';
import type { Plugin } from '../../kernel/plugin.js';
import { Rv64Cluster } from './cluster.js';
import { trackCluster } from './stats.js';

/** Single-letter extensions, in canonical order; they match misa (csr.ts). */
const LETTERS = ['i', 'm', 'a', 'f', 'd', 'c'] as const;
/** Multi-letter extensions (unprivileged spec chapters 9, 10, 6). */
const MULTI = ['zicntr', 'zicsr', 'zifencei'] as const;

/** The `-cpu rv64` model. */
export const rv64Model: CpuModel = {
  name: 'rv64',
  properties: {
    sv48: { default: true, doc: 'Sv48 besides Sv39 (off: satp takes Sv39 only, as QEMU\'s sv48=off)' },
    jit: { default: true, doc: 'Compile hot code into JavaScript (off: interpret everything, slower)' },
  },
  describe(props: CpuProps): CpuDescription {
    return {
      isa: `rv64${LETTERS.join('')}_${MULTI.join('_')}`,
      isaBase: 'rv64i',
      isaExtensions: [...LETTERS, ...MULTI],
      mmuType: props.sv48 ? 'riscv,sv48' : 'riscv,sv39',
    };
  },
  createCluster: (opts) => {
    const cluster = new Rv64Cluster({ ...opts, sv48: opts.props?.sv48 !== false, hot: opts.props?.jit === false ? -1 : undefined });
    trackCluster(cluster);
    return cluster;
  },
};

/** Registers `rv64` in the machine plugin's CPU model map. */
const plugin: Plugin = {
  name: 'cpu-rv64',
  version: '0.2.0',
  dependsOn: ['hw'],
  setup(host) {
    host.use<Map<string, CpuModel>>(CPU_MODELS).set('rv64', rv64Model);
  },
};

export default plugin;
export { Rv64Cluster } from './cluster.js';
export { Rv64Hart } from './hart.js';

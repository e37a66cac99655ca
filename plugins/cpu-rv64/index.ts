/**
 * The `rv64` CPU core plugin: RV64IMAC + Zicsr + Zifencei, M/S/U modes, no
 * MMU (satp is Bare only) and no floating point, so neither is advertised.
 */
import { CPU_MODELS, type CpuModel } from '../hw/cpu.js';
import type { Plugin } from '../../kernel/plugin.js';
import { Rv64Cluster } from './cluster.js';
import { trackCluster } from './stats.js';

/** The `-cpu rv64` model; its `isa` matches misa (MXL=2, I, M, A, C, S, U). */
export const rv64Model: CpuModel = {
  name: 'rv64',
  isa: 'rv64imac_zicsr_zifencei',
  mmuType: 'riscv,none',
  createCluster: (opts) => {
    const cluster = new Rv64Cluster(opts);
    trackCluster(cluster);
    return cluster;
  },
};

/** Registers `rv64` in the machine plugin's CPU model map. */
const plugin: Plugin = {
  name: 'cpu-rv64',
  version: '0.1.0',
  dependsOn: ['hw'],
  setup(host) {
    host.use<Map<string, CpuModel>>(CPU_MODELS).set('rv64', rv64Model);
  },
};

export default plugin;
export { Rv64Cluster } from './cluster.js';
export { Rv64Hart } from './hart.js';

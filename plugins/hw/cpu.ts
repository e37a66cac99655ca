import type { PhysicalBus } from './bus.js';

/** Interrupt-pending bits of `mip` that devices drive (privileged spec 3.1.9). */
export const IRQ = { SSIP: 1, MSIP: 3, STIP: 5, MTIP: 7, SEIP: 9, MEIP: 11 } as const;

/** The machine timer as a core reads it: the CLINT's `mtime` on the virtual clock. */
export interface MachineTimer {
  /** Current mtime in ticks of `frequency` Hz. */
  mtime(): number;
  readonly frequency: number;
}

/** One hart as the board and `query-cpus-fast` see it. */
export interface Hart {
  readonly hartId: number;
  /** Drives one `mip` bit from a device (level-triggered). */
  setInterrupt(bit: number, level: boolean): void;
  /** Program counter, for `query-cpus-fast`. */
  pc(): number;
  /** Whether the hart waits in `wfi`. */
  halted(): boolean;
}

/** What one call to `run` did. */
export interface RunResult {
  readonly executed: number;
  /** Every hart waits for an interrupt: nothing to do until a device raises one or the timer fires. */
  readonly idle: boolean;
}

/** The harts of one machine, run round-robin. */
export interface CpuCluster {
  readonly harts: readonly Hart[];
  /** Puts every hart at its reset vector: pc = `resetPc`, a0 = hart id, a1 = `fdtAddr` (as QEMU's boot ROM does). */
  reset(resetPc: number, fdtAddr: number): void;
  /** Executes up to `budget` instructions in total, then returns. */
  run(budget: number): RunResult;
  /** Total instructions retired since creation (for MIPS figures). */
  retired(): number;
}

/** What a CPU core plugin provides: `-cpu rv64`. */
export interface CpuModel {
  readonly name: string;
  /** `riscv,isa` for the device tree; matches `misa` exactly and stays under 32 characters. */
  readonly isa: string;
  /** `mmu-type` for the device tree, or undefined when the core has no MMU. */
  readonly mmuType?: string;
  createCluster(opts: { harts: number; bus: PhysicalBus; timer: MachineTimer }): CpuCluster;
}

/** Service token under which CPU plugins register their models (a Map<string, CpuModel>). */
export const CPU_MODELS = 'hw.cpu-models';

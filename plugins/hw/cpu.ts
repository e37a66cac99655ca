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

/** The on/off properties of a CPU model as `-cpu NAME,prop=on,...` set them. */
export type CpuProps = Readonly<Record<string, boolean>>;

/** How the device tree describes a hart (the RISC-V cpus binding). */
export interface CpuDescription {
  /** `riscv,isa`: the deprecated single string, which matches `misa`. */
  readonly isa: string;
  /** `riscv,isa-base`. */
  readonly isaBase: string;
  /** `riscv,isa-extensions`: one name per implemented extension. */
  readonly isaExtensions: readonly string[];
  /** `mmu-type` (the widest translation mode enabled), or undefined without an MMU. */
  readonly mmuType?: string;
}

/** What a CPU core plugin provides: `-cpu rv64`. */
export interface CpuModel {
  readonly name: string;
  /** The properties `-cpu NAME,prop=on|off` takes, with their defaults. */
  readonly properties: Readonly<Record<string, { readonly default: boolean; readonly doc: string }>>;
  /** What the device tree says of a hart with these properties: exactly what is implemented. */
  describe(props: CpuProps): CpuDescription;
  createCluster(opts: { harts: number; bus: PhysicalBus; timer: MachineTimer; props?: CpuProps }): CpuCluster;
}

/** A model and the properties chosen for it. */
export interface CpuChoice {
  readonly model: CpuModel;
  readonly props: CpuProps;
}

/**
 * Resolves a `-cpu` value (`rv64`, `rv64,sv48=off`) against the registered
 * models; throws an Error naming the problem for an unknown model, property
 * or value.
 */
export function chooseCpu(spec: string, models: ReadonlyMap<string, CpuModel>): CpuChoice {
  const [name, ...assignments] = spec.split(',');
  const model = models.get(name!);
  if (!model) throw new Error(`CPU type '${name}' is not available (known: ${[...models.keys()].join(', ') || 'none; load a CPU plugin'})`);
  const props: Record<string, boolean> = {};
  for (const [k, p] of Object.entries(model.properties)) props[k] = p.default;
  for (const a of assignments) {
    const eq = a.indexOf('=');
    const key = eq < 0 ? a : a.slice(0, eq), value = eq < 0 ? 'on' : a.slice(eq + 1);
    if (!Object.hasOwn(model.properties, key)) {
      const known = Object.keys(model.properties);
      throw new Error(`CPU '${name}' has no property '${key}' (it has: ${known.join(', ') || 'none'})`);
    }
    const flag = ({ on: true, off: false, true: true, false: false, yes: true, no: false } as Record<string, boolean>)[value];
    if (flag === undefined) throw new Error(`CPU property '${key}' takes on or off, not '${value}'`);
    props[key] = flag;
  }
  return { model, props };
}

/** Service token under which CPU plugins register their models (a Map<string, CpuModel>). */
export const CPU_MODELS = 'hw.cpu-models';

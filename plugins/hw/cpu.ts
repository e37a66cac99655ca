import type { PhysicalBus } from './bus.js';
import type { SavedState } from './vmstate.js';

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
  /**
   * The exceptions the hart took in a row at the very address they trap to
   * (the handler's first instruction faults, so the hart can never get
   * anywhere else), and the last one's details: the run loop reads it
   * between chunks to find such a trap storm and stop the machine.
   * Optional: a core that cannot tell leaves it out.
   */
  trapStorm?(): TrapStorm;
}

/** Exception causes by number (privileged spec table 3.6), for messages. */
export const EXCEPTION_NAMES: Readonly<Record<number, string>> = {
  0: 'instruction address misaligned', 1: 'instruction access fault', 2: 'illegal instruction', 3: 'breakpoint',
  4: 'load address misaligned', 5: 'load access fault', 6: 'store/AMO address misaligned', 7: 'store/AMO access fault',
  8: 'environment call from U-mode', 9: 'environment call from S-mode', 11: 'environment call from M-mode',
  12: 'instruction page fault', 13: 'load page fault', 15: 'store/AMO page fault',
};

/** A 64-bit value the core keeps sign-extended in a number, as QEMU prints it: "0xffffffff80001234". */
export function hex64(value: number): string {
  return `0x${BigInt.asUintN(64, BigInt(value)).toString(16)}`;
}

/** A hart's run of exceptions, each raised by the first instruction of the handler it enters. */
export interface TrapStorm {
  /** How many in a row; an exception raised anywhere else starts the count again at 0 (so it stays 0 in a healthy run). */
  readonly repeats: number;
  /** The last one's cause (privileged spec table 3.6). */
  readonly cause: number;
  /** The last one's pc (the xepc it wrote) and tval, as the core keeps 64-bit addresses: sign-extended into a number. */
  readonly pc: number;
  readonly tval: number;
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
  /** The harts' state for snapshots; a core without it cannot be saved. */
  readonly snapshot?: ClusterSnapshot;
}

/** Saving and loading a cluster's harts (called only between `run` calls, never inside one). */
export interface ClusterSnapshot {
  /** The harts' state as plain data, declared next to the core (its layout versions included). */
  save(): SavedState;
  /** Throws a `StateError` naming the problem when `data` cannot go into this cluster (another version, another hart count); changes nothing. */
  check(data: unknown): void;
  /** Loads data `check` accepted, then drops everything derived from the old state: TLBs, decoded and compiled code. */
  load(data: unknown): void;
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

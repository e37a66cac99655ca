/**
 * The harts of one machine, run round-robin in slices on the caller's
 * thread (`-smp N`). They share one decoded-instruction cache because they
 * share RAM.
 */
import type { PhysicalBus } from '../hw/bus.js';
import type { ClusterSnapshot, CpuCluster, MachineTimer, RunResult } from '../hw/cpu.js';
import { applyState, decodeState, saveState, StateError, type DecodedState, type SavedState } from '../hw/vmstate.js';
import { DecodeCache } from './decode-cache.js';
import { Rv64Hart } from './hart.js';
import { CLUSTER_STATE, HART_STATE } from './hart-state.js';
import { PRIV_M, PRIV_S, PRIV_U } from './state.js';
import { warmUp } from './warm-up.js';

/** Instructions one hart runs before the next gets its turn. */
const QUANTUM = 4096;

/** V8's type feedback is per function, not per object: one warm-up serves every cluster of the process. */
let warmedUp = false;

/** An RV64 cluster. */
export class Rv64Cluster implements CpuCluster {
  readonly harts: readonly Rv64Hart[];
  private readonly cache: DecodeCache;
  private total = 0;
  private next = 0;
  readonly snapshot: ClusterSnapshot = {
    save: () => this.saveState(),
    check: (data) => void this.decode(data),
    load: (data) => this.loadState(data),
  };

  constructor(opts: { harts: number; bus: PhysicalBus; timer: MachineTimer; sv48?: boolean; hot?: number }) {
    this.cache = new DecodeCache(opts.bus.ram.length);
    const harts: Rv64Hart[] = [];
    for (let i = 0; i < opts.harts; i++) harts.push(new Rv64Hart(i, opts.bus, opts.timer, this.cache, { sv48: opts.sv48 ?? true, hot: opts.hot }));
    this.harts = harts;
    // Before anything is loaded or reset: see warm-up.ts for why.
    if (!warmedUp) warmedUp = warmUp(harts[0]!, opts.bus.ram, opts.bus.ramBase, () => this.cache.flush());
    // Loaders and DMA write RAM behind the cores' backs: drop decodes of that range.
    opts.bus.onRamWritten((addr, length) => this.cache.invalidateRange(addr - opts.bus.ramBase, length));
  }

  reset(resetPc: number, fdtAddr: number): void {
    this.cache.flush();
    for (const h of this.harts) h.reset(resetPc, fdtAddr);
  }

  run(budget: number): RunResult {
    const harts = this.harts;
    let executed = 0;
    if (harts.length === 1) {
      executed = harts[0]!.step(budget);
    } else {
      // Round-robin in quanta; a hart in wfi with nothing pending gives its turn away.
      let progress = true;
      while (executed < budget && progress) {
        progress = false;
        for (let k = 0; k < harts.length && executed < budget; k++) {
          const h = harts[this.next]!;
          this.next = (this.next + 1) % harts.length;
          const ran = h.step(Math.min(QUANTUM, budget - executed));
          if (ran > 0) {
            progress = true;
            executed += ran;
            // Another hart may have written a reserved address meanwhile: SC
            // may fail spuriously (unprivileged spec 8.3), so dropping the
            // others' reservations at each switch is the simple correct rule.
            for (const o of harts) if (o !== h) o.resv = NaN;
          }
        }
      }
    }
    this.total += executed;
    let idle = true;
    for (const h of harts) if (!h.halted()) { idle = false; break; }
    // A waiting hart with an interrupt now pending is not idle: the next run wakes it.
    if (idle) for (const h of harts) if (h.wakeable()) { idle = false; break; }
    return { executed, idle };
  }

  retired(): number {
    return this.total;
  }

  private saveState(): SavedState {
    return {
      version: HART_STATE.version,
      cluster: saveState(CLUSTER_STATE.fields, this as unknown as Record<string, unknown>),
      harts: this.harts.map((h) => saveState(HART_STATE.fields, h as unknown as Record<string, unknown>)),
    };
  }

  /** Checks and decodes saved harts without touching them. */
  private decode(data: unknown): { cluster: DecodedState; harts: DecodedState[] } {
    const d = data as { version?: unknown; cluster?: unknown; harts?: unknown } | null;
    if (typeof d !== 'object' || d === null) throw new StateError('cpus: expected an object');
    if (d.version !== HART_STATE.version) throw new StateError(`cpus: hart state version ${String(d.version)}, this rv64 core has version ${HART_STATE.version}`);
    if (!Array.isArray(d.harts) || d.harts.length !== this.harts.length)
      throw new StateError(`cpus: ${Array.isArray(d.harts) ? d.harts.length : 'no'} harts saved, this machine has ${this.harts.length}`);
    const harts = d.harts.map((h, i) => decodeState(HART_STATE.fields, this.harts[i] as unknown as Record<string, unknown>, h, `cpus.harts[${i}]`));
    harts.forEach((h, i) => {
      const priv = h.get('priv');
      if (priv !== PRIV_M && priv !== PRIV_S && priv !== PRIV_U) throw new StateError(`cpus.harts[${i}].priv: ${String(priv)} is not a privilege level`);
    });
    const cluster = decodeState(CLUSTER_STATE.fields, this as unknown as Record<string, unknown>, d.cluster, 'cpus.cluster');
    if ((cluster.get('next') as number) >= this.harts.length) throw new StateError(`cpus.cluster.next: no hart ${String(cluster.get('next'))}`);
    return { cluster, harts };
  }

  private loadState(data: unknown): void {
    const { cluster, harts } = this.decode(data);
    applyState(CLUSTER_STATE.fields, this as unknown as Record<string, unknown>, cluster);
    harts.forEach((h, i) => applyState(HART_STATE.fields, this.harts[i] as unknown as Record<string, unknown>, h));
    this.cache.flush();
    for (const h of this.harts) h.afterLoad();
  }

  /** The compiled code's figures (VMLEDGER_CPU_STATS, bench/). */
  codeStats(): { compiled: number; live: number; resets: number; blockRuns: number; blockInsns: number } {
    const code = this.cache.code;
    let blockRuns = 0, blockInsns = 0;
    for (const h of this.harts) {
      blockRuns += h.blockRuns;
      blockInsns += h.blockInsns;
    }
    return { compiled: code.stats.compiled, live: code.size, resets: code.stats.resets, blockRuns, blockInsns };
  }
}

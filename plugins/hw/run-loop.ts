import type { CpuCluster, Hart, TrapStorm } from './cpu.js';
import type { VirtualClock } from './virtual-clock.js';

/** Tuning for the run loop. */
export interface RunLoopOptions {
  /** Wall time one slice may take before the event loop gets its turn (ms). */
  readonly sliceMs?: number;
  /** Longest sleep while idle with no timer pending (ms); a device kick ends it early. */
  readonly maxSleepMs?: number;
  /** The cluster threw: the machine cannot go on. */
  readonly onError?: (e: unknown) => void;
  /** A hart is in a trap storm (see `TRAP_STORM_REPEATS`): the loop has stopped; the machine reports it. */
  readonly onTrapStorm?: (hart: Hart, storm: TrapStorm) => void;
}

/**
 * Exceptions in a row, each raised at the address it traps to, after which
 * a hart is taken to be in a trap storm: its trap vector itself faults (no
 * memory there, or an instruction that traps), so it can never get anywhere
 * else. A healthy guest's handlers do not fault on their first instruction.
 */
export const TRAP_STORM_REPEATS = 1000;

/**
 * Drives a CPU cluster on the main event loop: slices of a few
 * milliseconds, each made of chunks of instructions sized so a chunk takes
 * about a tenth of the slice, with `setImmediate` between slices so QMP,
 * monitors and chardevs stay served. When every hart waits for an
 * interrupt it sleeps until the next virtual-clock deadline (the CLINT's
 * mtimecmp, an RTC alarm) or until a device kicks it. Guest requests that
 * arrive while instructions run (poweroff, reset) are deferred to the end
 * of the chunk, so the cluster is never reset from inside its own `run`.
 */
export class RunLoop {
  private running = false;
  private inRun = false;
  private immediate: NodeJS.Immediate | undefined;
  private timeout: NodeJS.Timeout | undefined;
  private chunk = 10_000;
  private readonly deferred: Array<() => void> = [];
  private readonly sliceMs: number;
  private readonly maxSleepMs: number;
  /** Slices run and idle sleeps taken, for diagnostics and tests. */
  readonly stats = { slices: 0, sleeps: 0 };

  constructor(
    private readonly cluster: CpuCluster,
    private readonly clock: VirtualClock,
    private readonly opts: RunLoopOptions = {},
  ) {
    this.sliceMs = opts.sliceMs ?? 4;
    this.maxSleepMs = opts.maxSleepMs ?? 100;
    clock.onTimersChanged(() => {
      if (this.timeout) this.kick();
    });
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Starts (or resumes) the guest: time flows, slices run. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.clock.start();
    this.schedule();
  }

  /** Pauses the guest: no more slices, guest time stands still. */
  stop(): void {
    this.running = false;
    this.clock.stop();
    this.cancel();
  }

  /**
   * A device raised an interrupt: end an idle sleep now. While instructions
   * run the harts see the interrupt themselves; between chunks (a timer that
   * fired in `poll`) the slice about to sleep sees the pending wake instead.
   */
  kick(): void {
    if (!this.running || this.inRun) return;
    this.schedule();
  }

  /** Runs `action` once the current chunk of instructions ends (at once if none is running). */
  defer(action: () => void): void {
    if (this.inRun) this.deferred.push(action);
    else action();
  }

  /** Runs the next slice as soon as the event loop allows; at most one wake (immediate or timeout) is ever pending. */
  private schedule(): void {
    if (this.timeout) clearTimeout(this.timeout);
    this.timeout = undefined;
    if (this.immediate) return;
    this.immediate = setImmediate(() => {
      this.immediate = undefined;
      this.slice();
    });
  }

  private cancel(): void {
    if (this.immediate) clearImmediate(this.immediate);
    if (this.timeout) clearTimeout(this.timeout);
    this.immediate = undefined;
    this.timeout = undefined;
  }

  private slice(): void {
    if (!this.running) return;
    this.stats.slices++;
    const start = performance.now();
    let idle = false;
    try {
      while (this.running && performance.now() - start < this.sliceMs) {
        this.clock.poll();
        const t0 = performance.now();
        this.inRun = true;
        let result;
        try {
          result = this.cluster.run(this.chunk);
        } finally {
          this.inRun = false;
        }
        this.tune(result.executed, performance.now() - t0);
        while (this.deferred.length) this.deferred.shift()!();
        if (this.stormCheck()) return;
        if (result.idle) {
          this.clock.poll();
          idle = true;
          break;
        }
      }
    } catch (e) {
      this.stop();
      this.opts.onError?.(e);
      return;
    }
    if (!this.running) return;
    if (idle) this.sleep();
    else this.schedule();
  }

  /** Stops the loop and reports a hart in a trap storm, if any; true when one was found. */
  private stormCheck(): boolean {
    for (const hart of this.cluster.harts) {
      const storm = hart.trapStorm?.();
      if (storm && storm.repeats >= TRAP_STORM_REPEATS) {
        this.stop();
        this.opts.onTrapStorm?.(hart, storm);
        return true;
      }
    }
    return false;
  }

  /** Sizes chunks so one takes about a tenth of a slice. */
  private tune(executed: number, ms: number): void {
    if (executed < this.chunk || ms <= 0) return;
    const target = (this.sliceMs / 10 / ms) * executed;
    this.chunk = Math.max(1_000, Math.min(5_000_000, Math.round((this.chunk + target) / 2)));
  }

  private sleep(): void {
    // A timer fired between chunks and kicked: its slice is already queued.
    if (this.immediate) return;
    this.stats.sleeps++;
    const deadline = this.clock.nextDeadline();
    const ms = deadline === undefined ? this.maxSleepMs : Math.min(this.maxSleepMs, Math.max(0, (deadline - this.clock.now()) / 1e6));
    this.timeout = setTimeout(() => {
      this.timeout = undefined;
      this.slice();
    }, ms);
  }
}

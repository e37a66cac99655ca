/** Where a clock's time comes from: the host's monotonic clock, or a hand-driven one in tests. */
export interface TimeSource {
  /** Monotonic nanoseconds. */
  nowNs(): number;
  /** Wall-clock milliseconds since the Unix epoch, read once when a clock is created (what the RTC starts from). */
  epochMs(): number;
}

/** The host's monotonic clock. */
export const hostTime: TimeSource = {
  // performance.now() (monotonic, sub-microsecond) rather than hrtime.bigint():
  // guests read the clock on every rdtime, and the BigInt took 2.8% of a Linux boot.
  nowNs: () => performance.now() * 1e6,
  epochMs: () => Date.now(),
};

/** A clock that moves only when told (the device harness); its wall clock starts at the epoch. */
export class ManualTime implements TimeSource {
  ns = 0;
  nowNs(): number {
    return this.ns;
  }
  epochMs(): number {
    return 0;
  }
}

/** A pending timer; `cancel` is idempotent. */
export interface TimerHandle {
  readonly deadline: number;
  cancel(): void;
}

interface Timer {
  deadline: number;
  callback: () => void;
  live: boolean;
}

/** CLINT timebase on QEMU's virt board: 10 MHz. */
export const TIMEBASE_HZ = 10_000_000;

/**
 * Guest time, the only time devices and harts read (never the host's
 * directly). It follows the host clock while the VM runs and stands still
 * while it is paused, so a firmware countdown takes its real seconds and a
 * `stop` does not make the guest see time jump. Timers fire from `poll`,
 * which the run loop calls every slice (and the harness after `advance`).
 *
 * A deterministic (`-icount`-like) mode plugs in here: a `TimeSource` that
 * counts instructions retired instead of host nanoseconds, a fixed
 * `epochMs`, and a run loop that ends its chunks at the next timer
 * deadline (`nextDeadline`) instead of after a wall-clock slice, so timers
 * fire after the same instruction in every run (docs/design-notes.md).
 */
export class VirtualClock {
  private base = 0;
  private startedAt: number | undefined;
  private timers: Timer[] = [];
  private readonly changeListeners: Array<() => void> = [];
  /** Wall-clock ms since the epoch at virtual time 0 (the RTC counts from it). */
  readonly epochMs: number;

  constructor(private readonly source: TimeSource = hostTime) {
    this.epochMs = source.epochMs();
  }

  /** Virtual nanoseconds since the clock was created, paused time excluded. */
  now(): number {
    return this.startedAt === undefined ? this.base : this.base + (this.source.nowNs() - this.startedAt);
  }

  /** Ticks of a `hz` counter (mtime at 10 MHz). */
  ticks(hz = TIMEBASE_HZ): number {
    return Math.floor((this.now() * hz) / 1e9);
  }

  /** Nanosecond time at which a `hz` counter reaches `ticks`. */
  ticksToNs(ticks: number, hz = TIMEBASE_HZ): number {
    return Math.ceil((ticks * 1e9) / hz);
  }

  get running(): boolean {
    return this.startedAt !== undefined;
  }

  /** The VM runs: time flows. */
  start(): void {
    if (this.startedAt === undefined) this.startedAt = this.source.nowNs();
  }

  /** The VM pauses: time stands still. */
  stop(): void {
    if (this.startedAt === undefined) return;
    this.base = this.now();
    this.startedAt = undefined;
  }

  /** Moves a stopped clock forward by `ns` and fires what fell due (tests, and `-icount`-like stepping). */
  advance(ns: number): void {
    if (this.startedAt !== undefined) throw new Error('advance() needs a stopped clock');
    this.base += ns;
    this.poll();
  }

  /** Calls `callback` from `poll` `delay` ns of virtual time from now. */
  setTimerIn(delay: number, callback: () => void): TimerHandle {
    return this.setTimerAt(this.now() + delay, callback);
  }

  /** Calls `callback` from `poll` once virtual time (`now()`, in ns) reaches `deadline`. */
  setTimerAt(deadline: number, callback: () => void): TimerHandle {
    const timer: Timer = { deadline, callback, live: true };
    this.timers.push(timer);
    this.timers.sort((a, b) => a.deadline - b.deadline);
    for (const l of this.changeListeners) l();
    return {
      deadline,
      cancel: () => {
        if (!timer.live) return;
        timer.live = false;
        this.timers = this.timers.filter((t) => t !== timer);
      },
    };
  }

  /** Fires every timer that is due; returns how many fired. */
  poll(): number {
    let fired = 0;
    const now = this.now();
    while (this.timers.length && this.timers[0]!.deadline <= now) {
      const t = this.timers.shift()!;
      t.live = false;
      fired++;
      t.callback();
    }
    return fired;
  }

  /** The earliest pending deadline (ns), for the run loop to sleep until. */
  nextDeadline(): number | undefined {
    return this.timers[0]?.deadline;
  }

  /**
   * Sets a stopped clock to virtual time `ns` (loading a snapshot) and drops
   * every pending timer: whoever owns state re-arms its timers from it.
   */
  restore(ns: number): void {
    if (this.startedAt !== undefined) throw new Error('restore() needs a stopped clock');
    for (const t of this.timers) t.live = false;
    this.timers = [];
    this.base = ns;
  }

  /** Hears about new timers (the run loop shortens its sleep). */
  onTimersChanged(listener: () => void): void {
    this.changeListeners.push(listener);
  }
}

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CpuCluster, RunResult } from '../../plugins/hw/cpu.js';
import { RunLoop } from '../../plugins/hw/run-loop.js';
import { VirtualClock, type TimeSource } from '../../plugins/hw/virtual-clock.js';

/** Host time as the faked `performance.now()` tells it, so timers and the clock move together. */
const fakeHostTime: TimeSource = { nowNs: () => Math.round(performance.now() * 1e6), epochMs: () => 0 };

/** A cluster whose harts all wait in wfi: every run retires nothing and reports idle. */
function idleCluster(): CpuCluster & { runs: number } {
  return {
    harts: [],
    runs: 0,
    reset() {},
    run(): RunResult {
      this.runs++;
      return { executed: 0, idle: true };
    },
    retired: () => 0,
  };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('run loop', () => {
  it('wakes an idle guest once per timer deadline, however many times the timer fires and kicks', () => {
    const clock = new VirtualClock(fakeHostTime);
    const cluster = idleCluster();
    const loop = new RunLoop(cluster, clock);
    // A guest timer every 10 ms that raises an interrupt as it fires, as the CLINT does for the kernel's tick.
    const tick = () => {
      loop.kick();
      clock.setTimerIn(10e6, tick);
    };
    clock.setTimerAt(10e6, tick);
    loop.start();
    vi.advanceTimersByTime(1000);
    loop.stop();
    // 100 deadlines in a second: one wake each, plus the slice the kick queues.
    expect(cluster.runs).toBeGreaterThanOrEqual(100);
    expect(cluster.runs).toBeLessThanOrEqual(2 * 100 + 2);
  });

  it('sleeps the longest allowed time when no timer is pending', () => {
    const clock = new VirtualClock(fakeHostTime);
    const cluster = idleCluster();
    const loop = new RunLoop(cluster, clock, { maxSleepMs: 100 });
    loop.start();
    vi.advanceTimersByTime(1000);
    loop.stop();
    expect(cluster.runs).toBeLessThanOrEqual(11);
  });

  it('ends an idle sleep at once when a device kicks from outside the guest', () => {
    const clock = new VirtualClock(fakeHostTime);
    const cluster = idleCluster();
    const loop = new RunLoop(cluster, clock, { maxSleepMs: 100 });
    loop.start();
    vi.advanceTimersByTime(1);
    const before = cluster.runs;
    loop.kick();
    vi.advanceTimersByTime(0);
    expect(cluster.runs).toBe(before + 1);
    loop.stop();
  });
});

/**
 * CPU time a running child process has used so far, for benches that time a
 * guest to a marker: on a shared machine wall time also counts the time a
 * run waited for a core, CPU time much less.
 */
import { readFileSync } from 'node:fs';

/** The kernel's clock ticks per second for /proc times (sysconf(_SC_CLK_TCK), 100 on Linux). */
const CLOCK_TICKS = 100;

/** User + system CPU milliseconds of every thread of `pid`, from /proc; NaN where there is none. */
export function cpuMsOf(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

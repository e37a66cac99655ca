/**
 * Optional exit report for benchmarks: with `VMLEDGER_CPU_STATS=1` in the
 * environment, the process prints, as it exits, one line with the
 * instructions every rv64 cluster retired and the process's CPU time, so a
 * harness driving a real `vmledger` process (bench/boot-autoboot.ts) can
 * compute MIPS over a firmware boot without a monitor command for it.
 */
import type { CpuCluster } from '../hw/cpu.js';

/** Environment variable that turns the exit report on. */
export const CPU_STATS_ENV = 'VMLEDGER_CPU_STATS';

const clusters: CpuCluster[] = [];
let hooked = false;

/** Counts `cluster` in the exit report, when the report is enabled. */
export function trackCluster(cluster: CpuCluster): void {
  if (!process.env[CPU_STATS_ENV]) return;
  clusters.push(cluster);
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    let retired = 0;
    for (const c of clusters) retired += c.retired();
    const u = process.cpuUsage();
    const cpuSeconds = (u.user + u.system) / 1e6;
    // One machine-readable line on stderr, e.g. "cpu-rv64 stats: retired=123 cpu_s=1.5 mips=82.0".
    process.stderr.write(`cpu-rv64 stats: retired=${retired} cpu_s=${cpuSeconds.toFixed(3)} mips=${(retired / cpuSeconds / 1e6).toFixed(1)}\n`);
  });
}

/**
 * Optional exit report for benchmarks: with `VMLEDGER_CPU_STATS=1` in the
 * environment, the process prints, as it exits, one line with the
 * instructions every rv64 cluster retired and the process's CPU time, so a
 * harness driving a real `vmledger` process (bench/boot-autoboot.ts) can
 * compute MIPS over a firmware boot without a monitor command for it.
 */
import { getHeapSpaceStatistics } from 'node:v8';
import type { Rv64Cluster } from './cluster.js';

/** Environment variable that turns the exit report on. */
export const CPU_STATS_ENV = 'VMLEDGER_CPU_STATS';

const clusters: Rv64Cluster[] = [];
let hooked = false;

/** Counts `cluster` in the exit report, when the report is enabled. */
export function trackCluster(cluster: Rv64Cluster): void {
  if (!process.env[CPU_STATS_ENV]) return;
  clusters.push(cluster);
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    let retired = 0, compiled = 0, live = 0, runs = 0, inBlocks = 0;
    for (const c of clusters) {
      retired += c.retired();
      const k = c.codeStats();
      compiled += k.compiled;
      live += k.live;
      runs += k.blockRuns;
      inBlocks += k.blockInsns;
    }
    const u = process.cpuUsage();
    const cpuSeconds = (u.user + u.system) / 1e6;
    // Machine-readable lines on stderr, e.g. "cpu-rv64 stats: retired=123 cpu_s=1.5 mips=82.0".
    process.stderr.write(`cpu-rv64 stats: retired=${retired} cpu_s=${cpuSeconds.toFixed(3)} mips=${(retired / cpuSeconds / 1e6).toFixed(1)}\n`);
    // V8's code space holds the compiled blocks' machine code (and everything else V8 compiled).
    const codeKb = Math.round((getHeapSpaceStatistics().find((s) => s.space_name === 'code_space')?.space_used_size ?? 0) / 1024);
    process.stderr.write(`cpu-rv64 code: compiled=${compiled} live=${live} block_runs=${runs} compiled_share=${(inBlocks / Math.max(1, retired)).toFixed(3)} insns_per_run=${(inBlocks / Math.max(1, runs)).toFixed(1)} v8_code_kb=${codeKb}\n`);
  });
}

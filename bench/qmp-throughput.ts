/**
 * QMP throughput and latency, vmledger against real QEMU in the same run:
 * pipelined `query-status` over a Unix socket, pipelined logged `qom-set`
 * changes (durable SQLite log), and p50/p99 latency for one client sending
 * one command at a time. Both servers run in their own process (vmledger's
 * is bench/qmp-server.ts), so the client's cost is not charged to either.
 * Run: `npx tsx bench/qmp-throughput.ts`.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { SqliteLogStore } from '../kernel/log/sqlite-log-store.js';
import { QEMU_BIN, QmpClient, startQemu, tempDir } from '../test/qmp/qmp-client.js';

const N_QUERY = Number(process.env.N_QUERY ?? 20_000);
const N_CHANGE = Number(process.env.N_CHANGE ?? 10_000);
const N_LAT = Number(process.env.N_LAT ?? 2_000);

/** Sends `n` requests pipelined and waits for all replies (counted by line, errors spotted by text); returns requests per second. */
async function pipelined(endpoint: string, n: number, req: (i: number) => string): Promise<number> {
  const c = await QmpClient.connect(endpoint);
  await c.negotiate();
  c.socket.removeAllListeners('data');
  let lines = 0;
  let errors = 0;
  const done = new Promise<void>((resolve) => {
    c.socket.on('data', (d: string) => {
      for (let i = d.indexOf('\n'); i >= 0; i = d.indexOf('\n', i + 1)) lines++;
      if (d.includes('"error"')) errors++;
      if (lines >= n) resolve();
    });
  });
  const start = process.hrtime.bigint();
  const chunk = 1000;
  for (let i = 0; i < n; i += chunk) c.send(Array.from({ length: Math.min(chunk, n - i) }, (_, k) => req(i + k)).join(''));
  await done;
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  c.close();
  if (errors) throw new Error('error replies in the pipelined run');
  return n / secs;
}

/** One command at a time: p50 and p99 round trip in microseconds. */
async function latency(endpoint: string, n: number): Promise<[number, number]> {
  const c = await QmpClient.connect(endpoint);
  await c.negotiate();
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await c.cmd('query-status');
    samples.push(Number(process.hrtime.bigint() - t0) / 1e3);
  }
  c.close();
  samples.sort((a, b) => a - b);
  return [samples[Math.floor(n * 0.5)]!, samples[Math.floor(n * 0.99)]!];
}

const dir = tempDir('vmledger-bench-');
const rows: Array<[string, string, string, string]> = [];
try {
  const logPath = join(dir, 'log.sqlite');
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'qmp-server.ts'), join(dir, 'vm.qmp'), logPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  const endpoint = `unix:${join(dir, 'vm.qmp')}`;
  const ourQ = await pipelined(endpoint, N_QUERY, (i) => `{"execute":"query-status","id":${i}}`);
  const ourC = await pipelined(endpoint, N_CHANGE, (i) => `{"execute":"qom-set","arguments":{"path":"/objects/b0","property":"label","value":"v${i}"},"id":${i}}`);
  const ourL = await latency(endpoint, N_LAT);
  await new Promise<void>((r) => {
    child.once('exit', () => r());
    child.kill('SIGTERM');
  });
  const log = SqliteLogStore.open(logPath);
  const logged = [...log.entries()].filter((e) => e.command === 'qom-set').length;
  log.close();

  let qQ: number | undefined, qC: number | undefined, qL: [number, number] | undefined;
  if (QEMU_BIN) {
    const qemu = await startQemu(dir);
    try {
      qQ = await pipelined(qemu.endpoint, Math.min(N_QUERY, 4000), (i) => `{"execute":"query-status","id":${i}}`);
      qC = await pipelined(qemu.endpoint, Math.min(N_CHANGE, 4000), (i) => `{"execute":"qom-set","arguments":{"path":"/machine","property":"dumpdtb","value":"/tmp/x${i}"},"id":${i}}`);
      qL = await latency(qemu.endpoint, Math.min(N_LAT, 1000));
    } finally {
      await qemu.stop();
    }
  }
  const f = (x: number | undefined) => (x === undefined ? 'n/a' : x.toFixed(0));
  const ratio = (a: number, b: number | undefined) => (b === undefined ? 'n/a' : `${(a / b).toFixed(1)}x`);
  rows.push(['pipelined query-status (req/s)', f(ourQ), f(qQ), ratio(ourQ, qQ)]);
  rows.push([`pipelined qom-set, logged (req/s; ${logged} entries)`, f(ourC), f(qC), ratio(ourC, qC)]);
  rows.push(['latency p50 (us)', f(ourL[0]), f(qL?.[0]), qL ? `${(qL[0] / ourL[0]).toFixed(1)}x faster` : 'n/a']);
  rows.push(['latency p99 (us)', f(ourL[1]), f(qL?.[1]), qL ? `${(qL[1] / ourL[1]).toFixed(1)}x faster` : 'n/a']);
  const w = [52, 12, 12, 14];
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join(' | ');
  console.log(line(['measure', 'vmledger', QEMU_BIN ? 'QEMU' : 'QEMU (absent)', 'ratio']));
  console.log(w.map((n) => '-'.repeat(n)).join('-|-'));
  for (const r of rows) console.log(line(r));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

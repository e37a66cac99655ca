/**
 * End-to-end change commands per second through `kernel.execute` with durable
 * logging: 64 concurrent submitters (as pipelining QMP clients would), so the
 * dispatcher's group commit batches their entries and the log's writer thread
 * commits one batch while the next runs. Reported for `normal` and `full` sync
 * modes, plus one submitter at a time (every command its own transaction),
 * with how busy the main thread was (below 100%: it waited for commits).
 * Baseline, measured in the same run: the same kernel without a log, so the
 * ratio is the price of durability. A last case signs checkpoints with a log
 * key (as -log-key does, every 10,000 entries and 10 s): its ratio to the
 * unsigned normal case is what signing, done on its own thread, costs the
 * commands.
 *
 *   npx tsx bench/log-dispatch.ts [seconds-per-case, default 2]
 */
import { createKernel } from '../kernel/kernel.js';
import type { SyncMode } from '../kernel/log/log-entry.js';
import { generateLogKey, readLogKey } from '../kernel/log/log-key.js';
import { SqliteLogStore, type CheckpointOptions } from '../kernel/log/sqlite-log-store.js';
import { counterPlugin } from '../test/log/fixtures/plugins.js';
import { perSecond, scratch } from './log-common.js';

const ms = Number(process.argv[2] ?? 2) * 1000;
const tmp = scratch();
const origin = { transport: 'qmp', client: 'bench' };
// A sealed log is never reopened: every case writes a new one.
let runs = 0;

async function measure(sync: SyncMode | undefined, submitters: number, checkpoints?: CheckpointOptions): Promise<{ rate: number; busy: number }> {
  const name = `dispatch-${sync}-${submitters}${checkpoints ? '-signed' : ''}-${++runs}.db`;
  const store = sync ? SqliteLogStore.open(tmp.path(name), { sync, ...(checkpoints ? { checkpoints } : {}) }) : undefined;
  const kernel = await createKernel({ plugins: [counterPlugin()], ...(store ? { log: store } : {}) });
  await kernel.execute('object-add', { 'qom-type': 'test-counter', id: 'c1' }, origin);
  let value = 0;
  let done = 0;
  // A deadline, not a timer: submitters that never wait on I/O keep the event loop in microtasks, so timers would not fire.
  let deadline = performance.now() + 500;
  const submitter = async (): Promise<void> => {
    while (performance.now() < deadline) {
      await kernel.execute('qom-set', { path: '/objects/c1', property: 'value', value: ++value }, origin);
      done++;
    }
  };
  // Warm up briefly so JIT and page cache do not count against the first case.
  await Promise.all(Array.from({ length: submitters }, submitter));
  done = 0;
  const loop = performance.eventLoopUtilization();
  const t0 = performance.now();
  deadline = t0 + ms;
  await Promise.all(Array.from({ length: submitters }, submitter));
  const rate = done / ((performance.now() - t0) / 1000);
  const busy = performance.eventLoopUtilization(loop).utilization;
  await kernel.close();
  return { rate, busy };
}

try {
  const baseline = (await measure(undefined, 64)).rate;
  console.log(`no log (baseline)      64 submitters: ${perSecond(baseline)}`);
  for (const sync of ['normal', 'full'] as const) {
    for (const submitters of [64, 1]) {
      const { rate, busy } = await measure(sync, submitters);
      const label = `${`${sync} sync`.padEnd(22)} ${String(submitters).padStart(2)} submitter${submitters === 1 ? ' ' : 's'}`;
      const target = sync === 'normal' && submitters === 64 ? '   (target >= 50,000/s)' : '';
      console.log(`${label}: ${perSecond(rate).padStart(10)}   vs baseline ${(rate / baseline).toFixed(2)}   main thread busy ${(busy * 100).toFixed(0)}%${target}`);
    }
  }
  // Signed against unsigned in alternating pairs, so a busy machine weighs on both alike.
  generateLogKey(tmp.path('bench.key'));
  const key = readLogKey(tmp.path('bench.key'));
  const ratios: number[] = [];
  for (let pair = 0; pair < 3; pair++) {
    const unsigned = await measure('normal', 64);
    const signed = await measure('normal', 64, { key, entries: 10_000, seconds: 10 });
    ratios.push(signed.rate / unsigned.rate);
    console.log(`normal sync, signed    64 submitters: ${perSecond(signed.rate).padStart(10)}   unsigned right before: ${perSecond(unsigned.rate)}   ratio ${(signed.rate / unsigned.rate).toFixed(2)}`);
  }
  console.log(`signed/unsigned, median of ${ratios.length} pairs: ${ratios.sort((a, b) => a - b)[1]!.toFixed(2)}`);
} finally {
  tmp.cleanup();
}

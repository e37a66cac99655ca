/**
 * The long fuzzing campaign (test/fuzz/fuzz.test.ts is its short run in
 * `npm test`): sessions of QMP, HMP, command-line and config-file inputs
 * drawn by fast-check, each against a fresh VM, until at least INPUTS inputs
 * have run. Reports inputs, answers, crashes, hangs, invalid replies, state
 * changes by failed commands, log and replay failures, and the first few
 * findings with the session seed that reproduces them
 * (FUZZ_SEED=<seed> npx vitest run test/fuzz replays one in the short run's
 * harness).
 *
 * Sessions run in a worker process: one whose event loop freezes is ended
 * by the session's watchdog (test/fuzz/watchdog.ts), counted as a hang with
 * its seed and input, and a new worker goes on from the next seed.
 *
 *   nice npx tsx bench/fuzz-campaign.ts [inputs, default 100000] [seed]
 *
 * Exit status 1 when anything was found.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { SingleBar } from 'cli-progress';
import fc from 'fast-check';
import { loadCatalog } from '../test/fuzz/catalog.js';
import { sessionInputs, type FuzzInput } from '../test/fuzz/inputs.js';
import { runSession, type Finding } from '../test/fuzz/session.js';
import { HANG_MARK } from '../test/fuzz/watchdog.js';

/** What a worker reports per session: one JSON line. */
interface SessionLine {
  readonly seed: number;
  readonly inputs: number;
  readonly answers: number;
  readonly applied: number;
  readonly via: Record<FuzzInput['via'], number>;
  readonly findings: Finding[];
}

/** Worker: runs sessions from `seed` on, one JSON line each, until the parent has enough. */
async function worker(seed: number): Promise<void> {
  const catalog = await loadCatalog();
  const arbitrary = sessionInputs(catalog, 60);
  for (; ; seed++) {
    const [sequence] = fc.sample(arbitrary, { numRuns: 1, seed });
    const result = await runSession(sequence!);
    const via = { qmp: 0, hmp: 0, cli: 0, config: 0 };
    for (const i of sequence!) via[i.via]++;
    const line: SessionLine = { seed, inputs: result.inputs, answers: result.answers, applied: result.appliedChanges, via, findings: result.findings };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
}

/** Runs a worker from `seed`; resolves with the seed to go on from when it stops, and what it said before. */
function runWorker(seed: number, onLine: (l: SessionLine) => boolean, onLost: (kind: 'hang' | 'crash', seed: number, detail: string) => void): Promise<number | undefined> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, import.meta.filename, '--worker', String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let next = seed;
    let done = false;
    let hung = false;
    let said = '';
    createInterface({ input: child.stdout }).on('line', (text) => {
      const line = JSON.parse(text) as SessionLine;
      next = line.seed + 1;
      if (!done && !onLine(line)) {
        done = true;
        child.kill('SIGTERM');
      }
    });
    createInterface({ input: child.stderr }).on('line', (text) => {
      if (text.startsWith(HANG_MARK)) {
        hung = true;
        onLost('hang', next, text.slice(HANG_MARK.length + 1));
      } else said += `${text}\n`;
    });
    child.on('close', (code, signal) => {
      // A worker that died on its own, not by its watchdog: the process crashed during that session.
      if (!done && !hung) onLost('crash', next, `worker exited (${signal ?? code}): ${said.slice(-600)}`);
      resolve(done ? undefined : next + 1);
    });
  });
}

if (process.argv[2] === '--worker') {
  await worker(Number(process.argv[3]));
} else {
  const target = Number(process.argv[2] ?? 100_000);
  const firstSeed = Number(process.argv[3] ?? Date.now() % 2 ** 31);
  const counts: Record<Finding['kind'], number> = { crash: 0, hang: 0, 'invalid-reply': 0, 'state-changed': 0, log: 0, replay: 0 };
  const examples: string[] = [];
  const via: Record<string, number> = { qmp: 0, hmp: 0, cli: 0, config: 0 };
  let inputs = 0;
  let answers = 0;
  let applied = 0;
  let sessions = 0;
  let lastSeed = firstSeed;
  const found = () => Object.values(counts).reduce((a, b) => a + b, 0);
  const bar = process.stderr.isTTY ? new SingleBar({ format: 'fuzzing {bar} {value}/{total} inputs | {sessions} sessions | {found} found | {eta_formatted} left', stream: process.stderr }) : undefined;
  bar?.start(target, 0, { sessions: 0, found: 0 });
  const t0 = performance.now();
  const onLine = (l: SessionLine): boolean => {
    sessions++;
    lastSeed = l.seed;
    inputs += l.inputs;
    answers += l.answers;
    applied += l.applied;
    for (const k of Object.keys(via)) via[k]! += l.via[k as FuzzInput['via']];
    for (const f of l.findings) {
      counts[f.kind]++;
      if (examples.length < 10) examples.push(`[${f.kind}] seed ${l.seed}: ${f.detail.split('\n')[0]}${f.input ? `\n    input: ${JSON.stringify(f.input).slice(0, 400)}` : ''}`);
    }
    bar?.update(Math.min(inputs, target), { sessions, found: found() });
    if (!bar && sessions % 200 === 0) process.stderr.write(`${inputs} inputs, ${sessions} sessions, ${found()} found\n`);
    return inputs < target;
  };
  const onLost = (kind: 'hang' | 'crash', seed: number, detail: string): void => {
    counts[kind]++;
    sessions++;
    if (examples.length < 10) examples.push(`[${kind === 'hang' ? 'hang: the event loop froze' : 'crash: the process died'}] seed ${seed}: ${detail.slice(0, 600)}`);
  };
  for (let seed: number | undefined = firstSeed; seed !== undefined; ) seed = await runWorker(seed, onLine, onLost);
  bar?.stop();

  console.log(`fuzz campaign: seeds ${firstSeed}..${lastSeed}, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  console.log(`inputs          ${inputs} (qmp ${via.qmp}, hmp ${via.hmp}, cli ${via.cli}, config ${via.config}) in ${sessions} sessions`);
  console.log(`answers         ${answers}`);
  console.log(`applied changes ${applied} (logged, verified and replayed)`);
  console.log(`crashes         ${counts.crash}`);
  console.log(`hangs           ${counts.hang}`);
  console.log(`invalid replies ${counts['invalid-reply']}`);
  console.log(`state changed by failed commands ${counts['state-changed']}`);
  console.log(`log not verified ${counts.log}, replay mismatches ${counts.replay}`);
  for (const e of examples) console.log(`- ${e}`);
  process.exitCode = found() > 0 ? 1 : 0;
}

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
 *   nice npx tsx bench/fuzz-campaign.ts [inputs, default 100000] [seed]
 *
 * Exit status 1 when anything was found.
 */
import { SingleBar } from 'cli-progress';
import fc from 'fast-check';
import { loadCatalog } from '../test/fuzz/catalog.js';
import { sessionInputs } from '../test/fuzz/inputs.js';
import { runSession, type Finding } from '../test/fuzz/session.js';

const target = Number(process.argv[2] ?? 100_000);
const firstSeed = Number(process.argv[3] ?? Date.now() % 2 ** 31);

const catalog = await loadCatalog();
const arbitrary = sessionInputs(catalog, 60);
const counts: Record<Finding['kind'], number> = { crash: 0, hang: 0, 'invalid-reply': 0, 'state-changed': 0, log: 0, replay: 0 };
const examples: Array<Finding & { seed: number }> = [];
const byTransport: Record<string, number> = { qmp: 0, hmp: 0, cli: 0, config: 0 };
let inputs = 0;
let answers = 0;
let applied = 0;
let sessions = 0;
const bar = process.stderr.isTTY ? new SingleBar({ format: 'fuzzing {bar} {value}/{total} inputs | {sessions} sessions | {found} found | {eta_formatted} left', stream: process.stderr }) : undefined;
bar?.start(target, 0, { sessions: 0, found: 0 });
const t0 = performance.now();

for (let seed = firstSeed; inputs < target; seed++) {
  const [sequence] = fc.sample(arbitrary, { numRuns: 1, seed });
  const result = await runSession(sequence!);
  sessions++;
  inputs += result.inputs;
  answers += result.answers;
  applied += result.appliedChanges;
  for (const i of sequence!) byTransport[i.via]!++;
  for (const f of result.findings) {
    counts[f.kind]++;
    if (examples.length < 10) examples.push({ ...f, seed });
  }
  const found = Object.values(counts).reduce((a, b) => a + b, 0);
  bar?.update(Math.min(inputs, target), { sessions, found });
  if (!bar && sessions % 200 === 0) process.stderr.write(`${inputs} inputs, ${sessions} sessions, ${found} found\n`);
}
bar?.stop();

const seconds = (performance.now() - t0) / 1000;
console.log(`fuzz campaign: seeds ${firstSeed}..${firstSeed + sessions - 1}, ${seconds.toFixed(0)} s`);
console.log(`inputs          ${inputs} (qmp ${byTransport.qmp}, hmp ${byTransport.hmp}, cli ${byTransport.cli}, config ${byTransport.config}) in ${sessions} sessions`);
console.log(`answers         ${answers}`);
console.log(`applied changes ${applied} (logged, verified and replayed)`);
console.log(`crashes         ${counts.crash}`);
console.log(`hangs           ${counts.hang}`);
console.log(`invalid replies ${counts['invalid-reply']}`);
console.log(`state changed by failed commands ${counts['state-changed']}`);
console.log(`log not verified ${counts.log}, replay mismatches ${counts.replay}`);
for (const e of examples) console.log(`- [${e.kind}] seed ${e.seed}: ${e.detail.split('\n')[0]}${e.input ? `\n    input: ${JSON.stringify(e.input).slice(0, 400)}` : ''}`);
process.exitCode = Object.values(counts).some((n) => n > 0) ? 1 : 0;

/**
 * The long `kill -9` campaign (test/log/crash-durability.test.ts is its short
 * run): ROUNDS rounds, each a logging kernel with 8 submitters killed with
 * SIGKILL at a random moment, then the log checked: it verifies, and every
 * change whose reply was seen is in it. A log continues across LOG_ROUNDS
 * rounds (reopened after each kill), then a fresh one starts, so checking
 * does not grow with the campaign; every fourth round commits in `full`
 * sync mode.
 *
 *   nice npx tsx bench/crash-campaign.ts [rounds, default 1000]
 *
 * Exit status 1 when a change was lost or a log did not verify.
 */
import { SingleBar } from 'cli-progress';
import { bundleCrashWriter, checkLog, runAndKill } from '../test/log/fixtures/crash-harness.js';
import { scratch } from './log-common.js';

const rounds = Number(process.argv[2] ?? 1000);
const LOG_ROUNDS = 10;

const tmp = scratch();
const bundle = await bundleCrashWriter();
let acknowledged = 0;
let lost = 0;
let unverified = 0;
let entries = 0;
const problems: string[] = [];
const bar = process.stderr.isTTY ? new SingleBar({ format: 'kill -9 {bar} {value}/{total} rounds | {acked} acknowledged | {lost} lost | {eta_formatted} left', stream: process.stderr }) : undefined;
bar?.start(rounds, 0, { acked: 0, lost: 0 });
const t0 = performance.now();
try {
  let path = '';
  let acked: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    if ((round - 1) % LOG_ROUNDS === 0) {
      entries += path ? checkLog(path, []).entries : 0;
      path = tmp.path(`crash-${round}.db`);
      acked = [];
    }
    const sync = round % 4 === 0 ? 'full' : 'normal';
    const now = await runAndKill(bundle.writer, path, round, sync, 20 + Math.floor(Math.random() * 280));
    acked.push(...now);
    acknowledged += now.length;
    const check = checkLog(path, acked);
    if (check.problem !== undefined) {
      unverified++;
      problems.push(`round ${round}: ${JSON.stringify(check.problem)}`);
    }
    if (check.lost.length) {
      lost += check.lost.length;
      problems.push(`round ${round}: ${check.lost.length} acknowledged changes missing (${check.lost.slice(0, 5).join(', ')}...)`);
      acked = acked.filter((v) => !check.lost.includes(v));
    }
    bar?.update(round, { acked: acknowledged, lost });
    if (!bar && round % 100 === 0) process.stderr.write(`${round} rounds, ${acknowledged} acknowledged, ${lost} lost\n`);
  }
  entries += checkLog(path, []).entries;
} finally {
  bar?.stop();
  bundle.remove();
  tmp.cleanup();
}
console.log(`kill -9 campaign: ${rounds} rounds in ${((performance.now() - t0) / 1000).toFixed(0)} s, a fresh log every ${LOG_ROUNDS} rounds`);
console.log(`acknowledged changes ${acknowledged}`);
console.log(`lost                 ${lost}`);
console.log(`logs not verifying   ${unverified} (checked after every round)`);
console.log(`entries in the logs  ${entries}`);
for (const p of problems.slice(0, 10)) console.log(`- ${p}`);
process.exitCode = lost || unverified ? 1 : 0;

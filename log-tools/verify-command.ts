import { verifyLog } from '../kernel/log/verify.js';
import { logPath, parseArgs } from './args.js';
import { toolIo, type LogToolDeps } from './io.js';

/** `vmledger log verify --help`. */
export const VERIFY_HELP = `Usage: vmledger log verify <db> [--json]

Checks the hash chain of the command log <db> from the first entry to the
last and names the first entry that was altered, removed or reordered, or a
tail removed after the log was last closed. Prints OK with the last sequence
number and hash (keep them elsewhere: a log rewritten from scratch is only
caught against such a copy). Exit status 0 when intact, 1 otherwise.

Options:
  --json       print the result as JSON
  -h, --help   show this help
`;

/** `vmledger log verify <db>`: exit 0 when the chain is intact, 1 with the first problem named. */
export async function runVerify(argv: readonly string[], deps: LogToolDeps): Promise<number> {
  const { out, err } = toolIo(deps);
  const args = parseArgs(argv, [], ['json', 'help']);
  if (args.options.has('help')) {
    out.write(VERIFY_HELP);
    return 0;
  }
  const path = logPath(args, 'verify');
  const progress = err.isTTY && !args.options.has('json');
  const result = verifyLog(path, progress ? { onProgress: (seq) => err.write(`\rverifying: entry ${seq}`) } : {});
  if (progress && result.entries >= 100_000) err.write('\r\x1b[K');
  if (args.options.has('json')) {
    out.write(JSON.stringify(result, null, 2) + '\n');
    return result.ok ? 0 : 1;
  }
  for (const w of result.warnings) err.write(`warning: ${w}\n`);
  if (result.problem) {
    out.write(`FAILED: ${result.problem.kind} at entry ${result.problem.seq}: ${result.problem.message}\n`);
    out.write(`entries 1..${result.lastSeq} are intact\n`);
    return 1;
  }
  const sealed = result.sealedSeq === 0 ? 'never sealed' : result.sealedSeq === result.lastSeq ? 'sealed' : `sealed at entry ${result.sealedSeq}`;
  out.write(`OK: ${result.entries} entries, last ${result.lastSeq} ${result.lastHash} (${sealed})\n`);
  return 0;
}

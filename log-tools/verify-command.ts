import { verifyLog, type LogProblem } from '../kernel/log/verify.js';
import { externalCheckpoints, keyOption } from './anchors.js';
import { logPath, parseArgs } from './args.js';
import { toolIo, type LogToolDeps } from './io.js';

/** `vmledger log verify --help`. */
export const VERIFY_HELP = `Usage: vmledger log verify <db> [--key PUB] [--checkpoint SIZE:ROOT]... [--witness FILE]... [--json]

Checks the command log <db> and names every problem found:
  - SQLite's integrity check of the whole file, and any part it cannot read;
  - the hash chain from the log's first record through every header version
    and entry to the seal: an entry or header altered, removed, inserted or
    reordered; the end removed after the log was sealed; anything appended
    after the seal;
  - the checkpoints stored in the log and the seal: the entries must still
    have their Merkle roots, and with a key they must be validly signed.
Works on a log in a read-only folder and on one whose -wal file holds the
latest entries (after a crash), without changing either.

Prints OK with the entry count and the checkpoint SIZE:ROOT to keep
elsewhere: a log rewritten from an edit onward, or one that lost its end
together with its seal, is only caught against such a copy or a signature.

Options:
  --key PUB              the log's public key ('vmledger log keygen' wrote
                         it next to the private key): every checkpoint and
                         the seal must be signed by it, and the log sealed
  --checkpoint SIZE:ROOT a checkpoint kept elsewhere (as this command or a
                         stderr witness printed it); may be repeated
  --witness FILE         every checkpoint in a file a file witness wrote
                         (-log-witness file:FILE); may be repeated
  --json                 print the result as JSON
  -h, --help             show this help

Exit status 0 when intact, 1 when a problem was found, 2 usage or I/O error.
`;

const place = (p: LogProblem): string => (p.seq > 0 ? ` at entry ${p.seq}` : '');

/** `vmledger log verify <db>`: exit 0 when the log is intact, 1 with every problem named. */
export async function runVerify(argv: readonly string[], deps: LogToolDeps): Promise<number> {
  const { out, err } = toolIo(deps);
  const args = parseArgs(argv, ['key', 'checkpoint', 'witness'], ['json', 'help']);
  if (args.options.has('help')) {
    out.write(VERIFY_HELP);
    return 0;
  }
  const path = logPath(args, 'verify');
  const key = keyOption(args);
  const checkpoints = externalCheckpoints(args);
  const progress = err.isTTY && !args.options.has('json');
  const result = verifyLog(path, {
    ...(key ? { key } : {}),
    checkpoints,
    ...(progress ? { onProgress: (seq: number) => void err.write(`\rverifying: entry ${seq}`) } : {}),
  });
  if (progress && result.size >= 100_000) err.write('\r\x1b[K');
  if (args.options.has('json')) {
    out.write(JSON.stringify(result, null, 2) + '\n');
    return result.ok ? 0 : 1;
  }
  for (const w of result.warnings) err.write(`warning: ${w}\n`);
  if (!result.ok) {
    for (const p of result.problems) out.write(`FAILED: ${p.kind}${place(p)}: ${p.message}\n`);
    out.write(result.lastSeq === 0 ? 'no entry is intact before the first problem\n' : `entries 1..${result.lastSeq} are intact\n`);
    return 1;
  }
  const sealed = result.sealed ? (result.sealedSeq === result.lastSeq ? 'sealed' : `sealed at entry ${result.sealedSeq}`) : 'never sealed';
  const signed = result.keyId ? `, signed by key ${result.keyId} through entry ${result.signedThrough}` : '';
  out.write(`OK: ${result.entries} entries, last ${result.lastSeq} ${result.lastHash} (${sealed}${signed})\n`);
  out.write(`checkpoint ${result.size}:${result.root}\n`);
  return 0;
}

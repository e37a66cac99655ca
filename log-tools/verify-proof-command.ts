import { readFileSync } from 'node:fs';
import { checkProof, ProofError } from '../kernel/log/inclusion-proof.js';
import { parseCheckpointOption, keyOption } from './anchors.js';
import { UsageError, parseArgs, strOption } from './args.js';
import { isoTime, toolIo, type LogToolDeps } from './io.js';

/** `vmledger log verify-proof --help`. */
export const VERIFY_PROOF_HELP = `Usage: vmledger log verify-proof <proof.json|-> (--key PUB | --checkpoint SIZE:ROOT) [--json]

Checks a proof made by 'vmledger log prove' without the log: the entry
matches its hash, its audit path leads to the checkpoint's root, and the
checkpoint is vouched for, by a valid signature of the log's public key
(--key) or by equalling a checkpoint kept elsewhere (--checkpoint). Reads
the proof from standard input when given '-'.

Options:
  --key PUB               the log's public key (the .pub file of 'vmledger log keygen')
  --checkpoint SIZE:ROOT  a checkpoint of the log held elsewhere
  --json                  print the checked entry as JSON
  -h, --help              show this help

Exit status 0 when the proof holds, 1 when it does not, 2 usage or I/O error.
`;

/** `vmledger log verify-proof <proof>`: exit 0 when the proof holds, 1 naming what does not. */
export async function runVerifyProof(argv: readonly string[], deps: LogToolDeps): Promise<number> {
  const { out } = toolIo(deps);
  const args = parseArgs(argv, ['key', 'checkpoint'], ['json', 'help']);
  if (args.options.has('help')) {
    out.write(VERIFY_PROOF_HELP);
    return 0;
  }
  if (args.positional.length !== 1) throw new UsageError(`verify-proof takes exactly one proof file, got ${args.positional.length}`);
  const file = args.positional[0]!;
  const key = keyOption(args);
  const trusted = strOption(args, 'checkpoint');
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read the proof '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const checked = checkProof(text, { ...(key ? { key } : {}), ...(trusted ? { trusted: parseCheckpointOption(trusted) } : {}) });
    const e = checked.entry;
    if (args.options.has('json')) out.write(JSON.stringify({ ok: true, entry: e, checkpoint: checked.checkpoint.text, anchoredBy: checked.anchoredBy }, null, 2) + '\n');
    else
      out.write(
        `OK: entry ${e.seq} (${e.command} at ${isoTime(e.time)}) is entry ${e.seq} of the ${checked.checkpoint.size} entries under ` +
          `${checked.checkpoint.kind} ${checked.checkpoint.size}:${checked.checkpoint.root}, ${checked.anchoredBy}\n`,
      );
    return 0;
  } catch (e) {
    if (!(e instanceof ProofError)) throw e;
    out.write(args.options.has('json') ? JSON.stringify({ ok: false, problem: e.message }) + '\n' : `FAILED: ${e.message}\n`);
    return 1;
  }
}

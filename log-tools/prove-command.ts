import { proveEntry } from '../kernel/log/inclusion-proof.js';
import { SqliteLogStore } from '../kernel/log/sqlite-log-store.js';
import { UsageError, intOption, parseArgs } from './args.js';
import { toolIo, type LogToolDeps } from './io.js';

/** `vmledger log prove --help`. */
export const PROVE_HELP = `Usage: vmledger log prove <db> <seq> [--size N]

Prints, as JSON, a proof that entry <seq> is in the command log <db>, for an
auditor who is handed that entry and not the log: the entry exactly as
stored, the Merkle audit path from it to the root of the log's first N
entries (RFC 9162), and the checkpoint that states that root, signed when the
log has a key. Check it with 'vmledger log verify-proof'.

By default the proof is against the seal, or else the latest checkpoint that
covers the entry, or else an unsigned tree head over the whole log.

Options:
  --size N     prove against the first N entries (a stored checkpoint of that
               size when there is one): to match a checkpoint the auditor holds
  -h, --help   show this help
`;

/** `vmledger log prove <db> <seq>`: prints the proof; exit 0. */
export async function runProve(argv: readonly string[], deps: LogToolDeps): Promise<number> {
  const { out } = toolIo(deps);
  const args = parseArgs(argv, ['size'], ['help']);
  if (args.options.has('help')) {
    out.write(PROVE_HELP);
    return 0;
  }
  if (args.positional.length !== 2) throw new UsageError(`prove takes a log file and an entry number, got ${args.positional.length} arguments`);
  const [path, seqText] = args.positional as [string, string];
  if (!/^[1-9]\d*$/.test(seqText)) throw new UsageError(`the entry number must be a positive integer, got '${seqText}'`);
  const size = intOption(args, 'size');
  const store = SqliteLogStore.open(path, { readonly: true });
  try {
    out.write(JSON.stringify(proveEntry(store, Number(seqText), size), null, 2) + '\n');
  } finally {
    store.close();
  }
  return 0;
}

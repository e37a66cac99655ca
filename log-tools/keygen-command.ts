import { generateLogKey } from '../kernel/log/log-key.js';
import { UsageError, parseArgs } from './args.js';
import { toolIo, type LogToolDeps } from './io.js';

/** `vmledger log keygen --help`. */
export const KEYGEN_HELP = `Usage: vmledger log keygen <file>

Makes an Ed25519 key pair for signing a command log: the private key goes to
<file> (readable by you only), the public key to <file>.pub. Neither file is
ever overwritten.

Give the private key to the VM with -log-key <file>: it signs a checkpoint
every few thousand entries or seconds and the seal when the log is closed.
Keep <file>.pub where the log's writer cannot change it, and check the log
with 'vmledger log verify <db> --key <file>.pub'.

Options:
  -h, --help   show this help
`;

/** `vmledger log keygen <file>`: writes the key pair and prints the key id; exit 0. */
export async function runKeygen(argv: readonly string[], deps: LogToolDeps): Promise<number> {
  const { out } = toolIo(deps);
  const args = parseArgs(argv, [], ['help']);
  if (args.options.has('help')) {
    out.write(KEYGEN_HELP);
    return 0;
  }
  if (args.positional.length !== 1) throw new UsageError(`keygen takes exactly one file name, got ${args.positional.length}`);
  const path = args.positional[0]!;
  const id = generateLogKey(path);
  out.write(`key ${id}: private key in ${path} (keep it secret), public key in ${path}.pub\n`);
  return 0;
}

import { UsageError } from './args.js';
import { runAudit } from './audit-command.js';
import { toolIo, type LogToolDeps } from './io.js';
import { runKeygen } from './keygen-command.js';
import { runProve } from './prove-command.js';
import { runBisect } from './bisect-command.js';
import { runBundle } from './bundle-command.js';
import { runDiff } from './diff-command.js';
import { runReplay } from './replay-command.js';
import { runShow } from './show-command.js';
import { runTail } from './tail-command.js';
import { runVerify } from './verify-command.js';
import { runVerifyProof } from './verify-proof-command.js';

export type { LogToolDeps, Output } from './io.js';
export { runAudit, AUDIT_HELP } from './audit-command.js';
export { runReplay, REPLAY_HELP } from './replay-command.js';
export { runVerify, VERIFY_HELP } from './verify-command.js';
export { runKeygen, KEYGEN_HELP } from './keygen-command.js';
export { runProve, PROVE_HELP } from './prove-command.js';
export { runVerifyProof, VERIFY_PROOF_HELP } from './verify-proof-command.js';
export { runShow, SHOW_HELP } from './show-command.js';
export { runDiff, DIFF_HELP } from './diff-command.js';
export { runTail, TAIL_HELP } from './tail-command.js';
export { runBisect, BISECT_HELP } from './bisect-command.js';
export { runBundle, BUNDLE_HELP } from './bundle-command.js';

/** `vmledger log --help`. */
export const LOG_HELP = `Usage: vmledger log <command> <db> [options]

Commands:
  replay <db> [--to SEQ]     rebuild the logged configuration and check every state hash
  run <db> [options]         boot the VM the log recorded (the program's entry point runs it)
  verify <db> [--key PUB]    check the file, the hash chain, the checkpoints and signatures;
                             name every altered, removed, inserted or reordered record
  audit <db> [filters]       who ran what, when, from where, and the outcome
  show <db> <seq>            one entry, every field
  tail <db> [-n N] [-f]      the latest entries; -f follows the log while the VM runs
  bisect <db> --until EXPR   the first entry after which a QOM path or property condition holds
  bundle <db> -o <file>      one file to hand a colleague: the log, and with --with-files its host files
  diff <a>[@SEQ] <b>[@SEQ]   what differs between two configurations (objects, properties, placement, phase)
  keygen <file>              make a key pair for signing a log (-log-key <file>)
  prove <db> <seq>           print a proof that one entry is in the log
  verify-proof <proof>       check such a proof without the log

Run 'vmledger log <command> --help' for a command's options.
Exit status: 0 success, 1 the log failed the check, 2 usage or I/O error.
`;

const COMMANDS: Record<string, (argv: readonly string[], deps: LogToolDeps) => Promise<number>> = {
  replay: runReplay,
  verify: runVerify,
  audit: runAudit,
  show: runShow,
  diff: runDiff,
  tail: runTail,
  bisect: runBisect,
  bundle: runBundle,
  keygen: runKeygen,
  prove: runProve,
  'verify-proof': runVerifyProof,
};

/**
 * Entry of `vmledger log ...`: `argv` is what follows `log`
 * (`['verify', 'vm.db']`). Returns the exit status; errors are printed, not thrown.
 */
export async function runLogCommand(argv: readonly string[], deps: LogToolDeps): Promise<number> {
  const { out, err } = toolIo(deps);
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out.write(LOG_HELP);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    err.write(`vmledger log: unknown command '${name}'\n${LOG_HELP}`);
    return 2;
  }
  try {
    return await command(rest, deps);
  } catch (e) {
    if (e instanceof UsageError) {
      err.write(`vmledger log ${name}: ${e.message}\nRun 'vmledger log ${name} --help' for usage.\n`);
      return 2;
    }
    err.write(`vmledger log ${name}: ${e instanceof Error ? e.message : String(e)}\n`);
    if (process.env.VMLEDGER_DEBUG && e instanceof Error) err.write(`${e.stack}\n`);
    return 2;
  }
}

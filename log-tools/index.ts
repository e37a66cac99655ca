import { LogStoreError } from '../kernel/log/sqlite-log-store.js';
import { UsageError } from './args.js';
import { runAudit } from './audit-command.js';
import { toolIo, type LogToolDeps } from './io.js';
import { runReplay } from './replay-command.js';
import { runVerify } from './verify-command.js';

export type { LogToolDeps, Output } from './io.js';
export { runAudit, AUDIT_HELP } from './audit-command.js';
export { runReplay, REPLAY_HELP } from './replay-command.js';
export { runVerify, VERIFY_HELP } from './verify-command.js';

/** `vmledger log --help`. */
export const LOG_HELP = `Usage: vmledger log <command> <db> [options]

Commands:
  replay <db> [--to SEQ]   rebuild the logged configuration and check every state hash
  verify <db>              check the hash chain; name the first altered, removed or reordered entry
  audit <db> [filters]     who ran what, when, from where, and the outcome

Run 'vmledger log <command> --help' for a command's options.
Exit status: 0 success, 1 the log failed the check, 2 usage or I/O error.
`;

const COMMANDS: Record<string, (argv: readonly string[], deps: LogToolDeps) => Promise<number>> = {
  replay: runReplay,
  verify: runVerify,
  audit: runAudit,
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
    const message = e instanceof LogStoreError || e instanceof Error ? e.message : String(e);
    err.write(`vmledger log ${name}: ${message}\n`);
    return 2;
  }
}

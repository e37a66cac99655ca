/**
 * `vmledger export DB`: the configuration a log built, checked before it is
 * printed. The log must verify (a tampered entry is not exported), and the
 * canonical command list is run into a fresh replay kernel that must reach
 * the state hash the log recorded: an export that would rebuild another
 * configuration is refused, never printed.
 */
import { existsSync } from 'node:fs';
import { createKernel, stateHashFormatOf, type Plugin } from '../kernel/index.js';
import { SqliteLogStore } from '../kernel/log/sqlite-log-store.js';
import { verifyLog } from '../kernel/log/verify.js';
import { intOption, parseArgs, strOption, UsageError } from '../log-tools/args.js';
import { canonicalCommands, EXPORT_FORMATS, renderExport, type CommandItem, type ExportFormat } from '../transports/config/index.js';

export const EXPORT_HELP = `Usage: vmledger export DB [--format commands|cli|qmp] [--to SEQ]

Prints the configuration a command log built, as a config file (commands, the
default), a command line (cli) or a QMP script (qmp). Running the output
rebuilds the same configuration: the same state hash, device placement
included. Before printing, the log's hash chain is verified and the output
is rebuilt in a fresh kernel; a log that fails either is refused (exit 1).

Commands that ran while the guest was running are kept in order after the
guest starts; a config file marks each, since it applies them as soon as the
guest starts, not at the moment of the guest's run they were recorded at.

Options:
  --format F   commands, cli or qmp
  --to SEQ     the configuration after entry SEQ (default: the last entry)
  -h, --help   show this help
`;

/** Why an export was refused: the log failed its check, or the export would not rebuild it. */
export class ExportRefused extends Error {}

/** Runs `items` in a fresh replay kernel; the state hash it reaches, or the item that failed. */
async function rebuild(items: readonly CommandItem[], plugins: readonly Plugin[], stateHashFormat: number): Promise<{ hash: string } | { failed: CommandItem; message: string }> {
  const kernel = await createKernel({ plugins, mode: 'replay', stateHashFormat });
  try {
    for (const item of items) {
      try {
        await kernel.execute(item.execute, item.arguments, { transport: 'export' });
      } catch (e) {
        return { failed: item, message: e instanceof Error ? e.message : String(e) };
      }
    }
    return { hash: kernel.stateHash() };
  } finally {
    await kernel.close();
  }
}

/** The export of the log at `path` in `format`, up to entry `to`; throws ExportRefused or UsageError. */
export async function exportLog(path: string, format: ExportFormat, plugins: readonly Plugin[], to?: number): Promise<string> {
  if (!existsSync(path)) throw new UsageError(`'${path}': No such file or directory`);
  const check = verifyLog(path);
  if (!check.ok) {
    const p = check.problems[0]!;
    throw new ExportRefused(`the log does not verify (${p.kind}${p.seq > 0 ? ` at entry ${p.seq}` : ''}: ${p.message}); 'vmledger log verify ${path}' names every problem`);
  }
  const store = SqliteLogStore.open(path, { readonly: true });
  try {
    const entries = [...store.entries(to === undefined ? {} : { to })];
    const last = entries.at(-1);
    if (to !== undefined && last?.seq !== to) throw new UsageError(`--to ${to}: the log has ${store.lastSeq} entries`);
    const items = canonicalCommands(entries);
    if (last) {
      const rebuilt = await rebuild(items, plugins, stateHashFormatOf(store.header()));
      if ('failed' in rebuilt)
        throw new ExportRefused(`the exported '${rebuilt.failed.execute}' fails when run again (${rebuilt.message}); the export cannot express this log`);
      if (rebuilt.hash !== last.stateHash)
        throw new ExportRefused(`the exported commands rebuild state hash ${rebuilt.hash}, but entry ${last.seq} recorded ${last.stateHash}; the export cannot express this log`);
    }
    return renderExport(items, format);
  } finally {
    store.close();
  }
}

/** `vmledger export DB [--format F] [--to SEQ]`: prints the export; the exit status (0, 1 refused, 2 usage or I/O). */
export async function runExport(argv: readonly string[], plugins: readonly Plugin[], out: (text: string) => void, err: (text: string) => void): Promise<number> {
  try {
    const args = parseArgs(argv, ['format', 'to', 'plugin'], ['help']);
    if (args.options.has('help')) {
      out(EXPORT_HELP);
      return 0;
    }
    const format = strOption(args, 'format') ?? 'commands';
    if (!EXPORT_FORMATS.includes(format as ExportFormat)) throw new UsageError(`unknown format '${format}' (${EXPORT_FORMATS.join(', ')})`);
    if (args.positional.length !== 1) throw new UsageError(`which log? (${EXPORT_HELP.split('\n')[0]})`);
    out(await exportLog(args.positional[0]!, format as ExportFormat, plugins, intOption(args, 'to')));
    return 0;
  } catch (e) {
    err(`vmledger: export: ${e instanceof Error ? e.message : String(e)}\n`);
    if (process.env.VMLEDGER_DEBUG && e instanceof Error) err(`${e.stack}\n`);
    return e instanceof ExportRefused ? 1 : 2;
  }
}

import { existsSync, rmSync } from 'node:fs';
import { openReadOnly } from '../kernel/log/read-only-open.js';
import { SqliteLogStore } from '../kernel/log/sqlite-log-store.js';
import { verifyLog } from '../kernel/log/verify.js';
import { UsageError, intOption, logPath, parseArgs, strOption } from './args.js';
import { addFiles, copyLog } from './bundle.js';
import { toolIo, type LogToolDeps } from './io.js';

/** `vmledger log bundle --help`. */
export const BUNDLE_HELP = `Usage: vmledger log bundle <db> -o <bundle> [--with-files] [--max-file-size BYTES] [--json]

Writes one file a colleague can run with 'vmledger log run <bundle>': the
command log, verified and copied whole (what a crashed VM left in the -wal
file is in it; no -wal is needed), and with --with-files the host files
the configuration named by relative paths (firmware, kernel, disk images),
each up to --max-file-size bytes (default 64 MiB). 'log run' puts them in
a fresh folder and resolves the log's relative paths there. Files named by
absolute paths are left out (the commands open them at that path); the
summary names every file left out and why. Plugins loaded with --plugin
are not included: pass the same --plugin to 'log run'.

Every log tool reads a bundle as the log it holds.

Options:
  -o, --output FILE     the bundle to write (must not exist)
  --with-files          include the host files
  --max-file-size N     the largest file included, in bytes
  --json                the summary as JSON
  -h, --help            show this help
`;

const DEFAULT_MAX_FILE = 64 << 20;

/** `vmledger log bundle <db> -o <bundle>`: exit 0 written, 1 the log does not verify, 2 usage or I/O error. */
export async function runBundle(argv: readonly string[], deps: LogToolDeps): Promise<number> {
  const { out } = toolIo(deps);
  const args = parseArgs(
    argv.map((a) => (a === '-o' ? '--output' : a)),
    ['output', 'max-file-size'],
    ['with-files', 'json', 'help'],
  );
  if (args.options.has('help')) {
    out.write(BUNDLE_HELP);
    return 0;
  }
  const path = logPath(args, 'bundle');
  const output = strOption(args, 'output');
  if (output === undefined) throw new UsageError('bundle needs -o FILE, the bundle to write');
  if (existsSync(output)) throw new UsageError(`'${output}' already exists; choose a new file`);
  const maxBytes = intOption(args, 'max-file-size') ?? DEFAULT_MAX_FILE;
  const check = verifyLog(path);
  if (!check.ok) {
    const p = check.problems[0]!;
    out.write(`the log does not verify (${p.kind}${p.seq > 0 ? ` at entry ${p.seq}` : ''}: ${p.message}); no bundle written\n`);
    return 1;
  }
  const source = openReadOnly(path);
  try {
    copyLog(source.db, output);
  } finally {
    source.db.close();
    if (source.copyDir) rmSync(source.copyDir, { recursive: true, force: true });
  }
  let files = { included: [] as string[], skipped: [] as string[] };
  if (args.options.has('with-files')) {
    const store = SqliteLogStore.open(output, { readonly: true });
    const header = store.header();
    store.close();
    files = addFiles(output, header?.files ?? [], maxBytes);
  }
  if (args.options.has('json')) {
    out.write(JSON.stringify({ bundle: output, entries: check.entries, sealed: check.sealed, files: files.included, 'left-out': files.skipped }) + '\n');
    return 0;
  }
  out.write(`bundle ${output}: ${check.entries} entries (${check.sealed ? 'sealed' : 'never sealed'})`);
  out.write(files.included.length ? `, files ${files.included.join(', ')}\n` : '\n');
  for (const s of files.skipped) out.write(`left out: ${s}\n`);
  return 0;
}

/**
 * The command log's SQLite schema. `PRAGMA user_version` holds the schema
 * version, which is also the hash format (docs/command-log.md): 2 for every
 * new log; 1 for logs written before format 2, which are read, verified and
 * replayed but never appended to.
 */
export const LOG_SCHEMA_VERSION = 2;

/** Schema versions this program reads. */
export const READABLE_SCHEMA_VERSIONS: readonly number[] = [1, 2];

/** The message every append-only trigger aborts with. */
export const APPEND_ONLY_MESSAGE = 'command log is append-only';

/** The tables of each schema version. */
export const TABLES: Readonly<Record<number, readonly string[]>> = {
  1: ['header', 'entries', 'seals'],
  2: ['log', 'header', 'entries', 'seals', 'checkpoints'],
};

/** The names of the triggers that make a log of schema `version` append-only; `verify` warns when one is missing. */
export function appendOnlyTriggers(version: number): string[] {
  return (TABLES[version] ?? []).flatMap((t) => [`${t}_no_update`, `${t}_no_delete`]);
}

/** The columns of an entry, in the order the store binds and reads them. */
export const ENTRY_COLUMNS =
  'seq, time, origin, command, args, kind, applied, result, error, phase_before, phase_after, run_state_before, run_state_after, state_hash, prev_hash, hash';

/**
 * The last entry's sequence number and the hash the next record chains onto:
 * a header version written after the last entry, else the last entry, else
 * the log's first record. Read inside each appending transaction.
 */
export const CHAIN_TAIL_SQL = `SELECT
  coalesce((SELECT seq FROM entries ORDER BY seq DESC LIMIT 1), 0),
  coalesce(
    (SELECT hash FROM header WHERE at_seq >= coalesce((SELECT seq FROM entries ORDER BY seq DESC LIMIT 1), 0) ORDER BY id DESC LIMIT 1),
    (SELECT hash FROM entries ORDER BY seq DESC LIMIT 1),
    (SELECT hash FROM log))`;

/** A new log, schema version 2. */
export const SCHEMA = `
CREATE TABLE log (
  id TEXT NOT NULL,
  created INTEGER NOT NULL,
  key TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TABLE header (
  id INTEGER PRIMARY KEY,
  at_seq INTEGER NOT NULL,
  time INTEGER NOT NULL,
  header TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TABLE entries (
  seq INTEGER PRIMARY KEY,
  time INTEGER NOT NULL,
  origin TEXT NOT NULL,
  command TEXT NOT NULL,
  args TEXT NOT NULL,
  kind TEXT NOT NULL,
  applied INTEGER NOT NULL,
  result TEXT,
  error TEXT,
  phase_before TEXT NOT NULL,
  phase_after TEXT NOT NULL,
  run_state_before TEXT NOT NULL,
  run_state_after TEXT NOT NULL,
  state_hash TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TABLE seals (
  id INTEGER PRIMARY KEY,
  seq INTEGER NOT NULL,
  time INTEGER NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  root TEXT,
  signature TEXT
);
CREATE TABLE checkpoints (
  id INTEGER PRIMARY KEY,
  size INTEGER NOT NULL,
  time INTEGER NOT NULL,
  root TEXT NOT NULL,
  chain TEXT NOT NULL,
  frontier TEXT NOT NULL,
  signature TEXT
);
${TABLES[2]!
  .flatMap((table) =>
    ['UPDATE', 'DELETE'].map(
      (op) => `CREATE TRIGGER ${table}_no_${op.toLowerCase()} BEFORE ${op} ON ${table}
BEGIN SELECT RAISE(ABORT, '${APPEND_ONLY_MESSAGE}'); END;`,
    ),
  )
  .join('\n')}
PRAGMA user_version = ${LOG_SCHEMA_VERSION};
`;

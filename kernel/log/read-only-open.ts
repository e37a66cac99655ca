import Database from 'better-sqlite3';
import { accessSync, constants, copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A read-only connection, and the private copy it reads when the log's own folder could not be used. */
export interface ReadOnlyLog {
  readonly db: Database.Database;
  /** Set when the connection reads a copy: the folder to remove once it is closed. */
  readonly copyDir?: string;
}

// What SQLite says when a WAL database cannot be read in place: it needs to
// create the -shm file (or the -wal) next to the database and the folder is
// read-only.
const FOLDER_ERRORS = new Set(['SQLITE_CANTOPEN', 'SQLITE_READONLY_DIRECTORY', 'SQLITE_READONLY_CANTINIT', 'SQLITE_READONLY']);

/**
 * Opens a log without writing to it. A log in WAL mode is read through its
 * -shm file, which SQLite creates next to the database; in a read-only
 * folder (evidence copied to a read-only mount, a log another user owns) it
 * cannot, and reading fails. Then the database and its -wal (which after a
 * crash holds the latest entries) are copied into a private temporary folder
 * and read there, so nothing committed is missed.
 */
export function openReadOnly(path: string): ReadOnlyLog {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return { db };
  } catch (e) {
    db.close();
    if (!FOLDER_ERRORS.has((e as { code?: string }).code ?? '')) throw e;
    accessSync(path, constants.R_OK);
  }
  const copyDir = mkdtempSync(join(tmpdir(), 'vmledger-log-copy-'));
  try {
    const copy = join(copyDir, 'log.db');
    copyFileSync(path, copy);
    if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${copy}-wal`);
    return { db: new Database(copy, { readonly: true, fileMustExist: true }), copyDir };
  } catch (e) {
    rmSync(copyDir, { recursive: true, force: true });
    throw e;
  }
}

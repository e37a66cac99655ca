/**
 * A bug bundle: one file a colleague can run (`vmledger log run bug.vmlb`).
 * It is the command log itself, copied whole into one SQLite file with
 * `VACUUM INTO` (so no `-wal` is needed: whatever the log's WAL held is in
 * it), plus, when asked, the host files the configuration referenced, in a
 * table of their own next to the log's tables. The log's tables, chain and
 * seal are untouched, so every log tool reads a bundle as the log it is.
 */
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import type { FileReference } from '../kernel/host-broker.js';

/** The table a bundle keeps host files in. */
const FILES_TABLE = 'bundle_files';

/** What went into a bundle's file table, and what was left out (too large, gone). */
export interface BundledFiles {
  readonly included: string[];
  readonly skipped: string[];
}

/** Copies the log at `log` into `out`, self-contained (nothing left in a -wal). */
export function copyLog(log: Database.Database, out: string): void {
  log.prepare('VACUUM INTO ?').run(out);
}

/**
 * Adds the host files to a bundle: each one the command named by a relative
 * path, as recorded, up to `maxBytes` each. Files named by absolute paths
 * stay out: a run elsewhere opens the path the command carries, and the
 * bundle cannot put a file there.
 */
export function addFiles(bundle: string, files: readonly FileReference[], maxBytes: number): BundledFiles {
  const db = new Database(bundle);
  const included: string[] = [];
  const skipped: string[] = [];
  try {
    db.exec(`CREATE TABLE ${FILES_TABLE} (given TEXT PRIMARY KEY, sha256 TEXT NOT NULL, size INTEGER NOT NULL, data BLOB NOT NULL)`);
    const insert = db.prepare(`INSERT OR REPLACE INTO ${FILES_TABLE} (given, sha256, size, data) VALUES (?, ?, ?, ?)`);
    for (const f of files) {
      const given = f.given;
      if (given === undefined || isAbsolute(given)) {
        skipped.push(`${given ?? f.path} (an absolute path: the commands open it there)`);
        continue;
      }
      let size: number;
      try {
        size = statSync(f.path).size;
      } catch {
        skipped.push(`${given} (missing)`);
        continue;
      }
      if (size > maxBytes) {
        skipped.push(`${given} (${size} bytes, over the limit of ${maxBytes})`);
        continue;
      }
      insert.run(given, f.sha256, size, readFileSync(f.path));
      included.push(given);
    }
  } finally {
    db.close();
  }
  return { included, skipped };
}

/**
 * The host files a bundle carries, written under a fresh directory (the
 * root a run resolves relative paths under), or undefined when it carries
 * none. A path that would leave the directory is refused.
 */
export function extractFiles(bundle: string): string | undefined {
  let db: Database.Database;
  try {
    db = new Database(bundle, { readonly: true, fileMustExist: true });
    const has = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(FILES_TABLE) as number;
    if (!has) {
      db.close();
      return undefined;
    }
  } catch {
    // Not a bundle that can be read here (a log in a read-only folder, not a log at all): the log tools' own open says what is wrong.
    return undefined;
  }
  try {
    const root = mkdtempSync(join(tmpdir(), 'vmledger-bundle-'));
    for (const row of db.prepare(`SELECT given, data FROM ${FILES_TABLE}`).iterate() as Iterable<{ given: string; data: Buffer }>) {
      const rel = normalize(row.given);
      if (isAbsolute(rel) || rel.startsWith('..')) throw new Error(`the bundle names a file outside its folder: '${row.given}'`);
      const target = join(root, rel);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, row.data, { mode: 0o600 });
    }
    return root;
  } finally {
    db.close();
  }
}

import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** As the kernel's own limit on symlinks followed in one lookup (Linux MAXSYMLINKS). */
const MAX_LINKS = 40;

/**
 * The path a host file name really leads to: every symlink resolved
 * (realpath), so a policy compares the file that will be opened, not the
 * name it was reached by. A path that does not exist yet (a file about to
 * be created, a socket about to be bound, or one below a file) is its nearest existing folder
 * resolved, with the missing components after it; a dangling symlink is
 * followed to where it points, since creating the file would create it there.
 */
export function realHostPath(path: string, links = 0): string {
  const abs = resolve(path);
  try {
    return realpathSync(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') return abs;
  }
  const parent = dirname(abs);
  if (parent === abs) return abs;
  if (isSymlink(abs) && links < MAX_LINKS) return realHostPath(resolve(parent, readlinkSync(abs)), links + 1);
  return join(realHostPath(parent, links), basename(abs));
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** True when `path` is `dir` or inside it (both already absolute). */
export function isWithin(path: string, dir: string): boolean {
  const d = dir.endsWith('/') ? dir : `${dir}/`;
  return path === dir || path.startsWith(d);
}

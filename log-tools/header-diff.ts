import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { LogHeader } from '../kernel/log/log-entry.js';

/**
 * What differs between the environment a log was recorded in (its header)
 * and the one replaying it: missing or extra plugins, other versions, host
 * files that are gone or have other contents. Each line is a sentence.
 */
export function headerDifferences(
  header: LogHeader,
  loaded: ReadonlyArray<{ readonly name: string; readonly version: string }>,
): string[] {
  return [...pluginDifferences(header, loaded), ...fileDifferences(header)];
}

/** Plugins missing, extra or at other versions than when the log was recorded. */
export function pluginDifferences(header: LogHeader, loaded: ReadonlyArray<{ readonly name: string; readonly version: string }>): string[] {
  const out: string[] = [];
  const now = new Map(loaded.map((p) => [p.name, p.version]));
  const then = new Map(header.plugins.map((p) => [p.name, p.version]));
  for (const [name, version] of then) {
    const current = now.get(name);
    if (current === undefined) out.push(`plugin ${name} ${version} was loaded when the log was recorded but is not loaded now`);
    else if (current !== version) out.push(`plugin ${name} was version ${version} when recorded, is ${current} now`);
  }
  for (const [name, version] of now) {
    if (!then.has(name)) out.push(`plugin ${name} ${version} is loaded now but was not when the log was recorded`);
  }
  return out;
}

/**
 * Host files the configuration referenced that are gone, or have another
 * size or contents now. A file recorded with the path the command named
 * (`given`) is looked for where that path leads now: a relative one under
 * `root` (default: the working directory), as the commands that name it
 * would open it; older headers only have the recording host's absolute path.
 */
export function fileDifferences(header: LogHeader, root = process.cwd()): string[] {
  const out: string[] = [];
  for (const file of header.files) {
    const where = file.given === undefined ? file.path : isAbsolute(file.given) ? file.given : resolve(root, file.given);
    const name = file.given === undefined || where === file.given ? where : `${file.given} (${where})`;
    let size: number;
    try {
      size = statSync(where).size;
    } catch {
      out.push(`file ${name} referenced by the configuration is missing`);
      continue;
    }
    if (size !== file.size) out.push(`file ${name} was ${file.size} bytes when recorded, is ${size} now`);
    // Disk images opened read-write are recorded without a digest (empty): their size is all we compare.
    else if (file.sha256 !== '' && createHash('sha256').update(readFileSync(where)).digest('hex') !== file.sha256)
      out.push(`file ${name} has different contents than when the log was recorded`);
  }
  return out;
}

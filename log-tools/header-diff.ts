import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
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

/** Host files the configuration referenced that are gone, or have another size or contents now. */
export function fileDifferences(header: LogHeader): string[] {
  const out: string[] = [];
  for (const file of header.files) {
    let size: number;
    try {
      size = statSync(file.path).size;
    } catch {
      out.push(`file ${file.path} referenced by the configuration is missing`);
      continue;
    }
    if (size !== file.size) out.push(`file ${file.path} was ${file.size} bytes when recorded, is ${size} now`);
    // Disk images opened read-write are recorded without a digest (empty): their size is all we compare.
    else if (file.sha256 !== '' && createHash('sha256').update(readFileSync(file.path)).digest('hex') !== file.sha256)
      out.push(`file ${file.path} has different contents than when the log was recorded`);
  }
  return out;
}

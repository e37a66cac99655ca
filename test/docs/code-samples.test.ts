/**
 * The code samples in the docs compile against the API they describe, so
 * they cannot drift from it: each ```ts block of a document is a module
 * (named in SAMPLES), type-checked with the project's compiler options as
 * an external plugin sees the API (`vmledger`, `vmledger/hw`).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Each document's ```ts blocks in order, by the file name each is checked as. */
const SAMPLES: Record<string, readonly string[]> = {
  'docs/writing-a-device.md': ['my-dev.ts', 'my-dev.test.ts'],
};

function codeBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

/** Type errors of `files` (virtual, in a folder of the repository), one line each. */
function typeErrors(files: ReadonlyMap<string, string>): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
  const host = ts.createCompilerHost(config.options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const directoryExists = host.directoryExists?.bind(host);
  const dirs = new Set([...files.keys()].map((f) => dirname(f)));
  host.readFile = (f) => files.get(f) ?? readFile(f);
  host.fileExists = (f) => files.has(f) || fileExists(f);
  host.directoryExists = (d) => dirs.has(d) || (directoryExists?.(d) ?? true);
  const program = ts.createProgram([...files.keys()], { ...config.options, noEmit: true }, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${d.file.fileName.slice(ROOT.length)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: ` : '';
    return where + ts.flattenDiagnosticMessageText(d.messageText, ' ');
  });
}

describe('code samples in the docs', () => {
  for (const [doc, names] of Object.entries(SAMPLES)) {
    it(`${doc}: every sample compiles against the public API`, () => {
      const blocks = codeBlocks(readFileSync(join(ROOT, doc), 'utf8'));
      expect(blocks.length, `${doc} has ${blocks.length} ts samples, SAMPLES names ${names.length}`).toBe(names.length);
      const dir = join(ROOT, 'docs', '.samples');
      const files = new Map(names.map((n, i) => [join(dir, n), blocks[i]!]));
      expect(typeErrors(files)).toEqual([]);
    }, 120_000);
  }
});

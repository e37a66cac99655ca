import { appendFileSync } from 'node:fs';
import { parseCheckpoint, type Checkpoint } from './checkpoint.mjs';

/** Where a copy of each checkpoint goes as it is made (`-log-witness`): kept elsewhere, it vouches for the log. */
export type Witness = { readonly kind: 'stderr' } | { readonly kind: 'file'; readonly path: string };

/** Reads `stderr` or `file:PATH`; throws naming the problem. */
export function parseWitness(spec: string): Witness {
  if (spec === 'stderr') return { kind: 'stderr' };
  if (spec.startsWith('file:') && spec.length > 'file:'.length) return { kind: 'file', path: spec.slice('file:'.length) };
  throw new Error(`'${spec}' is not a log witness (stderr or file:PATH)`);
}

/** One line for a terminal: `vmledger: log checkpoint 1000:<root> (signed by key <id>)`. */
export function checkpointLine(c: Checkpoint): string {
  return `vmledger: log ${c.kind} ${c.size}:${c.root}${c.signature ? ` (signed by key ${c.signature.keyId})` : ''}\n`;
}

/**
 * A listener that hands each checkpoint to the witness: a line on stderr, or
 * the checkpoint's text appended to a file (blank line between), which
 * `vmledger log verify --witness FILE` reads back. The file is written
 * synchronously: a few hundred bytes every few seconds, and the seal, made
 * as the program exits, must not be lost to an unfinished write.
 */
export function witnessListener(witness: Witness, stderr: (text: string) => void = (t) => void process.stderr.write(t)): (c: Checkpoint) => void {
  if (witness.kind === 'stderr') return (c) => stderr(checkpointLine(c));
  let warned = false;
  return (c) => {
    try {
      appendFileSync(witness.path, `${c.text}\n`, { mode: 0o600 });
    } catch (e) {
      if (!warned) stderr(`vmledger: the log witness file '${witness.path}' cannot be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); checkpoints are still stored in the log\n`);
      warned = true;
    }
  };
}

/** The checkpoints in a witness file, oldest first; throws naming the first one that cannot be read. */
export function readWitnessFile(text: string): Checkpoint[] {
  return text
    .split(/\n\s*\n/)
    .filter((block) => block.trim() !== '')
    .map((block, i) => {
      try {
        return parseCheckpoint(block.trim() + '\n');
      } catch (e) {
        throw new Error(`checkpoint ${i + 1}: ${(e as Error).message}`);
      }
    });
}

import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readPublicKey } from '../kernel/log/log-key.js';
import type { ExternalCheckpoint } from '../kernel/log/verify.js';
import { readWitnessFile } from '../kernel/log/witness.js';
import { UsageError, listOption, strOption, type ParsedArgs } from './args.js';

/** `--checkpoint SIZE:ROOT` as printed by `verify` (`checkpoint 1000:<root>`) or a stderr witness. */
export function parseCheckpointOption(value: string): ExternalCheckpoint {
  const m = /^(\d+):([0-9a-f]{64})$/.exec(value);
  if (!m) throw new UsageError(`--checkpoint expects SIZE:ROOT (an entry count, a colon, a 64-digit hex root, as 'vmledger log verify' prints), got '${value}'`);
  return { size: Number(m[1]), root: m[2]!, source: `--checkpoint ${m[1]}:${m[2]!.slice(0, 12)}…` };
}

/** The anchors a user gave: every `--checkpoint` and every checkpoint in every `--witness` file. */
export function externalCheckpoints(args: ParsedArgs): ExternalCheckpoint[] {
  const given = listOption(args, 'checkpoint').map(parseCheckpointOption);
  for (const file of listOption(args, 'witness')) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read the witness file '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    let found;
    try {
      found = readWitnessFile(text);
    } catch (e) {
      throw new UsageError(`the witness file '${file}' is not a list of checkpoints: ${(e as Error).message}`);
    }
    for (const c of found) given.push({ size: c.size, root: c.root, source: `the ${c.kind} after entry ${c.size} in ${file}`, checkpoint: c });
  }
  return given;
}

/** `--key PUB`: the public key the user trusts, or undefined. */
export function keyOption(args: ParsedArgs): KeyObject | undefined {
  const path = strOption(args, 'key');
  return path === undefined ? undefined : readPublicKey(path);
}

import type { Plugin } from '../kernel/plugin.js';

/** Where a log tool writes: `process.stdout`/`process.stderr` or a test's collector. */
export interface Output {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** What the program entry point hands every `vmledger log` subcommand. */
export interface LogToolDeps {
  /** The plugin set a replay kernel loads: the default set plus the user's `--plugin`s. */
  readonly plugins: readonly Plugin[];
  readonly stdout?: Output;
  readonly stderr?: Output;
}

/** The streams a tool writes to, with defaults filled in. */
export interface ToolIo {
  readonly out: Output;
  readonly err: Output;
}

/** Resolves the output streams, defaulting to the process's. */
export function toolIo(deps: LogToolDeps): ToolIo {
  return { out: deps.stdout ?? process.stdout, err: deps.stderr ?? process.stderr };
}

/** A millisecond timestamp as ISO-8601 UTC, the form audit prints and accepts. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

import type { LogEntry } from './log-entry.js';

/**
 * One entry as monitors and tools hand it out: the same field names in
 * `x-query-log`, `vmledger log audit --json` and `vmledger log show`
 * (QMP style: lower case with dashes; `arguments` as in a QMP command).
 */
export function entryInfo(e: LogEntry) {
  return {
    seq: e.seq,
    time: e.time,
    origin: e.origin,
    command: e.command,
    arguments: e.args,
    kind: e.kind,
    applied: e.applied,
    ...(e.result !== undefined && e.result !== null ? { result: e.result } : {}),
    ...(e.error ? { error: e.error } : {}),
    'phase-before': e.phaseBefore,
    'phase-after': e.phaseAfter,
    'run-state-before': e.runStateBefore,
    'run-state-after': e.runStateAfter,
    'state-hash': e.stateHash,
    'prev-hash': e.prevHash,
    hash: e.hash,
  };
}

/** What `entryInfo` returns. */
export type EntryInfo = ReturnType<typeof entryInfo>;

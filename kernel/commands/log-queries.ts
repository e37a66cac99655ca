import { defineCommand } from '../command.js';
import { t } from '../schema/types.js';
import type { CoreDeps } from './core-deps.js';

const LogEntryInfo = t.object(
  {
    seq: t.int(),
    time: t.int(),
    origin: t.any(),
    command: t.str(),
    arguments: t.any(),
    applied: t.bool(),
    error: t.optional(t.any()),
    'state-hash': t.str(),
  },
  { name: 'LogEntryInfo' },
);

/** Read access to the command log for monitors (HMP `info log`). */
export function logQueryCommands(deps: CoreDeps) {
  return [
    defineCommand({
      name: 'x-query-log',
      args: t.object({ count: t.optional(t.int(), 'How many recent entries (default 10)') }),
      returns: t.array(LogEntryInfo),
      phases: 'any',
      kind: 'query',
      doc: 'The most recent command log entries, oldest first',
      handler: ({ count }) =>
        (deps.store?.tail(count ?? 10) ?? []).map((e) => ({
          seq: e.seq,
          time: e.time,
          origin: e.origin,
          command: e.command,
          arguments: e.args,
          applied: e.applied,
          ...(e.error ? { error: e.error } : {}),
          'state-hash': e.stateHash,
        })),
    }),
  ];
}

/**
 * `qmp_capabilities`: declared like any command so it appears in
 * `query-commands` and `query-qmp-schema`, but negotiation itself is
 * per-connection state that the QMP monitor keeps. The handler only
 * validates the requested capabilities; from any other transport it is a
 * harmless no-op.
 */
import { defineCommand } from '../../kernel/command.js';
import { QmpError } from '../../kernel/errors.js';
import { t } from '../../kernel/schema/types.js';

/** Capabilities a client may ask for; this server advertises none of them in its greeting. */
export const QMP_CAPABILITIES = ['oob'] as const;

/**
 * Leaves capabilities negotiation mode.
 *
 * -> {"execute": "qmp_capabilities"}
 * <- {"return": {}}
 */
export const qmpCapabilitiesCommand = defineCommand({
  name: 'qmp_capabilities',
  args: t.object({ enable: t.optional(t.array(t.enum('QMPCapability', QMP_CAPABILITIES)), 'QMP capabilities to enable') }),
  returns: t.empty(),
  phases: 'any',
  kind: 'query',
  doc: 'Enable QMP capabilities and leave capabilities negotiation mode (QMP monitors only; elsewhere a no-op).',
  example: '-> {"execute": "qmp_capabilities"}\n<- {"return": {}}',
  handler(args, ctx) {
    if (ctx.origin.transport === 'qmp')
      for (const cap of args.enable ?? []) throw new QmpError('GenericError', `Capability '${cap}' not available`);
    return {};
  },
});

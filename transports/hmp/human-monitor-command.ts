import { defineCommand, t } from '../../kernel/index.js';
import { runHmpLine } from './session.js';

/**
 * QMP's `human-monitor-command`: one HMP line run through the same table a
 * human monitor uses, its commands called as part of this one (each still
 * phase-checked and sandboxed), and what it would print returned, with
 * QEMU's line endings. Tools that drive HMP through QMP (libvirt's
 * `virsh qemu-monitor-command --hmp`) work unchanged. It is logged as a
 * change with its command line, as a human monitor's lines may change the VM.
 *
 * -> { "execute": "human-monitor-command", "arguments": { "command-line": "info status" } }
 * <- { "return": "VM status: running\r\n" }
 */
export const humanMonitorCommand = defineCommand({
  name: 'human-monitor-command',
  args: t.object({
    'command-line': t.field(t.str(), 'The human monitor command line'),
    'cpu-index': t.optional(t.int(), "The CPU HMP's CPU-specific commands default to (accepted; vmledger's HMP commands name their hart themselves)"),
  }),
  returns: t.str(),
  phases: 'any',
  kind: 'change',
  effects: ['configuration', 'run-control', 'guest-io'],
  doc: 'Run a human monitor command and return what it prints',
  example: '-> { "execute": "human-monitor-command", "arguments": { "command-line": "info status" } }\n<- { "return": "VM status: running\\r\\n" }',
  async handler(args, ctx) {
    const text = await runHmpLine(args['command-line'], {
      exec: (command, a) => ctx.call(command, a),
      host: { types: ctx.types, objects: ctx.objects, commands: () => ctx.commands() },
      end: () => undefined,
    });
    return text ? `${text.replace(/\r?\n/g, '\r\n')}\r\n` : '';
  },
});

import { defineCommand } from '../command.js';
import type { KernelContext } from '../context.js';
import { QmpError } from '../errors.js';
import { MACHINE_PATH } from '../machine-lifecycle.js';
import { PHASES, PhaseSchema, RunStateSchema, phasesBefore, type RunState } from '../phase.js';
import { t } from '../schema/types.js';
import { ActionPanic, ActionReboot, ActionShutdown, SETTINGS_PATH } from './base-types.js';
import type { CoreDeps } from './core-deps.js';
import { GuestPanicInformation } from './events.js';

const StatusInfo = t.object(
  {
    running: t.bool(),
    singlestep: t.bool(),
    status: RunStateSchema,
    info: t.optional(GuestPanicInformation, 'In guest-panicked and internal-error: where and why the guest stopped (vmledger extension)'),
  },
  { name: 'StatusInfo' },
);

/** QEMU's UUID spelling (qemu_uuid_parse). */
const UUID_FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Runs the machine's hook for a run-state change; replay rebuilds configuration only, so it runs none. */
async function runGuestHook(hook: 'resume' | 'pause' | 'reset' | 'quit', ctx: KernelContext): Promise<void> {
  const machine = ctx.objects.find(MACHINE_PATH);
  if (machine && ctx.mode === 'live') await ctx.types.machineHooks(machine.type)[hook]?.(machine, ctx);
}

/** Phases, run state and the VM's identity: the commands of the redesign thread plus QEMU's run control. */
export function runControlCommands(deps: CoreDeps) {
  return [
    defineCommand({
      name: 'machine-set',
      args: t.object({ type: t.optional(t.str(), 'Machine type; required the first time') }, { rest: t.any() }),
      returns: t.empty(),
      phases: ['no-machine', 'machine-created'],
      kind: 'change',
      effects: ['configuration'],
      doc: 'Choose the machine type and set machine properties (no-machine -> machine-created)',
      example: '-> { "execute": "machine-set", "arguments": { "type": "virt", "memory": 134217728 } }\n<- { "return": {} }',
      async handler({ type, ...props }, ctx) {
        const existing = ctx.objects.find(MACHINE_PATH);
        if (!existing) {
          if (!type) throw new QmpError('GenericError', "Parameter 'type' is missing");
          if (!ctx.types.isA(type, 'machine') || ctx.types.get(type).abstract)
            throw new QmpError('GenericError', `'${type}' is not a machine type (see qom-list-types implements=machine)`);
          const machine = await ctx.objects.add(MACHINE_PATH, type, props, ctx);
          ctx.types.machineHooks(type).check?.(machine, ctx);
          await ctx.advanceTo('machine-created');
          return {};
        }
        if (type && type !== existing.type)
          throw new QmpError('GenericError', `The machine type is already '${existing.type}'; it cannot become '${type}'`);
        for (const [name, value] of Object.entries(props)) ctx.objects.set(MACHINE_PATH, name, value, ctx);
        ctx.types.machineHooks(existing.type).check?.(existing, ctx);
        return {};
      },
    }),
    defineCommand({
      name: 'until-phase',
      args: t.object({ phase: PhaseSchema }),
      returns: t.empty(),
      phases: 'any',
      kind: 'change',
      effects: ['run-control'],
      doc: 'Advance the machine through every phase up to the given one; an earlier phase is an error',
      example: '-> { "execute": "until-phase", "arguments": { "phase": "machine-initialized" } }\n<- { "return": {} }',
      async handler({ phase }, ctx) {
        await ctx.advanceTo(phase);
        return {};
      },
    }),
    defineCommand({
      name: 'x-exit-preconfig',
      args: t.empty(),
      returns: t.empty(),
      phases: phasesBefore('machine-ready'),
      kind: 'change',
      effects: ['run-control'],
      doc: 'QEMU-compatible: advance to machine-ready',
      async handler(_args, ctx) {
        await ctx.advanceTo('machine-ready');
        return {};
      },
    }),
    defineCommand({
      name: 'query-phase',
      args: t.empty(),
      returns: t.object({ phase: PhaseSchema, phases: t.array(PhaseSchema) }, { name: 'PhaseInfo' }),
      phases: 'any',
      kind: 'query',
      doc: 'The current machine phase and the list of phases in order',
      handler: (_args, ctx) => ({ phase: ctx.phase, phases: [...PHASES] }),
    }),
    defineCommand({
      name: 'query-status',
      args: t.empty(),
      returns: StatusInfo,
      phases: 'any',
      kind: 'query',
      doc: 'The guest run state',
      example: '-> { "execute": "query-status" }\n<- { "return": { "running": false, "singlestep": false, "status": "prelaunch" } }',
      handler: (_args, ctx) => {
        const info = ctx.runState === 'guest-panicked' || ctx.runState === 'internal-error' ? deps.stopInfo() : undefined;
        return { running: ctx.runState === 'running', singlestep: false, status: ctx.runState, ...(info ? { info } : {}) };
      },
    }),
    defineCommand({
      name: 'cont',
      args: t.empty(),
      returns: t.empty(),
      phases: 'any',
      kind: 'change',
      effects: ['run-control'],
      doc: 'Advance through any remaining phases and start (or resume) the guest',
      async handler(_args, ctx) {
        if (ctx.runState === 'shutdown' || ctx.runState === 'internal-error' || ctx.runState === 'guest-panicked')
          throw new QmpError('GenericError', 'Resetting the Virtual Machine is required');
        await ctx.advanceTo('machine-ready');
        // Becoming ready can end the machine (dumpdtb writes the tree and quits): then there is nothing to start.
        const now: RunState = ctx.runState as RunState;
        if (now === 'running' || now === 'shutdown') return {};
        await runGuestHook('resume', ctx);
        ctx.setRunState('running');
        return {};
      },
    }),
    defineCommand({
      name: 'stop',
      args: t.empty(),
      returns: t.empty(),
      phases: 'any',
      kind: 'change',
      effects: ['run-control'],
      runsWhenLogFails: true,
      doc: 'Pause the guest',
      async handler(_args, ctx) {
        if (ctx.runState !== 'running') {
          if (ctx.runState === 'prelaunch') return {};
          ctx.setRunState('paused');
          return {};
        }
        await runGuestHook('pause', ctx);
        ctx.setRunState('paused');
        return {};
      },
    }),
    defineCommand({
      name: 'system_reset',
      args: t.empty(),
      returns: t.empty(),
      phases: ['machine-ready'],
      kind: 'change',
      effects: ['run-control'],
      doc: 'Reset the guest as a reset button would',
      async handler(_args, ctx) {
        await runGuestHook('reset', ctx);
        ctx.emit('RESET', { guest: false, reason: 'host-qmp-system-reset' });
        if (ctx.runState === 'shutdown' || ctx.runState === 'guest-panicked' || ctx.runState === 'internal-error') ctx.setRunState('paused');
        return {};
      },
    }),
    defineCommand({
      name: 'quit',
      args: t.empty(),
      returns: t.empty(),
      phases: 'any',
      kind: 'change',
      effects: ['run-control'],
      runsWhenLogFails: true,
      doc: 'Stop the guest and exit the program once this reply is sent',
      async handler(_args, ctx) {
        await runGuestHook('quit', ctx);
        ctx.emit('SHUTDOWN', { guest: false, reason: 'host-qmp-quit' });
        ctx.setRunState('shutdown');
        if (ctx.mode === 'live') deps.requestExit(0);
        return {};
      },
    }),
    defineCommand({
      name: 'set-name',
      args: t.object({ name: t.str() }),
      returns: t.empty(),
      phases: 'any',
      kind: 'change',
      effects: ['configuration'],
      doc: 'Name the VM (-name); query-name reports it',
      handler({ name }, ctx) {
        ctx.objects.set(SETTINGS_PATH, 'name', name, ctx);
        return {};
      },
    }),
    defineCommand({
      name: 'query-name',
      args: t.empty(),
      returns: t.object({ name: t.optional(t.str()) }, { name: 'NameInfo' }),
      phases: 'any',
      kind: 'query',
      doc: 'The VM name, if one was set',
      handler: (_args, ctx) => {
        const name = ctx.objects.get(SETTINGS_PATH).get('name');
        return name === undefined ? {} : { name: name as string };
      },
    }),
    defineCommand({
      name: 'set-uuid',
      args: t.object({ uuid: t.field(t.str(), 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, hexadecimal') }),
      returns: t.empty(),
      phases: phasesBefore('machine-ready'),
      kind: 'change',
      effects: ['configuration'],
      doc: 'Give the VM its UUID (-uuid); query-uuid reports it',
      example: '-> { "execute": "set-uuid", "arguments": { "uuid": "5b2a3b5e-7d0e-4a51-9b39-0c1f4e9d2a10" } }\n<- { "return": {} }',
      handler({ uuid }, ctx) {
        if (!UUID_FORMAT.test(uuid)) throw new QmpError('GenericError', `Fail to parse UUID string '${uuid}': expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`);
        ctx.objects.set(SETTINGS_PATH, 'uuid', uuid.toLowerCase(), ctx);
        return {};
      },
    }),
    defineCommand({
      name: 'query-uuid',
      args: t.empty(),
      returns: t.object({ UUID: t.str() }, { name: 'UuidInfo' }),
      phases: 'any',
      kind: 'query',
      doc: "The VM UUID; all zeros when none was given, as QEMU's",
      example: '-> { "execute": "query-uuid" }\n<- { "return": { "UUID": "00000000-0000-0000-0000-000000000000" } }',
      handler: (_args, ctx) => ({ UUID: (ctx.objects.get(SETTINGS_PATH).get('uuid') as string | undefined) ?? '00000000-0000-0000-0000-000000000000' }),
    }),
    defineCommand({
      name: 'set-action',
      args: t.object({ reboot: t.optional(ActionReboot), shutdown: t.optional(ActionShutdown), panic: t.optional(ActionPanic) }),
      returns: t.empty(),
      phases: 'any',
      kind: 'change',
      effects: ['configuration'],
      doc: 'Choose what guest reset, poweroff and panic do (-no-reboot is reboot=shutdown)',
      handler(args, ctx) {
        for (const [k, v] of Object.entries(args)) ctx.objects.set(SETTINGS_PATH, k, v, ctx);
        return {};
      },
    }),
  ];
}

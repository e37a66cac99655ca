import type { KernelContext } from './context.js';
import { QmpError } from './errors.js';
import type { ObjectTree } from './objects/object-tree.js';
import type { TypeRegistry } from './objects/type-registry.js';
import { PHASES, phaseIndex, type Phase } from './phase.js';
import type { PhaseMachine } from './phase-machine.js';

/** Where the machine object lives. */
export const MACHINE_PATH = '/machine';

/**
 * Builds a machine as a sequence of phase transitions: each step runs the
 * machine type's hook for it. Devices are realized on the way into
 * `machine-ready`, after which the board builds what depends on them all.
 */
export class MachineLifecycle {
  constructor(
    private readonly phases: PhaseMachine,
    private readonly objects: ObjectTree,
    private readonly types: TypeRegistry,
  ) {}

  async advanceTo(target: Phase, ctx: KernelContext): Promise<void> {
    this.phases.checkNotPast(target);
    while (phaseIndex(this.phases.phase) < phaseIndex(target)) {
      const next = PHASES[phaseIndex(this.phases.phase) + 1];
      await this.enter(next, ctx);
    }
  }

  private async enter(next: Phase, ctx: KernelContext): Promise<void> {
    const machine = this.objects.find(MACHINE_PATH);
    if (!machine)
      throw new QmpError('GenericError', `No machine type chosen yet; use machine-set first (current phase: '${this.phases.phase}')`);
    const hooks = this.types.machineHooks(machine.type);
    this.phases.step(next);
    if (next === 'machine-initialized') await hooks.initialize?.(machine, ctx);
    if (next === 'machine-ready') {
      await this.objects.realize(MACHINE_PATH, ctx);
      await hooks.ready?.(machine, ctx);
    }
  }
}

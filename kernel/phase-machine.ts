import { inject, injectable } from 'tsyringe';
import { QmpError } from './errors.js';
import type { ObjectTree } from './objects/object-tree.js';
import { phaseIndex, type Phase, type RunState } from './phase.js';
import { Tokens } from './tokens.js';

/**
 * Holds the phase and the run state. Every change is journaled in the
 * object tree's undo log, so a failing command leaves both as they were.
 */
@injectable()
export class PhaseMachine {
  private currentPhase: Phase = 'no-machine';
  private currentRunState: RunState = 'prelaunch';

  constructor(@inject(Tokens.ObjectTree) private readonly objects: ObjectTree) {}

  get phase(): Phase {
    return this.currentPhase;
  }

  get runState(): RunState {
    return this.currentRunState;
  }

  /** Moves to the next phase; only ever forward, one step at a time. */
  step(to: Phase): void {
    const from = this.currentPhase;
    if (phaseIndex(to) !== phaseIndex(from) + 1) throw new QmpError('GenericError', `Cannot go from phase '${from}' to '${to}'`);
    this.currentPhase = to;
    this.objects.onRollback(() => {
      this.currentPhase = from;
    });
  }

  /** Fails with a "too late" error if `phase` is already behind us. */
  checkNotPast(phase: Phase): void {
    if (phaseIndex(phase) < phaseIndex(this.currentPhase))
      throw new QmpError('GenericError', `Too late: phase '${phase}' is already past (current phase: '${this.currentPhase}')`);
  }

  setRunState(state: RunState): RunState {
    const before = this.currentRunState;
    this.currentRunState = state;
    this.objects.onRollback(() => {
      this.currentRunState = before;
    });
    return before;
  }
}

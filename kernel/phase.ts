import { t } from './schema/types.js';

/** Machine-init phases, in order; they only ever advance (DESIGN.md). */
export const PHASES = ['no-machine', 'machine-created', 'machine-initialized', 'machine-ready'] as const;
export type Phase = (typeof PHASES)[number];

/** What `query-status` reports. */
export const RUN_STATES = ['prelaunch', 'running', 'paused', 'shutdown', 'internal-error', 'guest-panicked'] as const;
export type RunState = (typeof RUN_STATES)[number];

export const PhaseSchema = t.enum('Phase', PHASES, 'A machine-init phase');
export const RunStateSchema = t.enum('RunState', RUN_STATES, 'The guest run state');

/** The phases a command may run in: every command states this, there is no default. */
export type PhaseRule = 'any' | readonly Phase[];

export function phaseIndex(p: Phase): number {
  return PHASES.indexOf(p);
}

/** Every phase from `from` on (a handy rule: "once a machine exists"). */
export function phasesFrom(from: Phase): readonly Phase[] {
  return PHASES.slice(phaseIndex(from));
}

/** Every phase before `until` (a handy rule: "while still configuring"). */
export function phasesBefore(until: Phase): readonly Phase[] {
  return PHASES.slice(0, phaseIndex(until));
}

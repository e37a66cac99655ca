import type { KernelContext } from './context.js';
import type { PhaseRule } from './phase.js';
import type { ObjectSchema, Schema, Static } from './schema/types.js';

/** `change` commands alter configuration or run state and are always logged; `query` commands only read. */
export type CommandKind = 'change' | 'query';

/**
 * The classes of effect a sandbox policy can name instead of commands
 * (`deny-effects`), so one rule covers every command that makes the same
 * kind of change (`set-name` and `qom-set` are both `configuration`). A
 * change command declares the classes of what it does itself; the host
 * classes are those of the resources it opens through the broker
 * (`host-files` for files, `network` for sockets, `processes`), whichever
 * command opens them.
 */
export const EFFECT_CLASSES = ['configuration', 'run-control', 'guest-io', 'host-files', 'network', 'processes'] as const;
export type EffectClass = (typeof EFFECT_CLASSES)[number];

/**
 * One command, declared once. Validation, phase checks, introspection,
 * command-line parsing, config-file validation and help all derive from
 * this; only `handler` is written by hand.
 */
export interface CommandDecl<A extends ObjectSchema = ObjectSchema, R extends Schema = Schema> {
  readonly name: string;
  readonly args: A;
  readonly returns: R;
  /** Where the command may run. Required: every new command decides. */
  readonly phases: PhaseRule;
  readonly kind: CommandKind;
  /** What a change command does, by class (see EFFECT_CLASSES); required for changes, absent for queries. */
  readonly effects?: readonly EffectClass[];
  readonly doc: string;
  /** A wire example: `-> {...}` then `<- {...}` lines. */
  readonly example?: string;
  /**
   * Still runs, unrecorded, after the command log could not be written: for
   * changes that only bring the VM to rest (`stop`, `quit`) and touch no
   * configuration, so an operator can always stop a VM whose log failed.
   */
  readonly runsWhenLogFails?: boolean;
  /** Other names the command answers to (QEMU compatibility). */
  readonly aliases?: readonly string[];
  handler(args: Static<A>, ctx: KernelContext): Static<R> | Promise<Static<R>>;
}

/** Declares a command with its types inferred from the schemas. */
export function defineCommand<A extends ObjectSchema, R extends Schema>(decl: CommandDecl<A, R>): CommandDecl<A, R> {
  return decl;
}

/** An event's declaration, for introspection and documentation. */
export interface EventDecl<D extends ObjectSchema = ObjectSchema> {
  readonly name: string;
  readonly data: D;
  readonly doc: string;
}

export function defineEvent<D extends ObjectSchema>(decl: EventDecl<D>): EventDecl<D> {
  return decl;
}

import type { CommandDecl } from './command.js';
import type { CommandRegistry } from './command-registry.js';
import type { ExecutionMode, GuestControl, KernelContext } from './context.js';
import { QmpError, toQmpError } from './errors.js';
import type { EventBus } from './event-bus.js';
import type { HostBroker } from './host-broker.js';
import type { CommandLogStore, LogEntryDraft } from './log/log-entry.js';
import type { MachineLifecycle } from './machine-lifecycle.js';
import type { ObjectTree, UndoJournal } from './objects/object-tree.js';
import type { TypeRegistry } from './objects/type-registry.js';
import type { Origin } from './origin.js';
import type { PhaseMachine } from './phase-machine.js';
import { MAX_NESTING, MAX_SERIALIZED_NESTING, plainDataProblem } from './plain-data.js';
import type { CommandFilter } from './plugin.js';
import { validate } from './schema/validate.js';
import type { Schema } from './schema/types.js';
import type { Phase, RunState } from './phase.js';

/** Run-state changes that QMP announces with an event. */
const RUN_STATE_EVENTS: Partial<Record<RunState, string>> = { running: 'RESUME', paused: 'STOP' };

/**
 * Flush the group commit at least this often, so one long burst cannot hold
 * replies back; and small enough that, with a store that commits on its own
 * thread, one batch is committed while the next one runs (for 64 clients 32
 * measured as good as 16 and better than 48, 64 and 512: bench/log-dispatch.ts).
 */
const MAX_BATCH = 32;

interface Pending {
  readonly command: string;
  readonly args: Record<string, unknown>;
  readonly origin: Origin;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: QmpError) => void;
}

interface Before {
  readonly phase: Phase;
  readonly runState: RunState;
}

type Events = ReadonlyArray<[string, Record<string, unknown> | undefined]>;
type Outcome = { ok: true; value: unknown } | { ok: false; error: QmpError };

/**
 * A command that ran, waiting for its entry's commit before its reply goes
 * out. A class, so every command has one shape and the release loop stays
 * monomorphic under a burst.
 */
class Done {
  /** Its entry is committed, or the command was undone and answered: nothing more to do for it. */
  settled = false;
  constructor(
    readonly pending: Pending,
    readonly decl: CommandDecl | undefined,
    readonly draft: LogEntryDraft | undefined,
    readonly events: Events,
    readonly outcome: Outcome,
    /** The command's undo steps, kept until its entry is committed (only commands with an entry keep them). */
    public undo: UndoJournal | undefined,
  ) {}
}

/**
 * What a VM does once its log cannot be written: `refuse-changes` refuses
 * every later change (queries, `stop` and `quit` still run) and the guest
 * goes on; `stop` does the same and also pauses the guest at once.
 */
export type LogErrorAction = 'stop' | 'refuse-changes';

/** The origin of what the kernel does on its own when the log fails (the `stop` of `-log-on-error=stop`). */
const LOG_ERROR_ORIGIN: Origin = { transport: 'kernel', client: 'log-on-error' };

/** What the dispatcher needs from the rest of the kernel. */
export interface DispatcherDeps {
  readonly registry: CommandRegistry;
  readonly types: TypeRegistry;
  readonly objects: ObjectTree;
  readonly bus: EventBus;
  readonly broker: HostBroker;
  readonly phases: PhaseMachine;
  readonly lifecycle: MachineLifecycle;
  readonly guest: GuestControl;
  readonly filters: readonly CommandFilter[];
  readonly store?: CommandLogStore;
  readonly mode: ExecutionMode;
  readonly logQueries: boolean;
  readonly logOnError: LogErrorAction;
  service<T>(token: string): T;
}

/**
 * The one way into the machine. Commands from every transport join one
 * queue and run strictly one at a time, in arrival order, even when their
 * handlers are async. Each runs inside an undo journal, so a failure changes
 * nothing. Replies are released only after the log has committed the entries
 * (group commit: one transaction for every command run since the last one).
 * A command and its entry take effect together: when a commit fails, every
 * command whose entry was not committed is undone, newest first, from the
 * undo steps kept until then.
 */
export class Dispatcher {
  /** Arrival-order queue; `head` avoids Array.shift, which is linear in a long burst. */
  private queue: Pending[] = [];
  private head = 0;
  private draining = false;
  private batch: Done[] = [];
  /** Set once a commit failed; refuses every later change but those that run without the log. */
  private logFailure: QmpError | undefined;
  /** What callers of the commands undone after a failed commit get. */
  private writeFailure: QmpError | undefined;
  /** The release of the newest batch whose entries are still being committed. */
  private releasing: Promise<void> | undefined;
  /**
   * Batches handed to the store whose commit is not known to have succeeded,
   * oldest first: on a failed commit, their commands (and those of `batch`)
   * are the ones to undo. Tracked per batch, not per command, so the burst
   * path pays nothing for it.
   */
  private unconfirmed: Done[][] = [];
  /** A command is between its start and its outcome: nothing may be undone under it. */
  private running = false;
  /** A commit failed and the uncommitted commands wait to be undone once nothing runs. */
  private recoveryPending = false;
  /** The undoing in progress, when an undo step is async. */
  private recovery: Promise<void> | undefined;

  constructor(private readonly deps: DispatcherDeps) {}

  /** Queues a command; resolves with its return value or rejects with a QmpError. */
  execute(command: string, args: Record<string, unknown> | undefined, origin: Origin): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.queue.push({ command, args: args ?? {}, origin, resolve, reject });
      this.kick();
    });
  }

  /**
   * Runs a command at once when nothing else is queued, without a promise
   * when its handler is synchronous: for replay, which feeds a million
   * commands one after another and needs no queue. Returns the value or
   * throws the QmpError; an async handler gives a promise.
   */
  executeNow(command: string, args: Record<string, unknown>, origin: Origin): unknown {
    if (!this.idle()) return this.execute(command, args, origin);
    let result: { value?: unknown; error?: QmpError } = {};
    const pending: Pending = { command, args, origin, resolve: (value) => (result = { value }), reject: (error) => (result = { error }) };
    const outcome = (): unknown => {
      if (result.error) throw result.error;
      return result.value;
    };
    this.running = true;
    const done = this.run(pending);
    if (done instanceof Promise) {
      this.draining = true;
      return done.then((d) => {
        this.running = false;
        this.batch.push(d);
        this.flush();
        this.draining = false;
        this.kick();
        return this.settled().then(outcome);
      });
    }
    this.running = false;
    this.batch.push(done);
    this.flush();
    return this.releasing || this.recovery ? this.settled().then(outcome) : outcome();
  }

  /** Resolves once every reply whose log entries were still being committed has been released (or its command undone). */
  async settled(): Promise<void> {
    while (this.releasing || this.recovery) await (this.releasing ?? this.recovery);
  }

  /** Whether a commit has failed (from then on changes are refused). */
  get logFailed(): boolean {
    return this.logFailure !== undefined;
  }

  /** True while nothing is queued, running or being undone. */
  idle(): boolean {
    return !this.draining && this.head === this.queue.length && !this.recovery && !this.recoveryPending;
  }

  private kick(): void {
    if (this.draining || this.head === this.queue.length) return;
    this.draining = true;
    queueMicrotask(() => void this.drain());
  }

  private async drain(): Promise<void> {
    try {
      while (this.head < this.queue.length) {
        if (this.recoveryPending) this.startRecovery();
        if (this.recovery) await this.recovery;
        this.running = true;
        const next = this.run(this.queue[this.head++]!);
        const done = next instanceof Promise ? await next : next;
        this.running = false;
        this.batch.push(done);
        if (this.batch.length >= MAX_BATCH) this.flush();
      }
      this.queue = [];
      this.head = 0;
    } finally {
      this.running = false;
      this.flush();
      if (this.recoveryPending) this.startRecovery();
      this.draining = false;
      this.kick();
    }
  }

  /**
   * Commits the batch's log entries in one transaction, then publishes events
   * and releases replies in order. With a store that can commit on its own
   * thread, the next commands run while this batch is being committed; its
   * replies wait for the commit, and for every batch before it.
   */
  private flush(): void {
    if (!this.batch.length) return;
    let batch = this.batch;
    this.batch = [];
    if (this.logFailure) {
      // After a failed commit nothing more is written (an entry after the gap
      // would be a lie): commands that have entries wait to be undone instead.
      const waiting = batch.filter((d) => d.draft && !d.settled);
      if (waiting.length) this.unconfirmed.push(waiting);
      batch = batch.filter((d) => !d.draft);
    }
    const drafts: LogEntryDraft[] = [];
    for (const d of batch) if (d.draft) drafts.push(d.draft);
    const store = this.deps.store;
    // The writer thread pays off when there is something to do meanwhile: more
    // commands queued, or batches already on their way (which a direct append
    // would overtake). A lone command commits directly: no thread round trip.
    if (drafts.length && store?.appendAsync && (this.head < this.queue.length || this.releasing)) {
      this.unconfirmed.push(batch);
      const committed = store.appendAsync(drafts);
      return this.afterEarlierBatches(() => committed, batch);
    }
    if (drafts.length && store) {
      try {
        store.append(drafts);
      } catch (e) {
        this.unconfirmed.push(batch);
        return this.refuse(batch, e);
      }
    }
    if (this.releasing) return this.afterEarlierBatches(() => undefined, batch);
    this.release(batch);
  }

  /** Releases `batch` once the batches before it are released and `commit` has settled. */
  private afterEarlierBatches(commit: () => Promise<void> | undefined, batch: readonly Done[]): void {
    const earlier = this.releasing;
    const released: Promise<void> = (earlier ? earlier.then(commit) : Promise.resolve(commit())).then(
      () => {
        // Batches commit in order: a confirmed one is the oldest unconfirmed.
        if (this.unconfirmed[0] === batch) this.unconfirmed.shift();
        this.release(batch);
      },
      (e: unknown) => this.refuse(batch, e),
    );
    this.releasing = released;
    void released.then(() => {
      if (this.releasing === released) this.releasing = undefined;
    });
  }

  /**
   * A commit failed: the batch's commands ran but are not recorded, and no
   * later batch will be (the log must stay a prefix without gaps). Every
   * command whose entry is not committed is undone, once nothing is running,
   * and its caller gets the error; from now on changes are refused (queries,
   * `stop` and `quit` still run).
   */
  private refuse(batch: readonly Done[], e: unknown): void {
    if (!this.logFailure) {
      const cause = toQmpError(e).desc;
      this.writeFailure = new QmpError('GenericError', `Command log write failed: ${cause}; the command was undone`);
      this.logFailure = new QmpError('GenericError', `Changes are refused: the command log could not be written (${cause})`);
      this.recoveryPending = true;
      this.deps.bus.publish('COMMAND_LOG_ERROR', { reason: cause, action: this.deps.logOnError });
    }
    for (const d of batch) if (!d.draft && !d.settled) this.release([d]);
    if (!this.running && !this.recovery && this.recoveryPending) this.startRecovery();
  }

  private startRecovery(): void {
    this.recoveryPending = false;
    const undone = this.recover();
    if (!(undone instanceof Promise)) return this.afterRecovery();
    this.recovery = undone.then(
      () => this.afterRecovery(),
      () => this.afterRecovery(),
    );
  }

  /** Undoes every command whose entry is not committed, newest first; async when an undo step is. */
  private recover(): void | Promise<void> {
    const undone = [...this.unconfirmed.flat(), ...this.batch].filter((d) => d.draft && !d.settled);
    this.unconfirmed = [];
    for (const d of undone) d.settled = true;
    this.batch = this.batch.filter((d) => !d.settled);
    const answer = (): void => this.answerUndone(undone);
    for (let i = undone.length - 1; i >= 0; i--) {
      const steps = undone[i]!.undo;
      undone[i]!.undo = undefined;
      const pending = steps ? this.deps.objects.undo(steps) : undefined;
      if (pending instanceof Promise) {
        const rest = undone.slice(0, i);
        return pending.then(async () => {
          for (let j = rest.length - 1; j >= 0; j--) {
            const more = rest[j]!.undo;
            rest[j]!.undo = undefined;
            if (more) await this.deps.objects.undo(more);
          }
          answer();
        });
      }
    }
    answer();
  }

  /**
   * The undone commands' callers get the write error, except a command that
   * runs without the log (`stop`, `quit`), which runs again, unrecorded, before
   * anything queued after it; with `-log-on-error=stop` the guest is paused first.
   */
  private answerUndone(undone: readonly Done[]): void {
    const again: Pending[] = [];
    for (const d of undone) {
      if (d.decl?.runsWhenLogFails && d.outcome.ok) again.push(d.pending);
      else d.pending.reject(this.writeFailure!);
    }
    if (this.deps.logOnError === 'stop' && this.deps.phases.runState === 'running')
      again.unshift({ command: 'stop', args: {}, origin: LOG_ERROR_ORIGIN, resolve: noop, reject: noop });
    this.queue.splice(this.head, 0, ...again);
  }

  private afterRecovery(): void {
    this.recovery = undefined;
    this.kick();
  }

  private release(batch: readonly Done[]): void {
    for (const d of batch) {
      if (d.settled) continue;
      // Committed: the undo steps are no longer needed.
      d.settled = true;
      d.undo = undefined;
      for (const [event, data] of d.events) this.deps.bus.publish(event, data);
      if (d.outcome.ok) d.pending.resolve(d.outcome.value);
      else d.pending.reject(d.outcome.error);
    }
  }

  /**
   * Runs one command. Synchronous handlers finish synchronously (no promise,
   * no microtask): the common case, and what keeps replay fast. An async
   * handler, or a failure whose rollback is async, continues as a promise.
   */
  private run(pending: Pending): Done | Promise<Done> {
    const { registry, objects, phases } = this.deps;
    const decl = registry.find(pending.command);
    if (!decl) return this.notFound(pending);
    // Arguments that are not plain data could not be recorded faithfully (or at all): refused before anything runs, and not logged.
    const problem = plainDataProblem(pending.args, MAX_NESTING);
    if (problem) return refused(pending, new QmpError('GenericError', `The arguments of ${decl.name} are refused: ${problem}`));
    if (this.logFailure && decl.kind === 'change' && !decl.runsWhenLogFails) return refused(pending, this.logFailure);
    const before: Before = { phase: phases.phase, runState: phases.runState };
    const events: Array<[string, Record<string, unknown> | undefined]> = [];
    const ctx = this.context(pending.origin, events);
    objects.begin();
    let value: unknown;
    try {
      this.admit(decl, pending, ctx);
      value = invoke(decl, pending.args, ctx);
    } catch (e) {
      return this.failed(pending, decl, before, e);
    }
    if (value instanceof Promise) {
      this.flush();
      return value.then(
        (v): Done | Promise<Done> => this.succeeded(pending, decl, before, events, v),
        (e): Done | Promise<Done> => this.failed(pending, decl, before, e),
      );
    }
    return this.succeeded(pending, decl, before, events, value);
  }

  /**
   * Keeps the command's changes, unless its result could not be recorded
   * (not plain data), or the log failed while it ran: then it is rolled back
   * like any failure.
   */
  private succeeded(pending: Pending, decl: CommandDecl, before: Before, events: Events, value: unknown): Done | Promise<Done> {
    const problem = value === undefined ? undefined : plainDataProblem(value, MAX_SERIALIZED_NESTING);
    if (problem) return this.failed(pending, decl, before, new QmpError('GenericError', `The result of ${decl.name} cannot be recorded: ${problem}`));
    if (this.logFailure && decl.kind === 'change' && !decl.runsWhenLogFails) return this.failed(pending, decl, before, this.logFailure);
    const undo = this.deps.objects.commit();
    const outcome = { ok: true as const, value: value ?? {} };
    const draft = this.draft(pending, decl, before, outcome);
    // Kept only while an entry may still fail to be committed.
    return new Done(pending, decl, draft, events, outcome, draft ? undo : undefined);
  }

  /** Rolls the command back; its events are dropped. */
  private failed(pending: Pending, decl: CommandDecl, before: Before, e: unknown): Done | Promise<Done> {
    const done = (): Done => {
      const outcome = { ok: false as const, error: toQmpError(e) };
      return new Done(pending, decl, this.draft(pending, decl, before, outcome), NO_EVENTS, outcome, undefined);
    };
    const undone = this.deps.objects.rollback();
    return undone instanceof Promise ? undone.then(done) : done();
  }


  /**
   * A command no plugin defines changed nothing, but who asked for it is worth
   * knowing (`log audit --failed`): it is recorded as a failed change, when
   * its arguments can be recorded at all.
   */
  private notFound(pending: Pending): Done {
    const error = new QmpError('CommandNotFound', `The command ${pending.command} has not been found`);
    const { phases, objects } = this.deps;
    const recorded = this.deps.store && !this.logFailure && !plainDataProblem(pending.args, MAX_NESTING);
    const draft: LogEntryDraft | undefined = recorded
      ? {
          time: Date.now(),
          origin: pending.origin,
          command: pending.command,
          args: pending.args,
          kind: 'change',
          applied: false,
          error: error.toJSON(),
          phaseBefore: phases.phase,
          phaseAfter: phases.phase,
          runStateBefore: phases.runState,
          runStateAfter: phases.runState,
          stateHash: objects.hash(phases.phase),
        }
      : undefined;
    return new Done(pending, undefined, draft, NO_EVENTS, { ok: false, error }, undefined);
  }

  /** The log entry for a command; undefined without a log, or for a query nobody asked to log. */
  private draft(pending: Pending, decl: CommandDecl, before: Before, outcome: Outcome): LogEntryDraft | undefined {
    // After a failed commit nothing more is recorded (queries, stop and quit still run; see `refuse`).
    if (!this.deps.store || this.logFailure || (decl.kind !== 'change' && !this.deps.logQueries)) return undefined;
    const { phases, objects } = this.deps;
    return {
      time: Date.now(),
      origin: pending.origin,
      command: decl.name,
      args: pending.args,
      kind: decl.kind,
      applied: outcome.ok,
      result: outcome.ok ? outcome.value : undefined,
      error: outcome.ok ? undefined : outcome.error.toJSON(),
      phaseBefore: before.phase,
      phaseAfter: phases.phase,
      runStateBefore: before.runState,
      runStateAfter: phases.runState,
      stateHash: objects.hash(phases.phase),
    };
  }

  /** A read-only monitor's changes, then the phase rule, then the sandbox: each refuses before the handler runs. */
  private admit(decl: CommandDecl, pending: Pending, ctx: KernelContext): void {
    if (pending.origin.readOnly && decl.kind === 'change')
      throw new QmpError('GenericError', `The command ${decl.name} is not allowed: this monitor is read-only (queries only)`);
    const phase = this.deps.phases.phase;
    if (decl.phases !== 'any' && !decl.phases.includes(phase)) {
      const need = decl.phases.map((p) => `'${p}'`).join(' or ');
      throw new QmpError('GenericError', `The command ${decl.name} needs phase ${need}; the machine is in phase '${phase}'`);
    }
    for (const filter of this.deps.filters) {
      const reason = filter(decl, pending.args, pending.origin, ctx);
      if (reason) throw new QmpError('GenericError', `The command ${decl.name} is not allowed: ${reason}`);
    }
  }

  private context(origin: Origin, events: Array<[string, Record<string, unknown> | undefined]>): KernelContext {
    return new CommandContext(this.deps, origin, events, (decl, args, ctx) => this.admit(decl, { command: decl.name, args, origin, resolve: noop, reject: noop }, ctx));
  }
}

const noop = (): void => undefined;
const NO_EVENTS: Events = [];

/** A command refused before it ran: nothing to log, nothing to undo. */
function refused(pending: Pending, error: QmpError): Done {
  return new Done(pending, undefined, undefined, NO_EVENTS, { ok: false, error }, undefined);
}

/** Validates the arguments and runs the handler; commands are stored type-erased, so this is where their types meet. */
function invoke(decl: CommandDecl, args: Record<string, unknown>, ctx: KernelContext): unknown {
  const { handler } = decl as unknown as { handler: (args: unknown, ctx: KernelContext) => unknown };
  return handler(validate(decl.args as Schema, args), ctx);
}

/**
 * The context one command runs in. A class rather than an object literal of
 * closures: one allocation per command keeps the dispatcher's per-command
 * cost low under a burst of thousands of commands.
 */
class CommandContext implements KernelContext {
  constructor(
    private readonly d: DispatcherDeps,
    readonly origin: Origin,
    private readonly queued: Array<[string, Record<string, unknown> | undefined]>,
    private readonly admit: (decl: CommandDecl, args: Record<string, unknown>, ctx: KernelContext) => void,
  ) {}

  get mode(): ExecutionMode {
    return this.d.mode;
  }
  get phase() {
    return this.d.phases.phase;
  }
  get runState() {
    return this.d.phases.runState;
  }
  get objects() {
    return this.d.objects;
  }
  get types() {
    return this.d.types;
  }
  get broker() {
    return this.d.broker;
  }
  get events() {
    return this.d.bus.events;
  }
  get guest() {
    return this.d.guest;
  }
  advanceTo(phase: Parameters<KernelContext['advanceTo']>[0]): Promise<void> {
    return this.d.lifecycle.advanceTo(phase, this);
  }
  setRunState(state: RunState): void {
    const before = this.d.phases.setRunState(state);
    const event = RUN_STATE_EVENTS[state];
    if (event && before !== state) this.queued.push([event, undefined]);
  }
  emit(event: string, data?: Record<string, unknown>): void {
    this.queued.push([event, data]);
  }
  onRollback(undo: () => void | Promise<void>): void {
    this.d.objects.onRollback(undo);
  }
  service<T>(token: string): T {
    return this.d.service<T>(token);
  }
  commands(): readonly CommandDecl[] {
    return this.d.registry.list();
  }
  async call(command: string, args: Record<string, unknown> = {}): Promise<unknown> {
    const decl = this.d.registry.get(command);
    this.admit(decl, args, this);
    return invoke(decl, args, this);
  }
}

import type { CommandDecl } from './command.js';
import type { CommandRegistry } from './command-registry.js';
import type { ExecutionMode, GuestControl, KernelContext } from './context.js';
import { QmpError, toQmpError } from './errors.js';
import type { EventBus } from './event-bus.js';
import type { HostBroker } from './host-broker.js';
import type { CommandLogStore, LogEntryDraft } from './log/log-entry.js';
import type { MachineLifecycle } from './machine-lifecycle.js';
import type { ObjectTree } from './objects/object-tree.js';
import type { TypeRegistry } from './objects/type-registry.js';
import type { Origin } from './origin.js';
import type { PhaseMachine } from './phase-machine.js';
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

interface Done {
  readonly pending: Pending;
  readonly draft?: LogEntryDraft;
  readonly events: ReadonlyArray<[string, Record<string, unknown> | undefined]>;
  readonly outcome: { ok: true; value: unknown } | { ok: false; error: QmpError };
}

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
  service<T>(token: string): T;
}

/**
 * The one way into the machine. Commands from every transport join one
 * queue and run strictly one at a time, in arrival order, even when their
 * handlers are async. Each runs inside an undo journal, so a failure changes
 * nothing. Replies are released only after the log has committed the entries
 * (group commit: one transaction for every command run since the last one).
 */
export class Dispatcher {
  /** Arrival-order queue; `head` avoids Array.shift, which is linear in a long burst. */
  private queue: Pending[] = [];
  private head = 0;
  private draining = false;
  private batch: Done[] = [];
  /** Set once a commit failed; refuses every later change. */
  private logFailure: QmpError | undefined;
  /** The release of the newest batch whose entries are still being committed. */
  private releasing: Promise<void> | undefined;

  constructor(private readonly deps: DispatcherDeps) {}

  /** Queues a command; resolves with its return value or rejects with a QmpError. */
  execute(command: string, args: Record<string, unknown> | undefined, origin: Origin): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.queue.push({ command, args: args ?? {}, origin, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        queueMicrotask(() => void this.drain());
      }
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
    const done = this.run(pending);
    if (done instanceof Promise) {
      this.draining = true;
      return done.then((d) => {
        this.batch.push(d);
        this.flush();
        this.draining = false;
        if (this.head < this.queue.length) {
          this.draining = true;
          queueMicrotask(() => void this.drain());
        }
        return this.releasing ? this.releasing.then(outcome) : outcome();
      });
    }
    this.batch.push(done);
    this.flush();
    return this.releasing ? this.releasing.then(outcome) : outcome();
  }

  /** Resolves once every reply whose log entries were still being committed has been released. */
  async settled(): Promise<void> {
    while (this.releasing) await this.releasing;
  }

  /** True while nothing is queued or running. */
  idle(): boolean {
    return !this.draining && this.head === this.queue.length;
  }

  private async drain(): Promise<void> {
    try {
      while (this.head < this.queue.length) {
        const next = this.run(this.queue[this.head++]);
        const done = next instanceof Promise ? await next : next;
        this.batch.push(done);
        if (this.batch.length >= MAX_BATCH) this.flush();
      }
      this.queue = [];
      this.head = 0;
    } finally {
      this.flush();
      this.draining = false;
      if (this.head < this.queue.length) {
        this.draining = true;
        queueMicrotask(() => void this.drain());
      }
    }
  }

  /**
   * Commits the batch's log entries in one transaction, then publishes events
   * and releases replies in order. With a store that can commit on its own
   * thread, the next commands run while this batch is being committed; its
   * replies wait for the commit, and for every batch before it.
   */
  private flush(): void {
    const batch = this.batch;
    if (!batch.length) return;
    this.batch = [];
    const drafts: LogEntryDraft[] = [];
    for (const d of batch) if (d.draft) drafts.push(d.draft);
    const store = this.deps.store;
    // The writer thread pays off when there is something to do meanwhile: more
    // commands queued, or batches already on their way (which a direct append
    // would overtake). A lone command commits directly: no thread round trip.
    if (drafts.length && store?.appendAsync && (this.head < this.queue.length || this.releasing)) {
      const committed = store.appendAsync(drafts);
      return this.afterEarlierBatches(() => committed, batch);
    }
    if (drafts.length && store) {
      try {
        store.append(drafts);
      } catch (e) {
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
      () => this.release(batch),
      (e: unknown) => this.refuse(batch, e),
    );
    this.releasing = released;
    void released.then(() => {
      if (this.releasing === released) this.releasing = undefined;
    });
  }

  /**
   * A commit failed: the batch's commands ran but are not recorded. Their
   * callers get the error; from now on the log cannot be trusted to match the
   * configuration, so later changes are refused (queries still answer).
   */
  private refuse(batch: readonly Done[], e: unknown): void {
    const cause = toQmpError(e).desc;
    const error = new QmpError('GenericError', `Command log write failed: ${cause}`);
    this.logFailure ??= new QmpError('GenericError', `Changes are refused: the command log could not be written (${cause})`);
    for (const d of batch) {
      if (d.draft) d.pending.reject(error);
      else this.release([d]);
    }
  }

  private release(batch: readonly Done[]): void {
    for (const d of batch) {
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
    if (!decl) return { pending, events: [], outcome: { ok: false, error: new QmpError('CommandNotFound', `The command ${pending.command} has not been found`) } };
    if (this.logFailure && decl.kind === 'change') return { pending, events: [], outcome: { ok: false, error: this.logFailure } };
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
        (v): Done => this.succeeded(pending, decl, before, events, v),
        (e): Done | Promise<Done> => this.failed(pending, decl, before, e),
      );
    }
    return this.succeeded(pending, decl, before, events, value);
  }

  private succeeded(pending: Pending, decl: CommandDecl, before: Before, events: Done['events'], value: unknown): Done {
    this.deps.objects.commit();
    const outcome = { ok: true as const, value: value ?? {} };
    return { pending, draft: this.draft(pending, decl, before, outcome), events, outcome };
  }

  /** Rolls the command back; its events are dropped. */
  private failed(pending: Pending, decl: CommandDecl, before: Before, e: unknown): Done | Promise<Done> {
    const done = (): Done => {
      const outcome = { ok: false as const, error: toQmpError(e) };
      return { pending, draft: this.draft(pending, decl, before, outcome), events: [], outcome };
    };
    const undone = this.deps.objects.rollback();
    return undone instanceof Promise ? undone.then(done) : done();
  }

  /** The log entry for a command; undefined without a log, or for a query nobody asked to log. */
  private draft(pending: Pending, decl: CommandDecl, before: Before, outcome: Done['outcome']): LogEntryDraft | undefined {
    // After a failed commit nothing more is recorded (only queries still run; see `refuse`).
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
  async call(command: string, args: Record<string, unknown> = {}): Promise<unknown> {
    const decl = this.d.registry.get(command);
    this.admit(decl, args, this);
    return invoke(decl, args, this);
  }
}

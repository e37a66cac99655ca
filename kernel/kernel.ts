import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { CommandRegistry } from './command-registry.js';
import { BASE_TYPES, SETTINGS_PATH } from './commands/base-types.js';
import type { CoreDeps, VersionInfo } from './commands/core-deps.js';
import { deviceCommands } from './commands/devices.js';
import { KERNEL_EVENTS } from './commands/events.js';
import { introspectionCommands } from './commands/introspection.js';
import { logQueryCommands } from './commands/log-queries.js';
import { monitorCommands } from './commands/monitors.js';
import { qomCommands } from './commands/qom.js';
import { runControlCommands } from './commands/run-control.js';
import type { ExecutionMode, GuestControl, GuestPanicInfo, KernelContext } from './context.js';
import { Dispatcher, type LogErrorAction } from './dispatcher.js';
import { EventBus } from './event-bus.js';
import { HostBroker } from './host-broker.js';
import type { CommandLogStore } from './log/log-entry.js';
import { MACHINE_PATH, MachineLifecycle } from './machine-lifecycle.js';
import { ObjectTree } from './objects/object-tree.js';
import { STATE_HASH_FORMAT, STATE_HASH_FORMATS } from './objects/state-hash-format.js';
import { TypeRegistry } from './objects/type-registry.js';
import type { Origin } from './origin.js';
import type { Phase, RunState } from './phase.js';
import { PhaseMachine } from './phase-machine.js';
import { definePlugin, type Plugin } from './plugin.js';
import { PluginHost, type LoadedPlugin } from './plugin-host.js';
import { Tokens } from './tokens.js';
import type { TransportHandle, TransportHost } from './transport.js';

/** How to build a kernel. */
export interface KernelOptions {
  readonly plugins: readonly Plugin[];
  /** Where entries go; without one nothing is recorded (tests, dry runs). */
  readonly log?: CommandLogStore;
  /** `replay` rebuilds configuration without starting a guest or opening host resources. */
  readonly mode?: ExecutionMode;
  /** Record queries too (`--log-queries`). */
  readonly logQueries?: boolean;
  /** Sockets may listen on or connect to addresses beyond loopback (`-allow-remote-sockets`); no command can change it. */
  readonly remoteSockets?: boolean;
  /** What the VM does once its log cannot be written (`-log-on-error`); default `refuse-changes`. */
  readonly logOnError?: LogErrorAction;
  readonly version?: VersionInfo;
  /** How state hashes are computed; replay passes the log's (`stateHashFormatOf(header)`). Default: the current format. */
  readonly stateHashFormat?: number;
}

/** The default version reported when the entry point gives none. */
export const KERNEL_VERSION: VersionInfo = { major: 0, minor: 1, micro: 0, package: 'vmledger 0.1.0' };

const GUEST_ORIGIN: Origin = { transport: 'guest' };

/**
 * A running kernel: the phase machine, the command registry, the object
 * tree and the dispatcher, wired in a tsyringe container, with plugins
 * loaded. Everything outside reaches the machine through `execute`.
 */
export class Kernel {
  readonly host: TransportHost;
  private readonly monitors = new Map<string, TransportHandle>();
  private readonly exitListeners: Array<(code: number) => void> = [];
  private markConfigured!: () => void;
  private exitCode: number | undefined;
  /** Set once `close` began: nothing more is written to the log but what close writes. */
  private closing = false;

  private constructor(
    readonly container: DependencyContainer,
    readonly registry: CommandRegistry,
    readonly types: TypeRegistry,
    readonly objects: ObjectTree,
    readonly bus: EventBus,
    readonly broker: HostBroker,
    private readonly phases: PhaseMachine,
    private readonly plugins: PluginHost,
    private readonly dispatcher: Dispatcher,
    readonly store: CommandLogStore | undefined,
    readonly version: VersionInfo,
  ) {
    const configured = new Promise<void>((resolve) => (this.markConfigured = resolve));
    const kernel = this;
    this.host = {
      execute: (command, args, origin) => this.execute(command, args, origin),
      events: bus.events,
      commands: () => registry.list(),
      events_: () => registry.listEvents(),
      types,
      objects,
      phase: () => phases.phase,
      runState: () => phases.runState,
      configured,
      listen: (address, opts, onConnection) => broker.listen(address, opts, onConnection),
      checkMonitor: (reach) => broker.checkMonitor(reach),
      claimStdio: (user) => broker.claimStdio(user),
      get version() {
        return kernel.version;
      },
    };
  }

  /** Builds the container, registers the kernel's own commands and types, and sets up every plugin. */
  static async create(options: KernelOptions): Promise<Kernel> {
    const c = rootContainer.createChildContainer();
    const registry = new CommandRegistry();
    const types = new TypeRegistry();
    const stateHashFormat = options.stateHashFormat ?? STATE_HASH_FORMAT;
    if (!STATE_HASH_FORMATS.includes(stateHashFormat)) throw new Error(`Unknown state-hash format ${stateHashFormat} (this program computes ${STATE_HASH_FORMATS.join(', ')})`);
    const objects = new ObjectTree(types, stateHashFormat);
    c.registerInstance(Tokens.CommandRegistry, registry);
    c.registerInstance(Tokens.TypeRegistry, types);
    c.registerInstance(Tokens.ObjectTree, objects);
    c.registerInstance(Tokens.EventBus, new EventBus());
    c.registerInstance(Tokens.HostBroker, new HostBroker({ remoteSockets: options.remoteSockets }));
    if (options.log) c.registerInstance(Tokens.CommandLogStore, options.log);
    const phases = c.resolve(PhaseMachine);
    const bus = c.resolve<EventBus>(Tokens.EventBus);
    const broker = c.resolve<HostBroker>(Tokens.HostBroker);
    // Every monitor is a witness: the log's checkpoints go out as events.
    options.log?.onCheckpoint?.((cp) =>
      bus.publish('LOG_CHECKPOINT', {
        kind: cp.kind,
        size: cp.size,
        root: cp.root,
        chain: cp.chain,
        time: cp.time,
        ...(cp.signature ? { 'key-id': cp.signature.keyId, signature: cp.signature.value } : {}),
        text: cp.text,
      }),
    );
    const pluginHost = new PluginHost(c, registry, types, broker);
    const lifecycle = new MachineLifecycle(phases, objects, types);
    const version = options.version ?? KERNEL_VERSION;

    let kernel: Kernel | undefined;
    const guest = new GuestActions(() => kernel!);
    const dispatcher = new Dispatcher({
      registry,
      types,
      objects,
      bus,
      broker,
      phases,
      lifecycle,
      guest,
      filters: pluginHost.filters,
      store: options.log,
      mode: options.mode ?? 'live',
      logQueries: options.logQueries ?? false,
      logOnError: options.logOnError ?? 'refuse-changes',
      service: (token) => pluginHost.service(token),
    });
    c.registerInstance(Tokens.Dispatcher, dispatcher);
    kernel = new Kernel(c, registry, types, objects, bus, broker, phases, pluginHost, dispatcher, options.log, version);

    const deps: CoreDeps = {
      registry,
      version,
      transports: pluginHost.transports,
      monitors: kernel.monitors,
      store: options.log,
      transportHost: () => kernel!.host,
      requestExit: (code) => kernel!.requestExit(code),
      stopInfo: () => kernel!.stopInfo,
    };
    const core = definePlugin({
      name: 'kernel',
      version: `${version.major}.${version.minor}.${version.micro}`,
      setup(host) {
        for (const type of BASE_TYPES) host.type(type);
        for (const event of KERNEL_EVENTS) host.event(event);
        for (const cmd of [
          ...runControlCommands(deps),
          ...introspectionCommands(deps),
          ...qomCommands(),
          ...deviceCommands(),
          ...monitorCommands(deps),
          ...logQueryCommands(deps),
        ])
          host.command(cmd);
      },
    });
    await pluginHost.load([core]);
    await pluginHost.load(options.plugins);
    pluginHost.seal();
    await objects.add(SETTINGS_PATH, 'vm-settings', {}, kernel.internalContext(GUEST_ORIGIN));
    // A digest computed in the background becomes a later header version, as soon as it is known.
    broker.onDigest(() => {
      if (kernel!.closing) return;
      try {
        kernel!.syncHeader();
      } catch {
        // A log that cannot be written takes no header update; the failure is reported where commands see it.
      }
    });
    if (options.log && !options.log.header())
      options.log.writeHeader({ programVersion: version.package, plugins: [...pluginHost.plugins()], createdAt: Date.now(), files: [], stateHashFormat });
    return kernel;
  }

  /** The one way in: queued, validated, phase-checked, sandboxed, run, logged. Rejects with a QmpError. */
  execute(command: string, args: Record<string, unknown> | undefined, origin: Origin): Promise<unknown> {
    return this.dispatcher.execute(command, args, origin);
  }

  /** Runs a command at once if nothing is queued (replay's fast path); see `Dispatcher.executeNow`. */
  executeNow(command: string, args: Record<string, unknown>, origin: Origin): unknown {
    return this.dispatcher.executeNow(command, args, origin);
  }

  get phase(): Phase {
    return this.phases.phase;
  }

  get runState(): RunState {
    return this.phases.runState;
  }

  /** Where and why the guest last panicked or stopped with an internal error (`query-status` shows it in those states). */
  stopInfo: GuestPanicInfo | undefined;

  /** The configuration's state hash (object tree + phase), as the log records it. */
  stateHash(): string {
    return this.objects.hash(this.phases.phase);
  }

  loadedPlugins(): readonly LoadedPlugin[] {
    return this.plugins.plugins();
  }

  /** A service a plugin provided. */
  service<T>(token: string): T {
    return this.plugins.service<T>(token);
  }

  /** The configuration feed is done: suspended monitors resume. */
  setConfigured(): void {
    this.markConfigured();
  }

  /** Called with the exit status when the machine asks the program to exit (`quit`, guest poweroff). */
  onExit(listener: (code: number) => void): void {
    this.exitListeners.push(listener);
    if (this.exitCode !== undefined) listener(this.exitCode);
  }

  requestExit(code: number): void {
    if (this.exitCode !== undefined) return;
    this.exitCode = code;
    for (const l of this.exitListeners) l(code);
  }

  /** Records the host files the configuration referenced into the log header. */
  syncHeader(): void {
    const header = this.store?.header();
    if (header) this.store!.writeHeader({ ...header, files: this.broker.referencedFiles() });
  }

  /** Releases the replies still waiting for their log commit (`quit`'s own), closes monitors and the sockets the VM listens on, then the log. */
  async close(): Promise<void> {
    this.closing = true;
    // First, so a command waiting for a socket's first client (a signal came meanwhile) ends instead of holding the close.
    this.broker.closeListeners();
    await this.dispatcher.settled();
    for (const m of this.monitors.values()) await m.close().catch(() => undefined);
    this.monitors.clear();
    await this.dispatcher.settled();
    if (this.store) {
      try {
        try {
          this.syncHeader();
        } finally {
          this.store.close();
        }
      } catch (e) {
        // A log that failed a write cannot take a header update or a seal
        // either; what it holds is still a valid prefix of what happened.
        if (!this.dispatcher.logFailed) throw e;
      }
    }
  }

  /** A context for work the kernel does outside a command (guest events): no journal, events published at once. */
  internalContext(origin: Origin): KernelContext {
    const k = this;
    return {
      origin,
      mode: 'live',
      get phase() {
        return k.phases.phase;
      },
      get runState() {
        return k.phases.runState;
      },
      objects: k.objects,
      types: k.types,
      broker: k.broker,
      events: k.bus.events,
      guest: new GuestActions(() => k),
      advanceTo: () => Promise.reject(new Error('the phase only advances through commands')),
      setRunState: (state) => {
        const before = k.phases.setRunState(state);
        if (before !== state && state === 'running') k.bus.publish('RESUME');
        if (before !== state && state === 'paused') k.bus.publish('STOP');
      },
      emit: (event, data) => void k.bus.publish(event, data),
      onRollback: () => undefined,
      service: (token) => k.service(token),
      commands: () => k.registry.list(),
      call: (command, args) => k.execute(command, args, origin),
    };
  }
}

/**
 * Guest-initiated run-state changes, honouring the `set-action` policy:
 * a reset with `reboot=shutdown` (-no-reboot) becomes a shutdown, and a
 * poweroff exits the program as QEMU does.
 */
class GuestActions implements GuestControl {
  constructor(private readonly kernel: () => Kernel) {}

  private get settings() {
    return this.kernel().objects.get(SETTINGS_PATH);
  }

  private machineHooks(ctx: KernelContext) {
    const machine = ctx.objects.find(MACHINE_PATH);
    return machine ? { machine, hooks: ctx.types.machineHooks(machine.type) } : undefined;
  }

  shutdown(reason = 'guest-shutdown', exitCode = 0): void {
    const k = this.kernel();
    const ctx = k.internalContext(GUEST_ORIGIN);
    const m = this.machineHooks(ctx);
    if (m) void m.hooks.pause?.(m.machine, ctx);
    // QEMU's reasons name who asked: host-ui (Ctrl-A x), host-signal, or the guest's own.
    k.bus.publish('SHUTDOWN', { guest: !reason.startsWith('host-'), reason });
    // A host signal ends the program whatever -action shutdown says, as QEMU's qemu_system_killed forces poweroff.
    if (this.settings.get('shutdown') === 'pause' && reason !== 'host-signal') {
      ctx.setRunState('paused');
      return;
    }
    ctx.setRunState('shutdown');
    k.requestExit(exitCode);
  }

  reset(reason = 'guest-reset'): void {
    if (this.settings.get('reboot') === 'shutdown') return this.shutdown(reason);
    const k = this.kernel();
    const ctx = k.internalContext(GUEST_ORIGIN);
    const m = this.machineHooks(ctx);
    if (m) void m.hooks.reset?.(m.machine, ctx);
    k.bus.publish('RESET', { guest: true, reason });
  }

  panic(info?: GuestPanicInfo): void {
    const k = this.kernel();
    const ctx = k.internalContext(GUEST_ORIGIN);
    const action = this.settings.get('panic') as string;
    k.stopInfo = info;
    k.bus.publish('GUEST_PANICKED', { action: action === 'none' ? 'run' : action, ...(info ? { info } : {}) });
    if (action === 'none') return;
    const m = this.machineHooks(ctx);
    if (m) void m.hooks.pause?.(m.machine, ctx);
    if (action === 'shutdown') return this.shutdown('guest-panic', 1);
    ctx.setRunState('guest-panicked');
  }

  internalError(info: GuestPanicInfo): void {
    const k = this.kernel();
    const ctx = k.internalContext(GUEST_ORIGIN);
    const m = this.machineHooks(ctx);
    if (m) void m.hooks.pause?.(m.machine, ctx);
    k.stopInfo = info;
    // As QEMU stops a vCPU it cannot run: STOP, then the state says why.
    if (ctx.runState !== 'internal-error') k.bus.publish('STOP');
    ctx.setRunState('internal-error');
  }
}

/** Builds a kernel: `await createKernel({ plugins, log })`. */
export function createKernel(options: KernelOptions): Promise<Kernel> {
  return Kernel.create(options);
}

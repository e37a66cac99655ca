import type { DependencyContainer } from 'tsyringe';
import type { CommandRegistry } from './command-registry.js';
import type { HostBroker } from './host-broker.js';
import type { TypeRegistry } from './objects/type-registry.js';
import type { CommandFilter, Plugin, PluginSetup } from './plugin.js';
import type { TransportDecl } from './transport.js';

/** A loaded plugin, as the log header records it. */
export interface LoadedPlugin {
  readonly name: string;
  readonly version: string;
}

/**
 * Runs each plugin's `setup` with a registration API that names the plugin
 * in every error, in dependency order. Each plugin gets a child container:
 * what it provides is visible to plugins that declare it in `dependsOn`,
 * and to the kernel; nothing else.
 */
export class PluginHost {
  private readonly loaded: LoadedPlugin[] = [];
  private readonly provided = new Map<string, { plugin: string; value: unknown }>();
  readonly transports = new Map<string, TransportDecl>();
  readonly filters: CommandFilter[] = [];
  private sealed = false;

  constructor(
    private readonly container: DependencyContainer,
    private readonly registry: CommandRegistry,
    private readonly types: TypeRegistry,
    private readonly broker: HostBroker,
  ) {}

  /** Sets up plugins in an order that puts every dependency first; unknown or cyclic dependencies fail naming them. */
  async load(plugins: readonly Plugin[]): Promise<void> {
    for (const plugin of this.order(plugins)) await this.setup(plugin);
  }

  /** After this, registering anything is an error (plugins register at startup only). */
  seal(): void {
    this.sealed = true;
  }

  plugins(): readonly LoadedPlugin[] {
    return this.loaded;
  }

  /** A service provided by any plugin (the kernel's view). */
  service<T>(token: string): T {
    const entry = this.provided.get(token);
    if (!entry) throw new Error(`no plugin provides '${token}'`);
    return entry.value as T;
  }

  private order(plugins: readonly Plugin[]): Plugin[] {
    const byName = new Map<string, Plugin>();
    for (const p of plugins) {
      if (!p || typeof p.name !== 'string' || typeof p.setup !== 'function')
        throw new Error(`invalid plugin ${JSON.stringify(p?.name ?? p)}: a plugin needs a name, a version and a setup function`);
      if (byName.has(p.name) || this.loaded.some((l) => l.name === p.name)) throw new Error(`plugin '${p.name}' is loaded twice`);
      byName.set(p.name, p);
    }
    const out: Plugin[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (p: Plugin, path: string[]): void => {
      if (state.get(p.name) === 'done') return;
      if (state.get(p.name) === 'visiting') throw new Error(`plugin dependency cycle: ${[...path, p.name].join(' -> ')}`);
      state.set(p.name, 'visiting');
      for (const dep of p.dependsOn ?? []) {
        const target = byName.get(dep);
        if (target) visit(target, [...path, p.name]);
        else if (!this.loaded.some((l) => l.name === dep)) throw new Error(`plugin '${p.name}' depends on '${dep}', which is not loaded`);
      }
      state.set(p.name, 'done');
      out.push(p);
    };
    for (const p of plugins) visit(p, []);
    return out;
  }

  private async setup(plugin: Plugin): Promise<void> {
    const child = this.container.createChildContainer();
    const allowed = new Set(plugin.dependsOn ?? []);
    const guard = (what: string): void => {
      if (this.sealed) throw new Error(`plugin '${plugin.name}' registered ${what} after the kernel started`);
    };
    const api: PluginSetup = {
      command: (decl) => {
        guard(`command '${decl.name}'`);
        this.registry.add(decl, plugin.name);
      },
      event: (decl) => {
        guard(`event '${decl.name}'`);
        this.registry.addEvent(decl, plugin.name);
      },
      type: (decl) => {
        guard(`type '${decl.name}'`);
        this.types.register(decl, plugin.name);
      },
      transport: (decl) => {
        guard(`transport '${decl.name}'`);
        if (this.transports.has(decl.name)) throw new Error(`transport '${decl.name}' from plugin '${plugin.name}' is already registered`);
        this.transports.set(decl.name, decl);
      },
      commandFilter: (filter) => {
        this.filters.push(filter);
      },
      hostPolicy: (policy) => {
        this.broker.addPolicy(policy);
      },
      provide: (token, value) => {
        guard(`service '${token}'`);
        const owner = this.provided.get(token);
        if (owner) throw new Error(`service '${token}' from plugin '${plugin.name}' is already provided by '${owner.plugin}'`);
        this.provided.set(token, { plugin: plugin.name, value });
        child.registerInstance(token, value);
      },
      use: <T>(token: string): T => {
        const entry = this.provided.get(token);
        if (!entry) throw new Error(`plugin '${plugin.name}' uses '${token}', which no plugin provides`);
        if (entry.plugin !== plugin.name && !allowed.has(entry.plugin))
          throw new Error(`plugin '${plugin.name}' uses '${token}' from '${entry.plugin}' without declaring it in dependsOn`);
        return entry.value as T;
      },
    };
    try {
      await plugin.setup(api);
    } catch (e) {
      throw new Error(`plugin '${plugin.name}' failed to set up: ${(e as Error).message}`);
    }
    this.loaded.push({ name: plugin.name, version: plugin.version });
  }
}

import type { CommandDecl, EventDecl } from './command.js';
import type { KernelContext } from './context.js';
import type { HostPolicy } from './host-broker.js';
import type { ObjectTypeDecl } from './objects/object-type.js';
import type { Origin } from './origin.js';
import type { TransportDecl } from './transport.js';

/** A sandbox hook over commands: returns a reason to refuse, or undefined to allow. */
export type CommandFilter = (command: CommandDecl, args: Record<string, unknown>, origin: Origin, ctx: KernelContext) => string | undefined;

/**
 * What a plugin may do while it is set up: register things. Every
 * registration records the plugin's name, so an error can name it.
 * Registering after the kernel has started is an error.
 */
export interface PluginSetup {
  command(decl: CommandDecl<any, any>): void;
  event(decl: EventDecl<any>): void;
  type(decl: ObjectTypeDecl): void;
  transport(decl: TransportDecl): void;
  /** A sandbox hook consulted before every command. */
  commandFilter(filter: CommandFilter): void;
  /** A sandbox hook consulted before every host resource is opened. */
  hostPolicy(policy: HostPolicy): void;
  /** Shares a service with plugins that depend on this one. */
  provide<T>(token: string, value: T): void;
  /** A service provided by a plugin named in `dependsOn`. */
  use<T>(token: string): T;
}

/** The plugin contract, the same for built-in and external plugins. */
export interface Plugin {
  readonly name: string;
  readonly version: string;
  readonly dependsOn?: readonly string[];
  setup(host: PluginSetup): void | Promise<void>;
}

export function definePlugin(plugin: Plugin): Plugin {
  return plugin;
}

import type { CommandDecl, EventDecl } from './command.js';
import { EFFECT_CLASSES } from './command.js';
import { QmpError } from './errors.js';

/** A change command says what it changes (a sandbox policy may deny by class); a query changes nothing. */
function checkEffects(decl: CommandDecl, plugin: string): void {
  const effects = decl.effects ?? [];
  if (decl.kind === 'change' && effects.length === 0)
    throw new Error(`command '${decl.name}' from plugin '${plugin}' is a change but declares no effects (one or more of: ${EFFECT_CLASSES.join(', ')})`);
  if (decl.kind === 'query' && effects.length > 0) throw new Error(`command '${decl.name}' from plugin '${plugin}' is a query but declares effects`);
  for (const e of effects)
    if (!(EFFECT_CLASSES as readonly string[]).includes(e))
      throw new Error(`command '${decl.name}' from plugin '${plugin}' declares unknown effect '${e}' (known: ${EFFECT_CLASSES.join(', ')})`);
}

/** Every registered command and event, with the plugin that registered it. */
export class CommandRegistry {
  private readonly commands = new Map<string, { decl: CommandDecl; plugin: string }>();
  private readonly aliases = new Map<string, string>();
  private readonly events = new Map<string, { decl: EventDecl; plugin: string }>();

  add(decl: CommandDecl, plugin: string): void {
    for (const name of [decl.name, ...(decl.aliases ?? [])]) {
      const owner = this.commands.get(this.aliases.get(name) ?? name);
      if (owner) throw new Error(`command '${name}' from plugin '${plugin}' is already registered by '${owner.plugin}'`);
    }
    if (!decl.phases) throw new Error(`command '${decl.name}' from plugin '${plugin}' does not declare its phases`);
    checkEffects(decl, plugin);
    this.commands.set(decl.name, { decl, plugin });
    for (const alias of decl.aliases ?? []) this.aliases.set(alias, decl.name);
  }

  addEvent(decl: EventDecl, plugin: string): void {
    const owner = this.events.get(decl.name);
    if (owner) throw new Error(`event '${decl.name}' from plugin '${plugin}' is already registered by '${owner.plugin}'`);
    this.events.set(decl.name, { decl, plugin });
  }

  find(name: string): CommandDecl | undefined {
    return this.commands.get(this.aliases.get(name) ?? name)?.decl;
  }

  get(name: string): CommandDecl {
    const decl = this.find(name);
    if (!decl) throw new QmpError('CommandNotFound', `The command ${name} has not been found`);
    return decl;
  }

  pluginOf(name: string): string | undefined {
    return this.commands.get(this.aliases.get(name) ?? name)?.plugin;
  }

  list(): CommandDecl[] {
    return [...this.commands.values()].map((c) => c.decl);
  }

  listEvents(): EventDecl[] {
    return [...this.events.values()].map((e) => e.decl);
  }

  findEvent(name: string): EventDecl | undefined {
    return this.events.get(name)?.decl;
  }
}

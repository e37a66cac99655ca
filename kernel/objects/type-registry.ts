import { QmpError } from '../errors.js';
import type { MachineHooks, ObjectTypeDecl, ResolvedProp } from './object-type.js';

type Hook = 'create' | 'realize' | 'unrealize' | 'propertyChanged';

/** Every object type, by name, with its parent chain resolved. */
export class TypeRegistry {
  private readonly types = new Map<string, { decl: ObjectTypeDecl; plugin: string }>();
  private readonly propCache = new Map<string, ReadonlyMap<string, ResolvedProp>>();

  register(decl: ObjectTypeDecl, plugin: string): void {
    const existing = this.types.get(decl.name);
    if (existing) throw new Error(`type '${decl.name}' from plugin '${plugin}' is already registered by '${existing.plugin}'`);
    if (decl.name !== 'object' && !this.types.has(decl.parent ?? 'object'))
      throw new Error(`type '${decl.name}' from plugin '${plugin}' has unknown parent '${decl.parent ?? 'object'}'`);
    this.types.set(decl.name, { decl, plugin });
    this.propCache.clear();
  }

  has(name: string): boolean {
    return this.types.has(name);
  }

  get(name: string): ObjectTypeDecl {
    const entry = this.types.get(name);
    if (!entry) throw new QmpError('GenericError', `Invalid object type '${name}'`);
    return entry.decl;
  }

  pluginOf(name: string): string | undefined {
    return this.types.get(name)?.plugin;
  }

  /** The type and its ancestors, nearest first. */
  chain(name: string): ObjectTypeDecl[] {
    const out: ObjectTypeDecl[] = [];
    for (let cur: string | undefined = name; cur; ) {
      const d = this.get(cur);
      out.push(d);
      cur = d.name === 'object' ? undefined : (d.parent ?? 'object');
    }
    return out;
  }

  /** True when `name` is `ancestor`, inherits from it, or implements it as an interface. */
  isA(name: string, ancestor: string): boolean {
    if (!this.types.has(name)) return false;
    return this.chain(name).some((d) => d.name === ancestor || (d.interfaces ?? []).includes(ancestor));
  }

  /** Properties of a type, its ancestors' included. */
  props(name: string): ReadonlyMap<string, ResolvedProp> {
    const cached = this.propCache.get(name);
    if (cached) return cached;
    const out = new Map<string, ResolvedProp>();
    for (const d of this.chain(name).reverse())
      for (const [prop, decl] of Object.entries(d.props ?? {})) out.set(prop, { ...decl, name: prop, definedBy: d.name });
    this.propCache.set(name, out);
    return out;
  }

  /** The nearest definition of a lifecycle hook along the parent chain. */
  hook<H extends Hook>(name: string, hook: H): ObjectTypeDecl[H] | undefined {
    const decl: ObjectTypeDecl | undefined = this.chain(name).find((d) => d[hook] !== undefined);
    return decl?.[hook] as ObjectTypeDecl[H] | undefined;
  }

  machineHooks(name: string): MachineHooks {
    return this.chain(name).find((d) => d.machine)?.machine ?? {};
  }

  /** The nearest `ext` entry named `key` along the parent chain. */
  ext<T>(name: string, key: string): T | undefined {
    return this.chain(name).find((d) => d.ext && key in d.ext)?.ext?.[key] as T | undefined;
  }

  hotpluggable(name: string): boolean {
    return this.chain(name).find((d) => d.hotpluggable !== undefined)?.hotpluggable ?? false;
  }

  list(filter: { implements?: string; abstract?: boolean } = {}): ObjectTypeDecl[] {
    return [...this.types.values()]
      .map((e) => e.decl)
      .filter((d) => (filter.implements ? this.isA(d.name, filter.implements) : true))
      .filter((d) => (filter.abstract === undefined ? true : Boolean(d.abstract) === filter.abstract));
  }
}

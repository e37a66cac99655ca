import { canonicalJson } from '../canonical-json.js';
import { canonicalMapText } from '../log/canonical-text.js';
import type { KernelContext } from '../context.js';
import { QmpError } from '../errors.js';
import { validate } from '../schema/validate.js';
import type { ResolvedProp } from './object-type.js';
import type { QObject } from './qobject.js';
import { StateHash } from './state-hash.js';
import { STATE_HASH_FORMAT } from './state-hash-format.js';
import type { TypeRegistry } from './type-registry.js';

class Node implements QObject {
  realized = false;
  placement: Readonly<Record<string, unknown>> | undefined = undefined;
  runtime: unknown = undefined;
  readonly children = new Map<string, Node>();
  constructor(
    readonly path: string,
    readonly name: string,
    readonly type: string,
    readonly props: Map<string, unknown>,
    readonly parent: Node | undefined,
  ) {}
  get(prop: string): unknown {
    return this.props.get(prop);
  }
  values(): Readonly<Record<string, unknown>> {
    return Object.fromEntries(this.props);
  }
}

/** The undo steps of one command, oldest first, as `ObjectTree.commit` returns them. */
export type UndoJournal = ReadonlyArray<() => void | Promise<void>>;

function parentPath(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/**
 * The one object tree (`/machine`, `/machine/peripheral/<id>`,
 * `/objects/<id>`). Every mutation is journaled while a command runs, so a
 * failing command is rolled back whole; every mutation also updates the
 * incremental state hash.
 */
export class ObjectTree {
  private readonly root = new Node('/', '', 'container', new Map(), undefined);
  private readonly byPath = new Map<string, Node>([['/', this.root]]);
  private readonly stateHash = new StateHash();
  private journal: Array<() => void | Promise<void>> | undefined;
  private hashedPhase: string | undefined;

  /** `format`: what an object contributes to the state hash (state-hash-format.ts); a replay of an older log passes the log's. */
  constructor(
    private readonly types: TypeRegistry,
    private readonly format: number = STATE_HASH_FORMAT,
  ) {}

  /** Starts recording undo steps for the command about to run. */
  begin(): void {
    this.journal = [];
  }

  /**
   * Keeps every change made since `begin`, and hands back their undo steps:
   * the dispatcher holds them until the command's log entry is committed, so
   * a command whose entry cannot be written is undone after all (`undo`).
   */
  commit(): UndoJournal {
    const steps = this.journal ?? [];
    this.journal = undefined;
    return steps;
  }

  /** Undoes every change made since `begin`, newest first; synchronous unless an undo step is async (an unrealize hook). */
  rollback(): void | Promise<void> {
    const steps = this.journal ?? [];
    this.journal = undefined;
    return this.undo(steps);
  }

  /**
   * Undoes a committed command from the steps `commit` returned, newest
   * first. Only between commands, and newest command first, so each step
   * finds the state it was recorded against.
   */
  undo(steps: UndoJournal): void | Promise<void> {
    for (let i = steps.length - 1; i >= 0; i--) {
      const done = steps[i]!();
      if (done instanceof Promise)
        return done.then(async () => {
          for (let j = i - 1; j >= 0; j--) await steps[j]!();
        });
    }
  }

  /** Registers an undo step for a side effect outside the tree (a mapped region, an open file). */
  onRollback(undo: () => void | Promise<void>): void {
    this.journal?.push(undo);
  }

  /** The configuration's hash, bound to the phase (one more part of the sum; no path starts with a NUL). */
  hash(phase: string): string {
    if (phase !== this.hashedPhase) {
      this.stateHash.set('\0phase', phase);
      this.hashedPhase = phase;
    }
    return this.stateHash.value();
  }

  has(path: string): boolean {
    return this.byPath.has(path);
  }

  find(path: string): QObject | undefined {
    return this.byPath.get(path);
  }

  get(path: string): QObject {
    const node = this.byPath.get(path);
    if (!node) throw new QmpError('DeviceNotFound', `Device '${path}' not found`);
    return node;
  }

  children(path: string): QObject[] {
    return [...(this.node(path).children.values())];
  }

  /** Every object below `path` (itself included), parents before children. */
  *walk(path = '/'): Generator<QObject> {
    const start = this.node(path);
    const stack: Node[] = [start];
    while (stack.length) {
      const n = stack.shift()!;
      if (n !== this.root) yield n;
      stack.unshift(...n.children.values());
    }
  }

  /** Creates a container path (`/machine/peripheral`) if it does not exist. */
  ensureContainer(path: string): void {
    if (this.byPath.has(path)) return;
    this.ensureContainer(parentPath(path));
    this.insert(path, 'container', new Map());
  }

  /** Creates an object with validated properties (defaults filled in) and runs its `create` hook. */
  async add(path: string, type: string, props: Record<string, unknown>, ctx: KernelContext): Promise<QObject> {
    const decl = this.types.get(type);
    if (decl.abstract) throw new QmpError('GenericError', `Type '${type}' is abstract`);
    if (this.byPath.has(path)) throw new QmpError('GenericError', `Duplicate ID '${path.slice(path.lastIndexOf('/') + 1)}' for ${parentPath(path)}`);
    const values = new Map<string, unknown>();
    const declared = this.types.props(type);
    for (const [name, value] of Object.entries(props)) {
      if (value === undefined) continue;
      const prop = this.prop(type, name);
      if (prop.settable === 'never') throw new QmpError('GenericError', `Property '${type}.${name}' is read-only`);
      values.set(name, this.checkValue(prop, value));
    }
    for (const [name, prop] of declared) if (!values.has(name) && prop.default !== undefined) values.set(name, prop.default);
    this.ensureContainer(parentPath(path));
    // Sorted, so the state hash can serialize them as they are (canonicalMapText).
    const node = this.insert(path, type, new Map([...values].sort(([a], [b]) => (a < b ? -1 : 1))));
    await this.types.hook(type, 'create')?.(node, ctx);
    return node;
  }

  /** Realizes an object and every unrealized object below it. */
  async realize(path: string, ctx: KernelContext): Promise<void> {
    for (const obj of [...this.walk(path)]) {
      const node = obj as Node;
      if (node.realized || node.type === 'container') continue;
      await this.types.hook(node.type, 'realize')?.(node, ctx);
      this.setRealized(node, true, ctx);
    }
  }

  /** Unrealizes an object and everything below it, children first. */
  async unrealize(path: string, ctx: KernelContext): Promise<void> {
    for (const obj of [...this.walk(path)].reverse()) {
      const node = obj as Node;
      if (!node.realized) continue;
      await this.types.hook(node.type, 'unrealize')?.(node, ctx);
      this.setRealized(node, false, ctx);
    }
  }

  /** Unrealizes and removes an object and everything below it. */
  async remove(path: string, ctx: KernelContext): Promise<void> {
    const node = this.node(path);
    await this.unrealize(path, ctx);
    this.detach(node);
    this.journal?.push(() => this.reattach(node));
  }

  /** Sets one property, honouring when it may be set; a realized object hears about it. */
  set(path: string, name: string, value: unknown, ctx: KernelContext): void {
    const node = this.node(path);
    const prop = this.prop(node.type, name);
    const when = prop.settable ?? 'unrealized';
    if (when === 'never' || when === 'create')
      throw new QmpError('GenericError', `Property '${node.type}.${name}' can't be set${when === 'create' ? ' after creation' : ''}`);
    if (when === 'unrealized' && node.realized)
      throw new QmpError('GenericError', `Attempt to set property '${name}' on device '${node.name}' (type '${node.type}') after it was realized`);
    const checked = this.checkValue(prop, value);
    const had = node.props.has(name);
    const old = node.props.get(name);
    const notify = node.realized ? this.types.hook(node.type, 'propertyChanged') : undefined;
    node.props.set(name, checked);
    // Journaled before hashing, so a value the hash cannot serialize is still undone.
    this.journal?.push(() => {
      if (had) node.props.set(name, old);
      else node.props.delete(name);
      this.rehash(node);
      notify?.(node, name, old, ctx);
    });
    this.rehash(node);
    notify?.(node, name, checked, ctx);
  }

  /** Sets a property the type itself maintains (`settable: never`), journaled and hashed like any other. */
  setInternal(path: string, name: string, value: unknown): void {
    const node = this.node(path);
    const had = node.props.has(name);
    const old = node.props.get(name);
    node.props.set(name, value);
    this.journal?.push(() => {
      if (had) node.props.set(name, old);
      else node.props.delete(name);
      this.rehash(node);
    });
    this.rehash(node);
  }

  /**
   * Records where the machine put a realized device (undefined: nowhere),
   * journaled and hashed like a property: a board calls it as it attaches
   * and detaches devices, so the state hash covers what the guest sees.
   */
  setPlacement(path: string, placement: Readonly<Record<string, unknown>> | undefined): void {
    const node = this.node(path);
    const old = node.placement;
    node.placement = placement;
    this.journal?.push(() => {
      node.placement = old;
      this.rehash(node);
    });
    this.rehash(node);
  }

  /** Resolves a link value (an id or an absolute path) among objects of `type`. */
  resolveLink(value: string, type: string): QObject | undefined {
    const candidates = value.startsWith('/') ? [value] : [`/objects/${value}`, `/machine/peripheral/${value}`, `/chardevs/${value}`, `/blockdevs/${value}`];
    for (const path of candidates) {
      const node = this.byPath.get(path);
      if (node && this.types.isA(node.type, type)) return node;
    }
    return undefined;
  }

  private prop(type: string, name: string): ResolvedProp {
    const prop = this.types.props(type).get(name);
    if (!prop) throw new QmpError('GenericError', `Property '${type}.${name}' not found`);
    return prop;
  }

  private checkValue(prop: ResolvedProp, value: unknown): unknown {
    const checked = validate(prop.type, value, prop.name);
    if (prop.link && !this.resolveLink(String(checked), prop.link))
      throw new QmpError('DeviceNotFound', `Property '${prop.name}': no ${prop.link} named '${String(checked)}'`);
    return checked;
  }

  private node(path: string): Node {
    const node = this.byPath.get(path);
    if (!node) throw new QmpError('DeviceNotFound', `Device '${path}' not found`);
    return node;
  }

  private insert(path: string, type: string, values: Map<string, unknown>): Node {
    const parent = this.node(parentPath(path));
    const node = new Node(path, path.slice(path.lastIndexOf('/') + 1), type, values, parent);
    this.journal?.push(() => this.detach(node));
    this.reattach(node);
    return node;
  }

  private reattach(node: Node): void {
    node.parent!.children.set(node.name, node);
    for (const n of [node, ...this.descendants(node)]) {
      this.byPath.set(n.path, n);
      this.rehash(n);
    }
  }

  private detach(node: Node): void {
    node.parent?.children.delete(node.name);
    for (const n of [node, ...this.descendants(node)]) {
      this.byPath.delete(n.path);
      this.stateHash.delete(n.path);
    }
  }

  private descendants(node: Node): Node[] {
    return [...node.children.values()].flatMap((c) => [c, ...this.descendants(c)]);
  }

  private setRealized(node: Node, realized: boolean, ctx: KernelContext): void {
    node.realized = realized;
    this.rehash(node);
    this.journal?.push(async () => {
      const hook = this.types.hook(node.type, realized ? 'unrealize' : 'realize');
      await hook?.(node, ctx);
      node.realized = !realized;
      this.rehash(node);
    });
  }

  private rehash(node: Node): void {
    // A container only groups; since format 2 it is not configuration (an empty `/objects` left by object-del is not).
    if (this.format >= 2 && node.type === 'container') return;
    const own = `${node.type}\0${node.realized ? 1 : 0}\0${canonicalMapText(node.props)}`;
    // Format 1 did not hash placement; an object nothing placed hashes alike in both.
    const placed = this.format >= 2 && node.placement !== undefined;
    this.stateHash.set(node.path, placed ? `${own}\0${canonicalJson(node.placement)}` : own);
  }
}

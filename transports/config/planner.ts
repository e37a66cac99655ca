/**
 * The descriptive form: say what the VM has, in any order, and let the
 * planner work out the order to create it in.
 *
 * ```yaml
 * devices:
 *   disk0: { driver: virtio-blk-device, drive: root }
 * blockdevs:
 *   root: { driver: file, filename: disk.img }
 * machine: { type: virt, memory: 256M }
 * ```
 *
 * Every resource is a node; a reference (a property the registry declares
 * as a link, a conventional reference key such as `drive` or `chardev`, or
 * an explicit `after:` list) is an edge; devices also depend on the
 * machine. A cycle reads in dependency order (`a -> b`: a needs b).
 * The plan is a topological order that keeps, among the ready
 * nodes, backends before the machine before devices, then file order; a
 * cycle is an error that spells the cycle out.
 */
import type { TypeRegistry } from '../../kernel/objects/type-registry.js';
import { chardevDrafts } from '../feed/chardev-spec.js';
import { TransportError, type Draft } from '../feed/step.js';

/** The sections of a descriptive config, in the order their kinds are preferred. */
const SECTIONS = ['monitors', 'chardevs', 'blockdevs', 'objects', 'machine', 'devices', 'settings'] as const;
type Section = (typeof SECTIONS)[number];

/** Property names that conventionally name another resource (QEMU's habits), beyond declared links. */
export const REFERENCE_KEYS: ReadonlySet<string> = new Set(['drive', 'chardev', 'memdev', 'rng', 'netdev', 'bus', 'node', 'file', 'iothread', 'backend']);

/** True when a parsed config is in the descriptive form rather than a list of commands. */
export function isDescriptive(doc: unknown): boolean {
  return !!doc && typeof doc === 'object' && !Array.isArray(doc) && SECTIONS.some((s) => s in (doc as object)) && !('commands' in (doc as object));
}

/** One resource to create. */
interface PlanNode {
  readonly key: string;
  readonly section: Section;
  readonly id: string;
  readonly body: Record<string, unknown>;
  readonly order: number;
  readonly deps: Set<string>;
}

/** What planning may use: the registry (for declared links) and a name for errors. */
export interface PlanOptions {
  readonly types?: TypeRegistry;
  /** Names the config in errors (`vm.yaml`). */
  readonly name?: string;
  /** False when the plan is part of a larger feed (a command line) that decides about `cont` itself. */
  readonly start?: boolean;
}

const label = (n: { section: Section; id: string }): string => (n.section === 'machine' ? 'the machine' : `${n.section.replace(/s$/, '')} '${n.id}'`);

/** The commands that create one resource. */
function draftsFor(n: PlanNode): Draft[] {
  const { after: _after, ...body } = n.body;
  switch (n.section) {
    case 'machine':
      return [{ execute: 'machine-set', arguments: body }];
    case 'devices':
      return [{ execute: 'device_add', arguments: { id: n.id, ...body } }];
    case 'objects':
      return [{ execute: 'object-add', arguments: { id: n.id, ...body } }];
    case 'blockdevs':
      return [{ execute: 'blockdev-add', arguments: { 'node-name': n.id, ...body } }];
    case 'chardevs': {
      const { backend, ...opts } = body;
      return chardevDrafts(String(backend), n.id, Object.fromEntries(Object.entries(opts).map(([k, v]) => [k, typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v)])));
    }
    case 'monitors':
      return [{ execute: 'monitor-add', arguments: { id: n.id, ...body } }];
    case 'settings':
      return Object.entries(body).map(([execute, args]) => ({ execute, arguments: (args ?? {}) as Record<string, unknown> }));
  }
}

/** The type a resource's properties belong to, for declared links. */
function typeOf(n: PlanNode): string | undefined {
  const t = n.section === 'devices' ? n.body['driver'] : n.section === 'objects' ? n.body['qom-type'] : n.section === 'machine' ? n.body['type'] : undefined;
  return typeof t === 'string' ? t : undefined;
}

/** Collects the nodes of every section. */
function collect(doc: Record<string, unknown>, where: string): PlanNode[] {
  const nodes: PlanNode[] = [];
  for (const key of Object.keys(doc)) {
    if (key === 'start') continue;
    if (!(SECTIONS as readonly string[]).includes(key)) throw new TransportError(where, `unknown section '${key}' (known: ${SECTIONS.join(', ')}, start)`);
    const section = key as Section;
    const value = doc[key];
    if (section === 'machine' || section === 'settings') {
      if (!value || typeof value !== 'object') throw new TransportError(where, `'${section}' must be a mapping`);
      nodes.push({ key: section, section, id: section, body: value as Record<string, unknown>, order: nodes.length, deps: new Set() });
      continue;
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new TransportError(where, `'${section}' must map ids to properties`);
    for (const [id, body] of Object.entries(value as Record<string, unknown>)) {
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw new TransportError(where, `${section}.${id} must be a mapping of properties`);
      nodes.push({ key: `${section}:${id}`, section, id, body: body as Record<string, unknown>, order: nodes.length, deps: new Set() });
    }
  }
  return nodes;
}

/** Adds an edge for every reference a node makes to another declared node. */
function link(nodes: PlanNode[], types: TypeRegistry | undefined, where: string): void {
  const byId = new Map<string, PlanNode>();
  for (const n of nodes) if (n.section !== 'machine' && n.section !== 'settings') byId.set(n.id, n);
  const machine = nodes.find((n) => n.section === 'machine');
  for (const n of nodes) {
    const type = typeOf(n);
    const props = type && types?.has(type) ? types.props(type) : undefined;
    for (const [k, v] of Object.entries(n.body)) {
      if (k === 'after') {
        for (const dep of Array.isArray(v) ? v : [v]) {
          const target = byId.get(String(dep));
          if (!target) throw new TransportError(where, `${label(n)} is to come after '${String(dep)}', which is not declared`);
          n.deps.add(target.key);
        }
        continue;
      }
      if (typeof v !== 'string' || !(REFERENCE_KEYS.has(k) || props?.get(k)?.link)) continue;
      const target = byId.get(v) ?? byId.get(v.replace(/\.[0-9]+$/, ''));
      if (target && target !== n) n.deps.add(target.key);
    }
    if (n.section === 'devices' && machine) n.deps.add(machine.key);
  }
}

/** A cycle among the nodes Kahn's algorithm could not place, spelled out. */
function findCycle(left: PlanNode[], byKey: Map<string, PlanNode>): string {
  const state = new Map<string, 'open' | 'done'>();
  const stack: PlanNode[] = [];
  const visit = (n: PlanNode): PlanNode[] | undefined => {
    state.set(n.key, 'open');
    stack.push(n);
    for (const d of n.deps) {
      const m = byKey.get(d)!;
      if (state.get(m.key) === 'open') return [...stack.slice(stack.indexOf(m)), m];
      if (!state.has(m.key)) {
        const c = visit(m);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(n.key, 'done');
    return undefined;
  };
  for (const n of left) {
    if (state.has(n.key)) continue;
    const c = visit(n);
    if (c) return c.map(label).join(' -> ');
  }
  return left.map(label).join(', ');
}

/** A binary min-heap of ready nodes keyed by (section rank, file order). */
class ReadyQueue {
  private readonly heap: PlanNode[] = [];
  private static rank(n: PlanNode): number {
    return SECTIONS.indexOf(n.section) * 1e9 + n.order;
  }
  get size(): number {
    return this.heap.length;
  }
  push(n: PlanNode): void {
    const h = this.heap;
    h.push(n);
    for (let i = h.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (ReadyQueue.rank(h[p]!) <= ReadyQueue.rank(h[i]!)) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }
  pop(): PlanNode {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && ReadyQueue.rank(h[l]!) < ReadyQueue.rank(h[m]!)) m = l;
        if (r < h.length && ReadyQueue.rank(h[r]!) < ReadyQueue.rank(h[m]!)) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }
}

/**
 * Compiles a descriptive config into the ordered commands that build it.
 * Ends with `cont` unless `start: false`. Throws TransportError naming a
 * dependency cycle (`device 'a' -> device 'b' -> device 'a'`).
 */
export function planDescriptive(doc: Record<string, unknown>, opts: PlanOptions = {}): Draft[] {
  const where = opts.name ?? 'config';
  const nodes = collect(doc, where);
  link(nodes, opts.types, where);
  const byKey = new Map(nodes.map((n) => [n.key, n]));
  const dependents = new Map<string, PlanNode[]>();
  const waiting = new Map<string, number>();
  for (const n of nodes) {
    waiting.set(n.key, n.deps.size);
    for (const d of n.deps) {
      const list = dependents.get(d);
      if (list) list.push(n);
      else dependents.set(d, [n]);
    }
  }
  const ready = new ReadyQueue();
  for (const n of nodes) if (n.deps.size === 0) ready.push(n);
  const drafts: Draft[] = [];
  let placed = 0;
  while (ready.size) {
    const n = ready.pop();
    placed++;
    const origin = { transport: 'config', position: `${where}: ${label(n)}` };
    for (const d of draftsFor(n)) drafts.push({ ...d, origin });
    for (const m of dependents.get(n.key) ?? []) {
      const left = waiting.get(m.key)! - 1;
      waiting.set(m.key, left);
      if (left === 0) ready.push(m);
    }
  }
  if (placed < nodes.length) {
    const left = nodes.filter((n) => waiting.get(n.key)! > 0);
    throw new TransportError(where, `dependency cycle: ${findCycle(left, byKey)}`);
  }
  if (opts.start !== false && doc['start'] !== false && nodes.some((n) => n.section === 'machine')) drafts.push({ execute: 'cont', arguments: {}, origin: { transport: 'config', position: `${where}: start` } });
  return drafts;
}

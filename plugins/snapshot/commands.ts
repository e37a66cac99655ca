/**
 * The snapshot and migration commands, QEMU-compatible where QEMU has
 * them: `snapshot-save`, `snapshot-load`, `snapshot-delete` (jobs, as in
 * QEMU 7.2), `migrate` and `migrate-incoming` with a `file:` URI, and
 * `query-migrate`. Snapshots by name live as files in the machine's
 * `snapshot-dir` (QEMU keeps them inside qcow2 disk images, which vmledger
 * does not have). Every one of them is logged like any change; replaying a
 * log rebuilds configuration only, so replay runs the jobs without saving
 * or loading anything.
 */
import { open, readdir, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { defineCommand, describeIoError, fail, type KernelContext, MACHINE_PATH, t } from '../../kernel/index.js';
import type { Jobs } from './jobs.js';
import { restoreSnapshot, takeSnapshot } from './machine-snapshot.js';
import { readSnapshotMeta } from './snapshot-file.js';

/** Snapshot files in a snapshot directory end so. */
export const SNAPSHOT_SUFFIX = '.vmsnap';

/** A tag names a file: letters, digits, '.', '_' and '-', not starting with '.'. */
const TAG = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$/;

/** The machine's snapshot directory, or a one-line error saying how to set one. */
function snapshotDir(ctx: KernelContext): string {
  const dir = ctx.objects.find(MACHINE_PATH)?.get('snapshot-dir') as string | undefined;
  if (!dir) fail("No snapshot directory: set the machine's snapshot-dir property (-machine snapshot-dir=DIR)");
  return resolve(dir);
}

function snapshotPath(ctx: KernelContext, tag: string): string {
  if (!TAG.test(tag)) fail(`Invalid snapshot name '${tag}': use up to 64 letters, digits, '.', '_' and '-', not starting with '.'`);
  return join(snapshotDir(ctx), `${tag}${SNAPSHOT_SUFFIX}`);
}

/** The path of a `file:` migration URI; other schemes are refused by name. */
function fileUri(uri: string): string {
  const m = /^([a-z+-]+):(.*)$/.exec(uri);
  if (!m) fail(`Invalid migration URI '${uri}': expected file:PATH`);
  if (m[1] !== 'file') fail(`Migration URI scheme '${m[1]}' is not supported here: use file:PATH`);
  if (!m[2]) fail(`Migration URI '${uri}' names no file`);
  return m[2];
}

const SnapshotInfo = t.object(
  {
    name: t.str(),
    'date-sec': t.int('When it was taken, seconds since the epoch'),
    'vm-clock-ns': t.int('Guest time when it was taken'),
    'vm-state-size': t.int('File size in bytes'),
    'config-seq': t.int('The last log entry before it'),
    'config-state-hash': t.str('The configuration it belongs to'),
  },
  { name: 'SnapshotInfo' },
);

const MigrationInfo = t.object(
  {
    status: t.optional(t.str(), 'completed or failed; absent before any migration'),
    'total-time': t.optional(t.int(), 'Milliseconds the migration took'),
    ram: t.optional(t.object({ total: t.int(), transferred: t.int() }, { name: 'MigrationStats' }), 'Guest RAM, and the bytes written'),
    'error-desc': t.optional(t.str()),
  },
  { name: 'MigrationInfo' },
);

/** Optional QEMU arguments naming block nodes: vmledger has no internal disk snapshots, so only their absence is accepted. */
function noBlockNodes(vmstate: string | undefined, devices: string[] | undefined): void {
  if (vmstate !== undefined || (devices !== undefined && devices.length > 0))
    fail("vmstate and devices name block nodes for QEMU's internal disk snapshots; vmledger keeps snapshots in the machine's snapshot-dir: leave them out");
}

const jobArgs = {
  'job-id': t.str('Identifier of the job (query-jobs, job-dismiss)'),
  tag: t.str('Name of the snapshot'),
  vmstate: t.optional(t.str(), 'QEMU: the block node for the VM state; must be absent here'),
  devices: t.optional(t.array(t.str()), 'QEMU: the block nodes to snapshot; must be absent or empty here'),
};

/** Saves snapshot `tag` into the snapshot directory (nothing in replay, which rebuilds configuration only). */
async function save(ctx: KernelContext, tag: string): Promise<void> {
  const path = snapshotPath(ctx, tag);
  if (ctx.mode !== 'live') return;
  await ctx.broker.writeFile(path, await takeSnapshot(ctx, tag));
}

/** Loads snapshot `tag` from the snapshot directory. */
async function load(ctx: KernelContext, tag: string): Promise<void> {
  const path = snapshotPath(ctx, tag);
  if (ctx.mode !== 'live') return;
  await restoreSnapshot(ctx, await ctx.broker.readFile(path), `Snapshot '${tag}'`);
}

/** Deletes snapshot `tag` from the snapshot directory. */
async function remove(ctx: KernelContext, tag: string): Promise<void> {
  const path = snapshotPath(ctx, tag);
  if (ctx.mode !== 'live') return;
  ctx.broker.authorize({ kind: 'file', target: path, access: 'rw' });
  try {
    await unlink(path);
  } catch (e) {
    fail((e as NodeJS.ErrnoException).code === 'ENOENT' ? `Snapshot '${tag}' not found` : `Could not delete '${path}': ${describeIoError(e)}`);
  }
}

const TagArgs = t.object({ tag: jobArgs.tag });

/** The commands, over the plugin's jobs. */
export function snapshotCommands(jobs: Jobs) {
  let lastMigration: { status: string; 'total-time': number; ram?: { total: number; transferred: number }; 'error-desc'?: string } | undefined;
  return [
    defineCommand({
      name: 'snapshot-save',
      args: t.object(jobArgs),
      returns: t.empty(),
      phases: ['machine-ready'],
      kind: 'change',
      effects: ['host-files'],
      doc: "Saves the machine (RAM, harts, devices, and the configuration's position in the log) as snapshot 'tag' in the machine's snapshot-dir, as a job: the guest pauses while it is taken",
      example:
        '-> { "execute": "snapshot-save", "arguments": { "job-id": "save0", "tag": "boot" } }\n<- { "return": {} }\n' +
        '<- { "event": "JOB_STATUS_CHANGE", "data": { "id": "save0", "status": "concluded" } }',
      async handler(args, ctx) {
        noBlockNodes(args.vmstate, args.devices);
        snapshotPath(ctx, args.tag);
        await jobs.run(ctx, args['job-id'], 'snapshot-save', () => save(ctx, args.tag));
        return {};
      },
    }),
    defineCommand({
      name: 'snapshot-load',
      args: t.object(jobArgs),
      returns: t.empty(),
      phases: ['machine-ready'],
      kind: 'change',
      effects: ['run-control', 'host-files'],
      doc: "Loads snapshot 'tag' from the machine's snapshot-dir, as a job; a snapshot of another configuration, state version or a damaged one is refused (the job's error says why) and the machine is left as it was",
      example: '-> { "execute": "snapshot-load", "arguments": { "job-id": "load0", "tag": "boot" } }\n<- { "return": {} }',
      async handler(args, ctx) {
        noBlockNodes(args.vmstate, args.devices);
        snapshotPath(ctx, args.tag);
        await jobs.run(ctx, args['job-id'], 'snapshot-load', () => load(ctx, args.tag));
        return {};
      },
    }),
    defineCommand({
      name: 'snapshot-delete',
      args: t.object({ 'job-id': jobArgs['job-id'], tag: jobArgs.tag, devices: jobArgs.devices }),
      returns: t.empty(),
      phases: 'any',
      kind: 'change',
      effects: ['host-files'],
      doc: "Deletes snapshot 'tag' from the machine's snapshot-dir, as a job",
      example: '-> { "execute": "snapshot-delete", "arguments": { "job-id": "del0", "tag": "boot" } }\n<- { "return": {} }',
      async handler(args, ctx) {
        noBlockNodes(undefined, args.devices);
        snapshotPath(ctx, args.tag);
        await jobs.run(ctx, args['job-id'], 'snapshot-delete', () => remove(ctx, args.tag));
        return {};
      },
    }),
    defineCommand({
      name: 'savevm',
      args: TagArgs,
      returns: t.empty(),
      phases: ['machine-ready'],
      kind: 'change',
      effects: ['host-files'],
      doc: "Saves snapshot 'tag' at once and fails with the reason if it cannot (HMP savevm; snapshot-save is the same as a job)",
      example: '-> { "execute": "savevm", "arguments": { "tag": "boot" } }\n<- { "return": {} }',
      handler: async ({ tag }, ctx) => (await save(ctx, tag), {}),
    }),
    defineCommand({
      name: 'loadvm',
      args: TagArgs,
      returns: t.empty(),
      phases: ['machine-ready'],
      kind: 'change',
      effects: ['run-control', 'host-files'],
      doc: "Loads snapshot 'tag' at once and fails with the reason if it cannot, leaving the machine as it was (HMP loadvm, -loadvm; snapshot-load is the same as a job)",
      example: '-> { "execute": "loadvm", "arguments": { "tag": "boot" } }\n<- { "return": {} }',
      handler: async ({ tag }, ctx) => (await load(ctx, tag), {}),
    }),
    defineCommand({
      name: 'delvm',
      args: TagArgs,
      returns: t.empty(),
      phases: 'any',
      kind: 'change',
      effects: ['host-files'],
      doc: "Deletes snapshot 'tag' (HMP delvm; snapshot-delete is the same as a job)",
      example: '-> { "execute": "delvm", "arguments": { "tag": "boot" } }\n<- { "return": {} }',
      handler: async ({ tag }, ctx) => (await remove(ctx, tag), {}),
    }),
    defineCommand({
      name: 'x-query-snapshots',
      args: t.empty(),
      returns: t.array(SnapshotInfo),
      phases: 'any',
      kind: 'query',
      doc: "The snapshots in the machine's snapshot-dir, by name (HMP info snapshots)",
      example: '-> { "execute": "x-query-snapshots" }\n<- { "return": [ { "name": "boot", "date-sec": 1700000000, "vm-clock-ns": 1500000000, "vm-state-size": 2101234, "config-seq": 12, "config-state-hash": "..." } ] }',
      async handler(_args, ctx) {
        const dir = snapshotDir(ctx);
        ctx.broker.authorize({ kind: 'file', target: dir, access: 'r' });
        let names: string[];
        try {
          names = (await readdir(dir)).filter((n) => n.endsWith(SNAPSHOT_SUFFIX)).sort();
        } catch (e) {
          fail(`Could not list '${dir}': ${describeIoError(e)}`);
        }
        const out = [];
        for (const n of names) {
          const info = await headerOf(join(dir, n));
          if (info) out.push(info);
        }
        return out;
      },
    }),
    defineCommand({
      name: 'migrate',
      args: t.object({ uri: t.str('Where to: file:PATH') }),
      returns: t.empty(),
      phases: ['machine-ready'],
      kind: 'change',
      effects: ['run-control', 'host-files'],
      doc: 'Migrates the machine to a file (file:PATH), which migrate-incoming or -incoming loads in another process with the same configuration; the guest is left paused, as QEMU leaves a migrated source',
      example: '-> { "execute": "migrate", "arguments": { "uri": "file:/tmp/vm.mig" } }\n<- { "return": {} }',
      async handler({ uri }, ctx) {
        const path = fileUri(uri);
        if (ctx.mode !== 'live') return {};
        const start = Date.now();
        try {
          const file = await takeSnapshot(ctx, 'migration');
          await ctx.broker.writeFile(path, file);
          lastMigration = { status: 'completed', 'total-time': Date.now() - start, ram: { total: ramSize(ctx), transferred: file.length } };
        } catch (e) {
          lastMigration = { status: 'failed', 'total-time': Date.now() - start, 'error-desc': e instanceof Error ? e.message : String(e) };
          throw e;
        }
        if (ctx.runState === 'running') await ctx.call('stop');
        return {};
      },
    }),
    defineCommand({
      name: 'query-migrate',
      args: t.empty(),
      returns: MigrationInfo,
      phases: 'any',
      kind: 'query',
      doc: 'How the last migration went ({} before any)',
      example: '-> { "execute": "query-migrate" }\n<- { "return": { "status": "completed", "total-time": 412, "ram": { "total": 134217728, "transferred": 2101234 } } }',
      handler: () => lastMigration ?? {},
    }),
    defineCommand({
      name: 'migrate-incoming',
      args: t.object({ uri: t.str('Where from: file:PATH') }),
      returns: t.empty(),
      phases: ['machine-ready'],
      kind: 'change',
      effects: ['run-control', 'host-files'],
      doc: 'Loads a migration file (file:PATH) written by migrate in a process with the same configuration; the guest must not be running (start with -S, or use -incoming)',
      example: '-> { "execute": "migrate-incoming", "arguments": { "uri": "file:/tmp/vm.mig" } }\n<- { "return": {} }',
      async handler({ uri }, ctx) {
        const path = fileUri(uri);
        if (ctx.runState === 'running') fail('migrate-incoming needs a guest that is not running (start with -S, or stop it first)');
        if (ctx.mode !== 'live') return {};
        await restoreSnapshot(ctx, await ctx.broker.readFile(path), `Migration file '${path}'`);
        return {};
      },
    }),
  ];
}

function ramSize(ctx: KernelContext): number {
  return (ctx.objects.find(MACHINE_PATH)?.get('memory') as number | undefined) ?? 0;
}

/** What one snapshot file says about itself, read from its header alone; undefined for a file that is not one. */
async function headerOf(path: string) {
  let fh;
  try {
    fh = await open(path, 'r');
    const { size } = await fh.stat();
    const lead = Buffer.alloc(12);
    await fh.read(lead, 0, 12, 0);
    const len = lead.readUInt32LE(8);
    if (len > size) return undefined;
    const head = Buffer.alloc(12 + len);
    await fh.read(head, 0, head.length, 0);
    const meta = readSnapshotMeta(head, { headerOnly: true });
    return {
      name: meta.name,
      'date-sec': Math.floor(meta.date / 1000),
      'vm-clock-ns': Math.round(meta['vm-clock-ns']),
      'vm-state-size': size,
      'config-seq': meta.config.seq,
      'config-state-hash': meta.config['state-hash'],
    };
  } catch {
    return undefined;
  } finally {
    await fh?.close();
  }
}

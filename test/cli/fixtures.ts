import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKernel, defineCommand, definePlugin, fail, t, type Kernel, type TransportHost } from '../../kernel/index.js';
import { SqliteLogStore } from '../../kernel/log/sqlite-log-store.js';
import type { CliIo } from '../../transports/cli/index.js';

/** Monitors the fixture transports opened, and whether each had been resumed when a later command looked. */
export const monitors: Array<{ protocol: string; endpoint: string; options: Record<string, unknown>; resumed: boolean; earlierResumed: boolean[] }> = [];

/**
 * A board, devices, objects and backends for CLI and config tests: the
 * transports must work with whatever the registry holds, so the tests
 * bring their own types exactly as a plugin would.
 */
export const cliFixturePlugin = definePlugin({
  name: 'cli-fixture',
  version: '1.0.0',
  setup(host) {
    host.type({
      name: 'tvirt',
      parent: 'machine',
      doc: 'A test board',
      props: {
        memory: { type: t.size(), default: 134217728, doc: 'RAM bytes' },
        cpus: { type: t.int(), default: 1 },
        'cpu-type': { type: t.str(), default: 'rv64' },
        firmware: { type: t.str() },
        kernel: { type: t.str() },
        initrd: { type: t.str() },
        append: { type: t.str() },
        dumpdtb: { type: t.str() },
      },
    });
    host.type({
      name: 'tdev',
      parent: 'device',
      hotpluggable: true,
      doc: 'A device with one property of every kind',
      props: {
        size: { type: t.size(), default: 0, doc: 'A size' },
        count: { type: t.int(), default: 1 },
        on: { type: t.bool(), default: false },
        mode: { type: t.enum('TMode', ['fast', 'slow']), default: 'fast' },
        label: { type: t.str(), settable: 'always' },
        needs: { type: t.str(), doc: 'An object id that must exist when the device is created' },
      },
      create(obj, ctx) {
        const needs = obj.get('needs');
        if (needs !== undefined && !ctx.objects.has(`/objects/${String(needs)}`)) fail(`object '${String(needs)}' does not exist`);
      },
    });
    host.type({ name: 'virtio-blk-device', parent: 'device', hotpluggable: true, doc: 'Test stand-in for virtio-blk', props: { drive: { type: t.str() }, serial: { type: t.str() } } });
    host.type({ name: 'tuart', parent: 'device', doc: 'A UART', props: { chardev: { type: t.str() } } });
    host.type({ name: 'tobj', parent: 'object', interfaces: ['user-creatable'], doc: 'A backend object', props: { size: { type: t.size(), default: 0 }, value: { type: t.int(), default: 0, settable: 'always' } } });
    host.type({ name: 'tchardev', parent: 'object', props: { backend: { type: t.any() } } });
    host.type({ name: 'tblockdev', parent: 'object', props: { driver: { type: t.str() }, filename: { type: t.str() }, 'read-only': { type: t.bool(), default: false }, snapshot: { type: t.bool(), default: false } } });
    host.command(
      defineCommand({
        name: 'chardev-add',
        args: t.object({ id: t.str(), backend: t.object({ type: t.str(), data: t.optional(t.any()) }) }),
        returns: t.empty(),
        phases: 'any',
        kind: 'change',
        effects: ['configuration'],
        doc: 'Test chardev-add (QEMU shape)',
        async handler({ id, backend }, ctx) {
          if (ctx.objects.has(`/chardevs/${id}`)) fail(`attempt to add duplicate chardev '${id}'`);
          await ctx.objects.add(`/chardevs/${id}`, 'tchardev', { backend }, ctx);
          return {};
        },
      }),
    );
    host.command(
      defineCommand({
        name: 'blockdev-add',
        args: t.object({ driver: t.str(), 'node-name': t.str(), filename: t.str(), 'read-only': t.optional(t.bool()), snapshot: t.optional(t.bool()) }),
        returns: t.empty(),
        phases: 'any',
        kind: 'change',
        effects: ['configuration'],
        doc: 'Test blockdev-add',
        async handler({ 'node-name': node, ...props }, ctx) {
          await ctx.objects.add(`/blockdevs/${node}`, 'tblockdev', props, ctx);
          return {};
        },
      }),
    );
    host.command(
      defineCommand({
        name: 'sandbox-set',
        args: t.object({ enable: t.bool(), spawn: t.optional(t.enum('SandboxAction', ['allow', 'deny'])) }),
        returns: t.empty(),
        phases: 'any',
        kind: 'change',
        effects: ['configuration'],
        doc: 'Test sandbox',
        handler: () => ({}),
      }),
    );
    for (const protocol of ['qmp', 'hmp'])
      host.transport({
        name: protocol,
        doc: `test ${protocol}`,
        async open(endpoint: string, th: TransportHost, options: Record<string, unknown>) {
          const { monitorId: _id, ...rest } = options;
          const m = { protocol, endpoint, options: rest, resumed: false, earlierResumed: monitors.map((x) => x.resumed) };
          monitors.push(m);
          void th.configured.then(() => (m.resumed = true));
          return { description: `${protocol} ${endpoint}`, close: async () => {} };
        },
      });
  },
});

/** A kernel with the fixture plugin and, when asked, a log in a temporary directory. */
export async function newKernel(opts: { log?: boolean } = {}): Promise<Kernel & { logPath?: string }> {
  const logPath = opts.log ? join(mkdtempSync(join(tmpdir(), 'vmledger-cli-')), 'log.db') : undefined;
  const kernel = await createKernel({ plugins: [cliFixturePlugin], log: logPath ? SqliteLogStore.open(logPath) : undefined });
  return Object.assign(kernel, { logPath });
}

/** Captures what the command line prints. */
export function captureIo(cwd?: string): CliIo & { out: string; err: string } {
  const io = { out: '', err: '', cwd, stdout: (s: string) => void (io.out += s), stderr: (s: string) => void (io.err += s) };
  return io;
}

/** A fresh temporary directory. */
export function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'vmledger-cfg-'));
}

/** The message `f` throws, or 'no error' (so a test can compare messages). */
export function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
}

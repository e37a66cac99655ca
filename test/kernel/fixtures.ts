import { createKernel, defineCommand, definePlugin, t, type Kernel, type KernelOptions, type Origin } from '../../kernel/index.js';

/** The origin tests use for commands they send. */
export const API: Origin = { transport: 'api', client: 'test' };

/**
 * A tiny machine and devices for kernel tests: the kernel knows no real
 * device, so tests bring their own, exactly as a plugin would.
 */
export const fixturePlugin = definePlugin({
  name: 'fixture',
  version: '1.0.0',
  setup(host) {
    host.type({
      name: 'toy-machine',
      parent: 'machine',
      doc: 'A board with one built-in device',
      props: { memory: { type: t.size(), default: 1024, doc: 'RAM bytes' }, cpus: { type: t.int(), default: 1 } },
      machine: {
        async initialize(machine, ctx) {
          await ctx.objects.add(`${machine.path}/builtin`, 'toy-dev', {}, ctx);
        },
      },
    });
    host.type({
      name: 'toy-dev',
      parent: 'device',
      hotpluggable: true,
      doc: 'A device with a size',
      props: {
        size: { type: t.int(), default: 1, doc: 'Size in units' },
        label: { type: t.str(), settable: 'always' },
      },
    });
    host.type({
      name: 'dump-and-quit-machine',
      parent: 'machine',
      doc: 'A board that, like dumpdtb, ends itself while becoming ready',
      machine: {
        async ready(_machine, ctx) {
          await ctx.call('quit');
        },
      },
    });
    host.type({ name: 'fixed-dev', parent: 'device', doc: 'A device that cannot be hot-plugged', props: {} });
    host.type({
      name: 'fragile-dev',
      parent: 'device',
      hotpluggable: true,
      props: { fail: { type: t.bool(), default: true } },
      realize(obj) {
        if (obj.get('fail')) throw new Error('fragile-dev refuses to realize');
      },
    });
    host.type({ name: 'toy-object', parent: 'object', interfaces: ['user-creatable'], props: { value: { type: t.int(), default: 0, settable: 'always' } } });
    host.command(
      defineCommand({
        name: 'x-slow-set',
        args: t.object({ path: t.str(), label: t.str(), delay: t.int() }),
        returns: t.object({ order: t.int() }),
        phases: 'any',
        kind: 'change',
        effects: ['configuration'],
        doc: 'Sets a label after an async delay (tests ordering)',
        async handler({ path, label, delay }, ctx) {
          await new Promise((r) => setTimeout(r, delay));
          ctx.objects.set(path, 'label', label, ctx);
          return { order: ++counter.value };
        },
      }),
    );
    host.command(
      defineCommand({
        name: 'x-half-apply',
        args: t.object({ path: t.str() }),
        returns: t.empty(),
        phases: 'any',
        kind: 'change',
        effects: ['configuration'],
        doc: 'Changes two things, then fails (tests rollback)',
        async handler({ path }, ctx) {
          ctx.objects.set(path, 'label', 'changed', ctx);
          await ctx.objects.add('/objects/leftover', 'toy-object', {}, ctx);
          ctx.setRunState('paused');
          throw new Error('failed halfway');
        },
      }),
    );
  },
});

const counter = { value: 0 };

/** A kernel with the fixture plugin and whatever else a test passes. */
export function fixtureKernel(options: Partial<KernelOptions> = {}): Promise<Kernel> {
  return createKernel({ ...options, plugins: [fixturePlugin, ...(options.plugins ?? [])] });
}

/** Runs a command and returns its error as `{class, desc}`, failing the test if it succeeded. */
export async function errorOf(kernel: Kernel, command: string, args?: Record<string, unknown>): Promise<{ class: string; desc: string }> {
  try {
    await kernel.execute(command, args, API);
  } catch (e) {
    const err = e as { errorClass: string; desc: string };
    return { class: err.errorClass, desc: err.desc };
  }
  throw new Error(`${command} unexpectedly succeeded`);
}

/** A plugin for tests: commands that emit events, record their order, and block until released. */
import { defineCommand, defineEvent, definePlugin, t } from '../../kernel/index.js';

/** State the test plugin's commands share with the test. */
export interface TestProbe {
  /** Clients, in the order their `test-tick` ran. */
  readonly ticks: string[];
  /** Resolves when `test-gate` has started; the command finishes when `release` is called. */
  gateEntered: Promise<void>;
  release(): void;
}

/** Builds the plugin and the probe it reports to. */
export function testPlugin(): { plugin: ReturnType<typeof definePlugin>; probe: TestProbe } {
  let entered!: () => void;
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const probe: TestProbe = {
    ticks: [],
    gateEntered: new Promise<void>((r) => (entered = r)),
    release: () => release(),
  };
  const plugin = definePlugin({
    name: 'qmp-test',
    version: '0.0.1',
    setup(host) {
      host.event(defineEvent({ name: 'TEST_EVENT', data: t.object({ n: t.int(), pad: t.optional(t.str()) }), doc: 'Emitted by test-emit' }));
      host.command(
        defineCommand({
          name: 'test-emit',
          args: t.object({ n: t.int(), pad: t.optional(t.int()) }),
          returns: t.object({ n: t.int() }),
          phases: 'any',
          kind: 'query',
          doc: 'Emits TEST_EVENT {n}',
          handler: ({ n, pad }, ctx) => {
            ctx.emit('TEST_EVENT', pad ? { n, pad: 'x'.repeat(pad) } : { n });
            return { n };
          },
        }),
      );
      host.command(
        defineCommand({
          name: 'test-tick',
          args: t.empty(),
          returns: t.empty(),
          phases: 'any',
          kind: 'change',
          effects: ['configuration'],
          doc: 'Records which client ran it',
          handler: (_a, ctx) => {
            probe.ticks.push(ctx.origin.client ?? '?');
            return {};
          },
        }),
      );
      host.command(
        defineCommand({
          name: 'test-gate',
          args: t.empty(),
          returns: t.empty(),
          phases: 'any',
          kind: 'change',
          effects: ['configuration'],
          doc: 'Blocks the queue until the test releases it',
          handler: async () => {
            entered();
            await released;
            return {};
          },
        }),
      );
    },
  });
  return { plugin, probe };
}

/** Waits (event-loop turns, no clock) until `cond` holds. */
export async function until(cond: () => boolean, what = 'condition'): Promise<void> {
  for (let i = 0; i < 200_000; i++) {
    if (cond()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`never reached: ${what}`);
}

import { describe, expect, it } from 'vitest';
import { createKernel, defineCommand, definePlugin, t, type Plugin } from '../../kernel/index.js';
import { API } from './fixtures.js';

const noop = defineCommand({ name: 'x-noop', args: t.empty(), returns: t.empty(), phases: 'any', kind: 'query', doc: 'nothing', handler: () => ({}) });

describe('plugin contract', () => {
  it('a plugin command shows up in query-commands and the schema', async () => {
    const k = await createKernel({ plugins: [definePlugin({ name: 'p', version: '1', setup: (h) => h.command(noop) })] });
    const names = ((await k.execute('query-commands', {}, API)) as Array<{ name: string }>).map((c) => c.name);
    expect(names).toContain('x-noop');
    const schema = (await k.execute('query-qmp-schema', {}, API)) as Array<Record<string, unknown>>;
    expect(schema).toContainEqual({ name: 'x-noop', 'meta-type': 'command', 'arg-type': 'q_empty', 'ret-type': 'q_empty' });
  });

  it('a change command must say what it changes (its effects), naming the classes; a query must not', async () => {
    const change = (effects?: readonly string[]) =>
      definePlugin({ name: 'p', version: '1', setup: (h) => h.command({ ...noop, name: 'x-change', kind: 'change', ...(effects ? { effects } : {}) } as never) });
    await expect(createKernel({ plugins: [change()] })).rejects.toThrow(
      "command 'x-change' from plugin 'p' is a change but declares no effects (one or more of: configuration, run-control, guest-io, host-files, network, processes)",
    );
    await expect(createKernel({ plugins: [change(['reboots'])] })).rejects.toThrow("command 'x-change' from plugin 'p' declares unknown effect 'reboots'");
    await expect(createKernel({ plugins: [definePlugin({ name: 'q', version: '1', setup: (h) => h.command({ ...noop, effects: ['configuration'] }) })] })).rejects.toThrow(
      "command 'x-noop' from plugin 'q' is a query but declares effects",
    );
  });

  it('names both plugins when a command is registered twice', async () => {
    const a = definePlugin({ name: 'a', version: '1', setup: (h) => h.command(noop) });
    const b = definePlugin({ name: 'b', version: '1', setup: (h) => h.command(noop) });
    await expect(createKernel({ plugins: [a, b] })).rejects.toThrow("command 'x-noop' from plugin 'b' is already registered by 'a'");
  });

  it('sets up dependencies first, whatever order they are given in', async () => {
    const order: string[] = [];
    const base = definePlugin({ name: 'base', version: '1', setup: (h) => (order.push('base'), h.provide('base.svc', 42)) });
    const user = definePlugin({ name: 'user', version: '1', dependsOn: ['base'], setup: (h) => (order.push(`user:${h.use<number>('base.svc')}`), undefined) });
    await createKernel({ plugins: [user, base] });
    expect(order).toEqual(['base', 'user:42']);
  });

  it('spells out a dependency cycle', async () => {
    const a = definePlugin({ name: 'a', version: '1', dependsOn: ['b'], setup: () => {} });
    const b = definePlugin({ name: 'b', version: '1', dependsOn: ['a'], setup: () => {} });
    await expect(createKernel({ plugins: [a, b] })).rejects.toThrow('plugin dependency cycle: a -> b -> a');
  });

  it('names a missing dependency', async () => {
    const a = definePlugin({ name: 'a', version: '1', dependsOn: ['ghost'], setup: () => {} });
    await expect(createKernel({ plugins: [a] })).rejects.toThrow("plugin 'a' depends on 'ghost', which is not loaded");
  });

  it('refuses a service from a plugin not declared in dependsOn', async () => {
    const base = definePlugin({ name: 'base', version: '1', setup: (h) => h.provide('base.svc', 1) });
    const sneaky = definePlugin({ name: 'sneaky', version: '1', setup: (h) => void h.use('base.svc') });
    await expect(createKernel({ plugins: [base, sneaky] })).rejects.toThrow("uses 'base.svc' from 'base' without declaring it in dependsOn");
  });

  it('refuses registration after the kernel has started', async () => {
    let late: (() => void) | undefined;
    const p = definePlugin({ name: 'late', version: '1', setup: (h) => void (late = () => h.command(noop)) });
    await createKernel({ plugins: [p] });
    expect(late).toThrow("plugin 'late' registered command 'x-noop' after the kernel started");
  });

  it('names the plugin whose setup failed', async () => {
    const bad = definePlugin({ name: 'bad', version: '1', setup: () => { throw new Error('boom'); } });
    await expect(createKernel({ plugins: [bad] })).rejects.toThrow("plugin 'bad' failed to set up: boom");
  });

  it('rejects something that is not a plugin', async () => {
    await expect(createKernel({ plugins: [{ name: 'x' } as unknown as Plugin] })).rejects.toThrow('a plugin needs a name, a version and a setup function');
  });

  it('a command filter (the sandbox hook) can refuse a command, which is logged as not applied', async () => {
    const sandbox = definePlugin({ name: 'sb', version: '1', setup: (h) => h.commandFilter((c) => (c.name === 'set-name' ? 'names are frozen' : undefined)) });
    const k = await createKernel({ plugins: [sandbox] });
    await expect(k.execute('set-name', { name: 'x' }, API)).rejects.toMatchObject({ desc: 'The command set-name is not allowed: names are frozen' });
  });

  it('a host policy refuses a file before it is opened', async () => {
    const sandbox = definePlugin({ name: 'sb', version: '1', setup: (h) => h.hostPolicy((r) => (r.target.startsWith('/etc') ? 'outside the allowed paths' : undefined)) });
    const k = await createKernel({ plugins: [sandbox] });
    await expect(k.broker.readFile('/etc/hostname')).rejects.toThrow("Access to file '/etc/hostname' (r) denied: outside the allowed paths");
  });
});

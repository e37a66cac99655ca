import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CLASSES } from '../../kernel/index.js';
import { API, fixtureKernel } from './fixtures.js';

type Info = { name: string; 'meta-type': string } & Record<string, unknown>;

describe('introspection', () => {
  it('query-qmp-schema describes every command with argument and return types that resolve', async () => {
    const k = await fixtureKernel();
    const schema = (await k.execute('query-qmp-schema', {}, API)) as Info[];
    const byName = new Map(schema.map((s) => [s.name, s]));
    const commands = schema.filter((s) => s['meta-type'] === 'command');
    expect(commands.map((c) => c.name).sort()).toEqual(k.registry.list().map((c) => c.name).sort());
    for (const c of commands) {
      expect(byName.has(c['arg-type'] as string), `${c.name} arg-type`).toBe(true);
      expect(byName.has(c['ret-type'] as string), `${c.name} ret-type`).toBe(true);
    }
  });

  it('describes enums, optional members and events as QAPI does', async () => {
    const k = await fixtureKernel();
    const schema = (await k.execute('query-qmp-schema', {}, API)) as Info[];
    expect(schema).toContainEqual(expect.objectContaining({ name: 'Phase', 'meta-type': 'enum', values: ['no-machine', 'machine-created', 'machine-initialized', 'machine-ready'] }));
    const deviceAdd = schema.find((s) => s.name === 'device_add')!;
    const args = schema.find((s) => s.name === deviceAdd['arg-type'])!;
    expect(args.members).toEqual([{ name: 'driver', type: 'str' }, { name: 'id', type: 'str', default: null }, { name: 'bus', type: 'str', default: null }]);
    expect(schema).toContainEqual(expect.objectContaining({ name: 'SHUTDOWN', 'meta-type': 'event' }));
  });

  it("query-version reports the QEMU release whose QMP vmledger follows (7.2.0) and vmledger's own version as the package, so clients' version checks pass", async () => {
    const k = await fixtureKernel();
    expect(await k.execute('query-version', {}, API)).toEqual({ qemu: { major: 7, minor: 2, micro: 0 }, package: 'vmledger 0.1.0' });
  });

  it('every error class is documented in docs/errors.md', () => {
    const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    for (const cls of Object.keys(ERROR_CLASSES)) expect(doc, cls).toContain(`\`${cls}\``);
  });
});

import { describe, expect, it } from 'vitest';
import { errorOf, fixtureKernel } from './fixtures.js';
import { t, validate } from '../../kernel/index.js';

describe('argument validation gives QEMU-style messages', () => {
  it('names a missing parameter', async () => {
    const k = await fixtureKernel();
    await k.execute('machine-set', { type: 'toy-machine' }, { transport: 'api' });
    expect(await errorOf(k, 'device_add', { id: 'x' })).toEqual({ class: 'GenericError', desc: "Parameter 'driver' is missing" });
  });

  it('names an unexpected parameter', async () => {
    const k = await fixtureKernel();
    expect(await errorOf(k, 'query-status', { x: 1 })).toEqual({ class: 'GenericError', desc: "Parameter 'x' is unexpected" });
  });

  it('names the expected type of a parameter', async () => {
    const k = await fixtureKernel();
    expect(await errorOf(k, 'set-name', { name: 5 })).toEqual({ class: 'GenericError', desc: "Invalid parameter type for 'name', expected: string" });
  });

  it('checks device properties by their declared type', async () => {
    const k = await fixtureKernel();
    await k.execute('machine-set', { type: 'toy-machine' }, { transport: 'api' });
    expect((await errorOf(k, 'device_add', { driver: 'toy-dev', size: '3' })).desc).toBe("Invalid parameter type for 'size', expected: integer");
    expect((await errorOf(k, 'device_add', { driver: 'toy-dev', colour: 'red' })).desc).toBe("Property 'toy-dev.colour' not found");
  });

  it('rejects a value outside an enum', async () => {
    const k = await fixtureKernel();
    expect((await errorOf(k, 'until-phase', { phase: 'later' })).desc).toBe("Parameter 'phase' does not accept value 'later'");
  });

  it('names nested members with dots and array items with indexes', () => {
    const s = t.object({ a: t.object({ b: t.array(t.int()) }) });
    expect(() => validate(s, { a: { b: [1, 'x'] } })).toThrow("Invalid parameter type for 'a.b[1]', expected: integer");
    expect(() => validate(s, { a: {} })).toThrow("Parameter 'a.b' is missing");
  });

  it('reports an unknown command with class CommandNotFound', async () => {
    const k = await fixtureKernel();
    expect(await errorOf(k, 'no-such-command')).toEqual({ class: 'CommandNotFound', desc: 'The command no-such-command has not been found' });
  });

  it('rejects a negative size', () => {
    expect(() => validate(t.object({ size: t.size() }), { size: -1 })).toThrow("Parameter 'size' expects a non-negative integer");
  });
});

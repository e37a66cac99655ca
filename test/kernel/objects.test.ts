import { describe, expect, it } from 'vitest';
import { API, errorOf, fixtureKernel } from './fixtures.js';

async function created() {
  const k = await fixtureKernel();
  await k.execute('machine-set', { type: 'toy-machine' }, API);
  return k;
}

describe('object model', () => {
  it('qom-list shows properties and children with their types', async () => {
    const k = await created();
    await k.execute('until-phase', { phase: 'machine-initialized' }, API);
    const list = (await k.execute('qom-list', { path: '/machine' }, API)) as Array<{ name: string; type: string }>;
    expect(list).toContainEqual({ name: 'memory', type: 'size' });
    expect(list).toContainEqual({ name: 'builtin', type: 'child<toy-dev>' });
  });

  it('qom-get of an unknown path is DeviceNotFound', async () => {
    const k = await created();
    expect(await errorOf(k, 'qom-get', { path: '/nowhere', property: 'x' })).toEqual({ class: 'DeviceNotFound', desc: "Device '/nowhere' not found" });
  });

  it('qom-set honours when a property may be set', async () => {
    const k = await created();
    await k.execute('device_add', { driver: 'toy-dev', id: 'd0' }, API);
    await k.execute('cont', {}, API);
    expect((await errorOf(k, 'qom-set', { path: '/machine/peripheral/d0', property: 'size', value: 2 })).desc).toContain('after it was realized');
    await k.execute('qom-set', { path: '/machine/peripheral/d0', property: 'label', value: 'live' }, API);
    expect(await k.execute('qom-get', { path: '/machine/peripheral/d0', property: 'label' }, API)).toBe('live');
  });

  it('qom-list-types filters by parent type or interface and hides abstract types', async () => {
    const k = await created();
    const devices = ((await k.execute('qom-list-types', { implements: 'device' }, API)) as Array<{ name: string }>).map((t) => t.name);
    expect(devices).toEqual(expect.arrayContaining(['toy-dev', 'fixed-dev']));
    expect(devices).not.toContain('device');
    const creatable = ((await k.execute('qom-list-types', { implements: 'user-creatable' }, API)) as Array<{ name: string }>).map((t) => t.name);
    expect(creatable).toEqual(['toy-object']);
  });

  it('device-list-properties gives types, defaults and docs', async () => {
    const k = await created();
    expect(await k.execute('device-list-properties', { typename: 'toy-dev' }, API)).toContainEqual({
      name: 'size',
      type: 'int',
      description: 'Size in units',
      'default-value': 1,
    });
    expect((await errorOf(k, 'device-list-properties', { typename: 'nope' })).class).toBe('DeviceNotFound');
  });

  it('object-add creates a realized object under /objects and object-del removes it', async () => {
    const k = await fixtureKernel();
    await k.execute('object-add', { 'qom-type': 'toy-object', id: 'o1', value: 3 }, API);
    expect(k.objects.get('/objects/o1').realized).toBe(true);
    expect((await errorOf(k, 'object-add', { 'qom-type': 'toy-object', id: 'o1' })).desc).toContain("Duplicate ID 'o1'");
    expect((await errorOf(k, 'object-add', { 'qom-type': 'toy-dev', id: 'o2' })).desc).toContain('not a user-creatable object type');
    await k.execute('object-del', { id: 'o1' }, API);
    expect(k.objects.has('/objects/o1')).toBe(false);
  });

  it('rejects an id that is not an identifier', async () => {
    const k = await fixtureKernel();
    expect((await errorOf(k, 'object-add', { 'qom-type': 'toy-object', id: '1bad' })).desc).toContain("expects an identifier");
  });

  it('devices without an id go to peripheral-anon', async () => {
    const k = await created();
    await k.execute('device_add', { driver: 'toy-dev' }, API);
    await k.execute('device_add', { driver: 'toy-dev' }, API);
    expect(k.objects.has('/machine/peripheral-anon/device[1]')).toBe(true);
  });

  it('cold-plugged devices realize with the machine; after machine-ready only hot-pluggable ones may come and go', async () => {
    const k = await created();
    await k.execute('device_add', { driver: 'fixed-dev', id: 'f' }, API);
    await k.execute('cont', {}, API);
    expect((await errorOf(k, 'device_add', { driver: 'fixed-dev', id: 'g' })).desc).toBe("Device 'fixed-dev' can not be hotplugged on this machine");
    expect((await errorOf(k, 'device_del', { id: 'f' })).desc).toBe("Device 'f' does not support hotplugging");
    await k.execute('device_add', { driver: 'toy-dev', id: 'hot' }, API);
    expect(k.objects.get('/machine/peripheral/hot').realized).toBe(true);
  });

  it('device_del of an unknown id is DeviceNotFound and DEVICE_DELETED names the device', async () => {
    const k = await created();
    expect((await errorOf(k, 'device_del', { id: 'ghost' })).class).toBe('DeviceNotFound');
    await k.execute('device_add', { driver: 'toy-dev', id: 'd' }, API);
    const events: unknown[] = [];
    k.host.events.subscribe((e) => events.push(e));
    await k.execute('device_del', { id: 'd' }, API);
    expect(events).toMatchObject([{ event: 'DEVICE_DELETED', data: { device: 'd', path: '/machine/peripheral/d' } }]);
  });

  it('-global gives later devices a default, which their own property overrides', async () => {
    const k = await created();
    await k.execute('global-set', { driver: 'toy-dev', property: 'size', value: 7 }, API);
    await k.execute('device_add', { driver: 'toy-dev', id: 'a' }, API);
    await k.execute('device_add', { driver: 'toy-dev', id: 'b', size: 2 }, API);
    expect(k.objects.get('/machine/peripheral/a').get('size')).toBe(7);
    expect(k.objects.get('/machine/peripheral/b').get('size')).toBe(2);
    expect((await errorOf(k, 'global-set', { driver: 'toy-dev', property: 'size', value: 'big' })).desc).toContain('expected: integer');
  });
});

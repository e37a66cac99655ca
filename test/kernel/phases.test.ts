import { describe, expect, it } from 'vitest';
import { API, errorOf, fixtureKernel } from './fixtures.js';

describe('phase machine', () => {
  it('starts in no-machine with the guest in prelaunch', async () => {
    const k = await fixtureKernel();
    expect(await k.execute('query-phase', {}, API)).toMatchObject({ phase: 'no-machine' });
    expect(await k.execute('query-status', {}, API)).toEqual({ running: false, singlestep: false, status: 'prelaunch' });
  });

  it('rejects device_add before machine-created with the phase it needs and the current one', async () => {
    const k = await fixtureKernel();
    const e = await errorOf(k, 'device_add', { driver: 'toy-dev' });
    expect(e.class).toBe('GenericError');
    expect(e.desc).toContain("'machine-created'");
    expect(e.desc).toContain("the machine is in phase 'no-machine'");
  });

  it('machine-set creates /machine and moves to machine-created', async () => {
    const k = await fixtureKernel();
    await k.execute('machine-set', { type: 'toy-machine', memory: 4096 }, API);
    expect(k.phase).toBe('machine-created');
    expect(await k.execute('qom-get', { path: '/machine', property: 'memory' }, API)).toBe(4096);
  });

  it('machine-set again in machine-created sets more properties but cannot change the type', async () => {
    const k = await fixtureKernel();
    await k.execute('machine-set', { type: 'toy-machine' }, API);
    await k.execute('machine-set', { cpus: 4 }, API);
    expect(await k.execute('qom-get', { path: '/machine', property: 'cpus' }, API)).toBe(4);
    expect((await errorOf(k, 'machine-set', { type: 'fixed-dev' })).desc).toContain("already 'toy-machine'");
  });

  it('refuses machine-set once the machine is initialized', async () => {
    const k = await fixtureKernel();
    await k.execute('machine-set', { type: 'toy-machine' }, API);
    await k.execute('until-phase', { phase: 'machine-initialized' }, API);
    expect((await errorOf(k, 'machine-set', { cpus: 2 })).desc).toContain("phase 'machine-initialized'");
  });

  it('rejects a type that is not a machine', async () => {
    const k = await fixtureKernel();
    expect((await errorOf(k, 'machine-set', { type: 'toy-dev' })).desc).toContain('is not a machine type');
  });

  it('until-phase runs the board hook: the board device exists in machine-initialized', async () => {
    const k = await fixtureKernel();
    await k.execute('machine-set', { type: 'toy-machine' }, API);
    await k.execute('until-phase', { phase: 'machine-initialized' }, API);
    expect(k.objects.has('/machine/builtin')).toBe(true);
    expect(k.objects.get('/machine/builtin').realized).toBe(false);
  });

  it('until-phase to an earlier phase fails with a too-late error', async () => {
    const k = await fixtureKernel();
    await k.execute('machine-set', { type: 'toy-machine' }, API);
    await k.execute('until-phase', { phase: 'machine-ready' }, API);
    const e = await errorOf(k, 'until-phase', { phase: 'machine-created' });
    expect(e.desc).toMatch(/^Too late: phase 'machine-created' is already past \(current phase: 'machine-ready'\)/);
  });

  it('until-phase without a machine says to choose one', async () => {
    const k = await fixtureKernel();
    expect((await errorOf(k, 'until-phase', { phase: 'machine-ready' })).desc).toContain('use machine-set first');
    expect(k.phase).toBe('no-machine');
  });

  it('x-exit-preconfig advances to machine-ready and realizes every device', async () => {
    const k = await fixtureKernel();
    await k.execute('machine-set', { type: 'toy-machine' }, API);
    await k.execute('device_add', { driver: 'toy-dev', id: 'd0' }, API);
    await k.execute('x-exit-preconfig', {}, API);
    expect(k.phase).toBe('machine-ready');
    expect(k.objects.get('/machine/peripheral/d0').realized).toBe(true);
    expect(k.objects.get('/machine/builtin').realized).toBe(true);
    expect((await errorOf(k, 'x-exit-preconfig')).desc).toContain("phase 'machine-ready'");
  });

  it('cont advances through the remaining phases and starts the guest, emitting RESUME', async () => {
    const k = await fixtureKernel();
    const events: string[] = [];
    k.host.events.subscribe((e) => events.push(e.event));
    await k.execute('machine-set', { type: 'toy-machine' }, API);
    await k.execute('cont', {}, API);
    expect(k.phase).toBe('machine-ready');
    expect(k.runState).toBe('running');
    await k.execute('stop', {}, API);
    expect(k.runState).toBe('paused');
    expect(events).toEqual(['RESUME', 'STOP']);
  });

  it('cont starts nothing when becoming ready ended the machine', async () => {
    const k = await fixtureKernel();
    await k.execute('machine-set', { type: 'dump-and-quit-machine' }, API);
    await k.execute('cont', {}, API);
    expect(k.phase).toBe('machine-ready');
    expect(k.runState).toBe('shutdown');
  });

  it('system_reset emits RESET and needs a ready machine', async () => {
    const k = await fixtureKernel();
    expect((await errorOf(k, 'system_reset')).desc).toContain("'machine-ready'");
    const events: unknown[] = [];
    k.host.events.subscribe((e) => events.push(e));
    await k.execute('machine-set', { type: 'toy-machine' }, API);
    await k.execute('cont', {}, API);
    await k.execute('system_reset', {}, API);
    expect(events.at(-1)).toMatchObject({ event: 'RESET', data: { guest: false, reason: 'host-qmp-system-reset' } });
  });

  it('quit emits SHUTDOWN and asks the program to exit with status 0', async () => {
    const k = await fixtureKernel();
    const codes: number[] = [];
    k.onExit((c) => codes.push(c));
    const events: string[] = [];
    k.host.events.subscribe((e) => events.push(e.event));
    await k.execute('quit', {}, API);
    expect(events).toEqual(['SHUTDOWN']);
    expect(codes).toEqual([0]);
    expect(k.runState).toBe('shutdown');
  });

  it('a guest reset with reboot=shutdown (-no-reboot) becomes a shutdown', async () => {
    const k = await fixtureKernel();
    await k.execute('set-action', { reboot: 'shutdown' }, API);
    await k.execute('machine-set', { type: 'toy-machine' }, API);
    await k.execute('cont', {}, API);
    const events: unknown[] = [];
    k.host.events.subscribe((e) => events.push(e));
    const codes: number[] = [];
    k.onExit((c) => codes.push(c));
    k.internalContext({ transport: 'guest' }).guest.reset();
    expect(events).toMatchObject([{ event: 'SHUTDOWN', data: { guest: true, reason: 'guest-reset' } }]);
    expect(codes).toEqual([0]);
  });

  it('set-name is reported by query-name', async () => {
    const k = await fixtureKernel();
    expect(await k.execute('query-name', {}, API)).toEqual({});
    await k.execute('set-name', { name: 'vm1' }, API);
    expect(await k.execute('query-name', {}, API)).toEqual({ name: 'vm1' });
  });

  it('set-uuid is reported by query-uuid (all zeros before, as QEMU); a malformed UUID is refused and changes nothing', async () => {
    const k = await fixtureKernel();
    expect(await k.execute('query-uuid', {}, API)).toEqual({ UUID: '00000000-0000-0000-0000-000000000000' });
    await expect(k.execute('set-uuid', { uuid: '5b2a3b5e-7d0e' }, API)).rejects.toMatchObject({ desc: "Fail to parse UUID string '5b2a3b5e-7d0e': expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" });
    await k.execute('set-uuid', { uuid: '5B2A3B5E-7D0E-4A51-9B39-0C1F4E9D2A10' }, API);
    expect(await k.execute('query-uuid', {}, API)).toEqual({ UUID: '5b2a3b5e-7d0e-4a51-9b39-0c1f4e9d2a10' });
  });

  it('a host signal ends the VM even when -action shutdown=pause keeps a guest poweroff paused, as QEMU\'s does', async () => {
    const k = await fixtureKernel();
    await k.execute('set-action', { shutdown: 'pause' }, API);
    await k.execute('machine-set', { type: 'toy-machine' }, API);
    await k.execute('cont', {}, API);
    const codes: number[] = [];
    k.onExit((c) => codes.push(c));
    k.internalContext({ transport: 'guest' }).guest.shutdown();
    expect([k.runState, codes]).toEqual(['paused', []]);
    k.internalContext({ transport: 'host' }).guest.shutdown('host-signal', 0);
    expect([k.runState, codes]).toEqual(['shutdown', [0]]);
  });

  it('every registered command declares its phases', async () => {
    const k = await fixtureKernel();
    for (const c of k.registry.list()) expect(c.phases === 'any' || c.phases.length > 0, c.name).toBe(true);
  });
});

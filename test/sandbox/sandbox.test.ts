import { describe, expect, it } from 'vitest';
import { createKernel } from '../../kernel/index.js';
import sandboxPlugin from '../../plugins/sandbox/index.js';

const api = { transport: 'api' };

async function kernel() {
  return createKernel({ plugins: [sandboxPlugin] });
}

describe('sandbox', () => {
  it('refuses a denied command from the point it is turned on, not before', async () => {
    const k = await kernel();
    await k.execute('set-name', { name: 'before' }, api);
    await k.execute('sandbox-set', { enable: true, 'deny-commands': ['set-name'] }, api);
    await expect(k.execute('set-name', { name: 'after' }, api)).rejects.toMatchObject({ desc: 'The command set-name is not allowed: the sandbox denies it' });
  });

  it('refuses host files outside the allowed paths', async () => {
    const k = await kernel();
    await k.execute('sandbox-set', { enable: true, 'allow-paths': ['/srv/vm'] }, api);
    expect(() => k.broker.readFile('/etc/hostname')).toThrow("Access to file '/etc/hostname' (r) denied: the sandbox allows files only below /srv/vm");
  });

  it('refuses sockets and processes when denied', async () => {
    const k = await kernel();
    await k.execute('sandbox-set', { enable: true, sockets: 'deny', spawn: 'deny' }, api);
    expect(() => k.broker.authorize({ kind: 'socket', target: 'unix:/tmp/x', access: 'listen' })).toThrow('the sandbox denies sockets');
    expect(() => k.broker.authorize({ kind: 'process', target: '/bin/sh', access: 'exec' })).toThrow('the sandbox denies spawning processes');
  });

  it('only tightens: a rule that is deny cannot become allow, and the sandbox cannot be turned off', async () => {
    const k = await kernel();
    await k.execute('sandbox-set', { enable: true, spawn: 'deny' }, api);
    await expect(k.execute('sandbox-set', { enable: true, spawn: 'allow' }, api)).rejects.toMatchObject({ desc: "The sandbox rule 'spawn' can only be tightened: it is already 'deny'" });
    await expect(k.execute('sandbox-set', { enable: false }, api)).rejects.toMatchObject({ desc: 'The sandbox cannot be turned off once it is on' });
  });

  it('allowed paths only narrow: a later list keeps only directories inside the earlier one', async () => {
    const k = await kernel();
    await k.execute('sandbox-set', { enable: true, 'allow-paths': ['/srv'] }, api);
    await k.execute('sandbox-set', { enable: true, 'allow-paths': ['/srv/vm', '/etc'] }, api);
    expect(k.objects.get('/sandbox').get('policy')).toMatchObject({ 'allow-paths': ['/srv/vm'] });
  });

  it('the policy is configuration: it changes the state hash', async () => {
    const k = await kernel();
    const before = k.stateHash();
    await k.execute('sandbox-set', { enable: true }, api);
    expect(k.stateHash()).not.toBe(before);
  });
});

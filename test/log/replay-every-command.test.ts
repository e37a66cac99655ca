/**
 * Every logged change replays. A live VM with the program's own plugins runs
 * a configuration that uses every change command the registry holds (the
 * test enumerates the registry and fails, naming it, for a change command the
 * scenario below does not reach), then a fresh replay kernel must reproduce
 * the state hash after each entry. Before, `ringbuf-write` failed on replay
 * (replay stands a null chardev in for every chardev), so any log with one
 * could not be replayed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createKernel, type Kernel } from '../../kernel/index.js';
import { replayLog } from '../../kernel/log/replay.js';
import { SqliteLogStore } from '../../kernel/log/sqlite-log-store.js';
import { DEFAULT_PLUGINS } from '../../main/default-plugins.js';
import { tempDir } from './fixtures/drafts.js';

const API = { transport: 'api', client: 'every-command' };
let tmp: ReturnType<typeof tempDir>;
const kernels: Kernel[] = [];
afterEach(async () => {
  for (const k of kernels.splice(0)) await k.close();
  tmp?.cleanup();
});

/** One configuration that runs every change command at least once, in an order the phases allow. */
function scenario(dir: (name: string) => string): Array<[string, Record<string, unknown>]> {
  writeFileSync(dir('disk.img'), new Uint8Array(64 << 10));
  mkdirSync(dir('snaps'), { recursive: true });
  return [
    ['set-name', { name: 'every-command' }],
    ['set-uuid', { uuid: '5b2a3b5e-7d0e-4a51-9b39-0c1f4e9d2a10' }],
    ['set-action', { reboot: 'shutdown', panic: 'pause' }],
    ['chardev-add', { id: 'rb', backend: { type: 'ringbuf' } }],
    ['ringbuf-write', { device: 'rb', data: 'hello' }],
    ['chardev-add', { id: 'gone', backend: { type: 'null' } }],
    ['chardev-remove', { id: 'gone' }],
    // Read-only: snapshots hold no disk contents, so a writable disk would block savevm.
    ['blockdev-add', { driver: 'file', 'node-name': 'd0', filename: dir('disk.img'), 'read-only': true }],
    ['blockdev-add', { driver: 'file', 'node-name': 'd1', filename: dir('disk.img'), 'read-only': true }],
    ['blockdev-del', { 'node-name': 'd1' }],
    ['object-add', { 'qom-type': 'rng-random', id: 'rng0', filename: '/dev/urandom' }],
    ['object-add', { 'qom-type': 'memory-backend-ram', id: 'm0', size: 1 << 20 }],
    ['object-del', { id: 'm0' }],
    ['monitor-add', { protocol: 'qmp', endpoint: `unix:${dir('q.sock')}` }],
    ['global-set', { driver: 'virtio-blk-device', property: 'serial', value: 'SN1' }],
    ['machine-set', { type: 'virt', memory: 64 << 20, 'snapshot-dir': dir('snaps') }],
    ['until-phase', { phase: 'machine-initialized' }],
    ['device_add', { driver: 'virtio-blk-device', id: 'disk', drive: 'd0' }],
    ['device_add', { driver: 'virtio-rng-device', id: 'rng', rng: 'rng0' }],
    ['device_del', { id: 'rng' }],
    ['qom-set', { path: '/settings', property: 'name', value: 'renamed' }],
    ['human-monitor-command', { 'command-line': 'qom-set /settings name renamed-by-hmp' }],
    ['x-exit-preconfig', {}],
    ['savevm', { tag: 's1' }],
    ['snapshot-save', { 'job-id': 'j1', tag: 's2' }],
    ['job-dismiss', { id: 'j1' }],
    ['loadvm', { tag: 's1' }],
    ['snapshot-load', { 'job-id': 'j2', tag: 's2' }],
    ['snapshot-delete', { 'job-id': 'j3', tag: 's2' }],
    ['delvm', { tag: 's1' }],
    ['migrate', { uri: `file:${dir('vm.mig')}` }],
    ['migrate-incoming', { uri: `file:${dir('vm.mig')}` }],
    ['sandbox-set', { enable: true, 'deny-commands': ['human-monitor-command'] }],
    ['cont', {}],
    ['system_reset', {}],
    ['stop', {}],
    ['quit', {}],
  ];
}

describe('replay', () => {
  it('reproduces the state hash after every change command the registry holds', async () => {
    tmp = tempDir();
    const path = tmp.path('vm.db');
    const live = await createKernel({ plugins: [...DEFAULT_PLUGINS], log: SqliteLogStore.open(path) });
    kernels.push(live);
    for (const [command, args] of scenario(tmp.path)) await live.execute(command, args, API);
    const changes = live.registry.list().filter((c) => c.kind === 'change').map((c) => c.name);
    const finalHash = live.stateHash();
    await live.close();
    kernels.length = 0;

    const store = SqliteLogStore.open(path, { readonly: true });
    const applied = new Set([...store.entries()].filter((e) => e.applied && e.kind === 'change').map((e) => e.command));
    expect(changes.filter((c) => !applied.has(c)), 'change commands the scenario does not log: add them to it').toEqual([]);

    const target = await createKernel({ plugins: [...DEFAULT_PLUGINS], mode: 'replay' });
    kernels.push(target);
    const result = await replayLog(store, target);
    store.close();
    expect(result.mismatch).toBeUndefined();
    expect(result.executed).toBe(scenario(tmp.path).length);
    expect(target.stateHash()).toBe(finalHash);
  });
});

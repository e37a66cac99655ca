/**
 * `vmledger export` reproduces what the guest sees, not only the final
 * object tree: a VM configured on the real `virt` board, exported, and the
 * export run in a fresh kernel must give every device the same address and
 * interrupt line and reach the log's state hash. Each case below is an
 * export defect found by trying it (issue 14).
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createKernel, type Kernel } from '../../kernel/index.js';
import { SqliteLogStore } from '../../kernel/log/sqlite-log-store.js';
import { DEFAULT_PLUGINS } from '../../main/default-plugins.js';
import { exportLog, runExport } from '../../main/export-command.js';
import { canonicalCommands, formatConfigFile } from '../../transports/config/index.js';
import { dropTriggers } from '../log/fixtures/tamper.js';
import { LoggedKernels } from '../log/fixtures/logged-kernels.js';

const API = { transport: 'api', client: 'export-faithful' };
const vms = new LoggedKernels(() => [...DEFAULT_PLUGINS]);

type Steps = Array<[string, Record<string, unknown>]>;

/** Runs `steps` on a logging kernel with the program's plugins; returns the log's path and where each user device sits. */
async function original(steps: Steps): Promise<{ log: string; hash: string; placement: Record<string, unknown> }> {
  vms.newFolder();
  const log = vms.tmp.path('vm.db');
  const k = await createKernel({ plugins: [...DEFAULT_PLUGINS], log: SqliteLogStore.open(log) });
  vms.kernels.push(k);
  for (const [command, args] of steps) await k.execute(command, args, API);
  const result = { log, hash: k.stateHash(), placement: placements(k) };
  await k.close();
  vms.kernels.length = 0;
  return result;
}

/** Runs an exported QMP script in a fresh kernel (replay mode: no guest is started). */
async function reproduce(script: string): Promise<Kernel> {
  const k = await createKernel({ plugins: [...DEFAULT_PLUGINS], mode: 'replay' });
  vms.kernels.push(k);
  for (const line of script.trim().split('\n').slice(1)) {
    const { execute, arguments: args } = JSON.parse(line) as { execute: string; arguments?: Record<string, unknown> };
    await k.execute(execute, args ?? {}, API);
  }
  return k;
}

function placements(k: Kernel): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const o of k.objects.walk('/machine')) if (o.path.startsWith('/machine/peripheral/')) out[o.path] = o.placement;
  return out;
}

const BUILT: Steps = [
  ['machine-set', { type: 'virt', memory: 64 << 20 }],
  ['until-phase', { phase: 'machine-initialized' }],
];

describe('export reproduces what the guest sees', () => {
  it('a hot-plugged device deleted again keeps later devices at the addresses and interrupts they had', async () => {
    const run = await original([
      ...BUILT,
      ['until-phase', { phase: 'machine-ready' }],
      ['device_add', { driver: 'virtio-rng-device', id: 'c' }],
      ['device_add', { driver: 'virtio-rng-device', id: 'd' }],
      ['device_del', { id: 'c' }],
      ['device_add', { driver: 'virtio-rng-device', id: 'e' }],
    ]);
    // d took the slot below c's, e took c's freed slot: without c in the export they swap.
    expect(run.placement['/machine/peripheral/d']).not.toEqual(run.placement['/machine/peripheral/e']);
    const again = await reproduce(await exportLog(run.log, 'qmp', DEFAULT_PLUGINS));
    expect(placements(again)).toEqual(run.placement);
    expect(again.stateHash()).toBe(run.hash);
  });

  it('a cold-plugged device unplugged once the machine was built is in the export, at its place', async () => {
    const run = await original([
      ...BUILT,
      ['device_add', { driver: 'virtio-rng-device', id: 'a' }],
      ['device_add', { driver: 'virtio-rng-device', id: 'b' }],
      ['until-phase', { phase: 'machine-ready' }],
      ['device_del', { id: 'a' }],
    ]);
    const script = await exportLog(run.log, 'qmp', DEFAULT_PLUGINS);
    expect(script).toContain('"id":"a"');
    const again = await reproduce(script);
    expect(placements(again)).toEqual(run.placement);
    expect(again.stateHash()).toBe(run.hash);
  });

  it("keeps a qom-set aimed at a device whose id an object created and deleted again also had", async () => {
    const run = await original([
      ...BUILT,
      ['device_add', { driver: 'virtio-rng-device', id: 'x' }],
      ['object-add', { 'qom-type': 'rng-random', id: 'x', filename: '/dev/urandom' }],
      ['qom-set', { path: '/machine/peripheral/x', property: 'rng', value: 'x' }],
      ['object-del', { id: 'x' }],
    ]);
    const script = await exportLog(run.log, 'qmp', DEFAULT_PLUGINS);
    expect(script).toContain('"execute":"qom-set"');
    expect((await reproduce(script)).stateHash()).toBe(run.hash);
  });

  it('leaves out a device added and deleted before the machine was built, and a backend nothing named', async () => {
    const run = await original([
      ...BUILT,
      ['device_add', { driver: 'virtio-rng-device', id: 'gone' }],
      ['device_del', { id: 'gone' }],
      ['object-add', { 'qom-type': 'rng-random', id: 'unused', filename: '/dev/urandom' }],
      ['object-del', { id: 'unused' }],
      ['device_add', { driver: 'virtio-rng-device', id: 'kept' }],
      ['until-phase', { phase: 'machine-ready' }],
    ]);
    const script = await exportLog(run.log, 'qmp', DEFAULT_PLUGINS);
    expect(script).not.toContain('gone');
    expect(script).not.toContain('unused');
    expect((await reproduce(script)).stateHash()).toBe(run.hash);
  });
});

describe('canonical commands', () => {
  it('keep an object that a command between its creation and deletion named', () => {
    const items = canonicalCommands([
      { command: 'object-add', args: { 'qom-type': 'rng-random', id: 'o' } },
      { command: 'device_add', args: { driver: 'virtio-rng-device', id: 'd', rng: 'o' } },
      { command: 'object-del', args: { id: 'o' } },
    ]);
    expect(items.map((i) => i.execute)).toEqual(['object-add', 'device_add', 'object-del']);
  });

  it('mark each command that ran while the guest was running, with its entry', () => {
    const items = canonicalCommands([
      { seq: 1, command: 'machine-set', args: { type: 'virt' }, runStateBefore: 'prelaunch' },
      { seq: 2, command: 'cont', args: {}, runStateBefore: 'prelaunch', phaseAfter: 'machine-ready' },
      { seq: 3, command: 'device_add', args: { driver: 'virtio-rng-device', id: 'r' }, runStateBefore: 'running', phaseAfter: 'machine-ready' },
    ]);
    expect(items[2]!.note).toBe('entry 3: ran while the guest was running; here it runs as soon as the guest starts');
    expect(formatConfigFile(items)).toContain('# entry 3: ran while the guest was running');
  });
});

describe('vmledger export DB', () => {
  async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await runExport(argv, DEFAULT_PLUGINS, (t) => void (out += t), (t) => void (err += t));
    return { code, out, err };
  }
  const STEPS: Steps = [
    ...BUILT,
    ['device_add', { driver: 'virtio-rng-device', id: 'first' }],
    ['device_add', { driver: 'virtio-rng-device', id: 'second' }],
  ];

  it('refuses a log whose chain does not verify, naming the entry, with exit status 1', async () => {
    const run = await original(STEPS);
    const db = new Database(run.log);
    dropTriggers(db);
    db.prepare("UPDATE entries SET args = ? WHERE seq = 3").run('{"driver":"virtio-rng-device","id":"forged"}');
    db.close();
    const r = await cli([run.log]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^vmledger: export: the log does not verify \(altered at entry 3: /);
  });

  it('--to SEQ exports the configuration after entry SEQ', async () => {
    const run = await original(STEPS);
    const r = await cli([run.log, '--to', '3', '--format', 'qmp']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('"id":"first"');
    expect(r.out).not.toContain('"id":"second"');
    expect((await cli([run.log, '--to', '9'])).err).toContain('--to 9: the log has 4 entries');
  });

  it('refuses an unknown option instead of ignoring it', async () => {
    const run = await original(STEPS);
    const r = await cli([run.log, '--until', '3']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('vmledger: export: unknown option --until\n');
  });
});

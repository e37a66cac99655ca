import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKernel, type Kernel } from '../../kernel/index.js';
import { SqliteLogStore } from '../../kernel/log/sqlite-log-store.js';
import { runCommandLine } from '../../transports/cli/index.js';
import {
  canonicalCommands,
  exportConfig,
  exportConfigPlugin,
  formatArgv,
  loadConfigText,
} from '../../transports/config/index.js';
import { feedSteps } from '../../transports/cli/feed.js';
import { captureIo, cliFixturePlugin, newKernel, tmp } from '../cli/fixtures.js';

const kernels: Kernel[] = [];
afterEach(async () => {
  for (const k of kernels.splice(0)) await k.close();
});
async function kernel(log = false): Promise<Kernel> {
  const k = await newKernel({ log });
  kernels.push(k);
  return k;
}
async function cli(argv: string[], cwd?: string): Promise<Kernel> {
  const k = await kernel(true);
  const io = captureIo(cwd);
  const out = await runCommandLine(argv, k, io);
  expect(io.err).toBe('');
  expect(out.status).toBe('running');
  return k;
}
const entries = (k: Kernel) => [...k.store!.entries()];

const ORIGINAL = [
  '-name', 'roundtrip',
  '-M', 'tvirt,memory=64M',
  '-smp', '2',
  '-append', 'console=ttyS0,115200 root=/dev/vda',
  '-chardev', 'file,id=log0,path=/tmp/x.log',
  '-object', 'tobj,id=o1,size=4K',
  '-global', 'tdev.count=3',
  '-drive', 'file=disk.img,id=root',
  '-device', 'tdev,id=gone',
  '-execute', 'device_del,id=gone',
  '-device', 'tdev,id=t1,label=a,,b,mode=slow',
  '-device', '{"driver":"tdev","id":"t2","on":true}',
  '-execute', 'qom-set,path=/objects/o1,property=value,value=7',
  '-no-reboot',
];

describe('export', () => {
  it('canonicalizes: failed commands, run control and create/delete pairs are left out; machine-sets merge', () => {
    const items = canonicalCommands([
      { command: 'machine-set', args: { type: 'tvirt' } },
      { command: 'machine-set', args: { memory: 1 } },
      { command: 'device_add', args: { driver: 'tdev', id: 'x' } },
      { command: 'device_add', args: { driver: 'nosuch' }, applied: false },
      { command: 'qom-set', args: { path: '/machine/peripheral/x', property: 'label', value: 'l' } },
      { command: 'device_del', args: { id: 'x' } },
      { command: 'cont', args: {} },
      { command: 'stop', args: {} },
      { command: 'cont', args: {} },
    ]);
    expect(items).toEqual([
      { execute: 'machine-set', arguments: { type: 'tvirt', memory: 1 } },
      { execute: 'cont', arguments: {} },
    ]);
  });

  it('command line -> export as command line -> run -> same state hash', async () => {
    const first = await cli(ORIGINAL);
    const argv = formatArgv(canonicalCommands(entries(first)));
    expect(argv).not.toContain('gone');
    const second = await cli(argv);
    expect(second.stateHash()).toBe(first.stateHash());
    expect(second.runState).toBe('running');
  });

  it('command line -> export as config file -> run -> same state hash', async () => {
    const first = await cli(ORIGINAL);
    const text = exportConfig(first, 'commands');
    const dir = tmp();
    writeFileSync(join(dir, 'exported.yaml'), text);
    const second = await cli(['-S', '-readconfig', 'exported.yaml'], dir);
    expect(second.stateHash()).toBe(first.stateHash());
  });

  it('config file -> export as command line -> run -> same state hash', async () => {
    const dir = tmp();
    writeFileSync(
      join(dir, 'vm.json5'),
      `[
  { execute: 'machine-set', arguments: { type: 'tvirt', cpus: 4, kernel: 'Image' } },
  { execute: 'object-add', arguments: { 'qom-type': 'tobj', id: 'o', value: 2 } },
  { execute: 'device_add', arguments: { driver: 'tdev', id: 'd', size: '1M', needs: 'o' } },
  { execute: 'set-action', arguments: { shutdown: 'pause' } },
  { execute: 'until-phase', arguments: { phase: 'machine-ready' } },
]`,
    );
    const first = await cli(['-S', '-readconfig', 'vm.json5'], dir);
    expect(first.phase).toBe('machine-ready');
    const argv = formatArgv(canonicalCommands(entries(first)));
    expect(argv[0]).toBe('-S');
    const second = await cli(argv);
    expect(second.stateHash()).toBe(first.stateHash());
    expect(second.runState).toBe('prelaunch');
  });

  it('command line -> export as QMP script -> feed -> same state hash', async () => {
    const first = await cli(ORIGINAL);
    const script = exportConfig(entries(first), 'qmp');
    const lines = script.trim().split('\n').map((l) => JSON.parse(l) as { execute: string; arguments?: Record<string, unknown> });
    expect(lines[0]).toEqual({ execute: 'qmp_capabilities' });
    const second = await kernel();
    await feedSteps(
      lines.slice(1).map((l) => ({ execute: l.execute, arguments: l.arguments ?? {}, origin: { transport: 'test' } })),
      second.host,
    );
    expect(second.stateHash()).toBe(first.stateHash());
  });

  it('exports the live configuration through the export-config command', async () => {
    const k = await createKernel({ plugins: [cliFixturePlugin, exportConfigPlugin], log: SqliteLogStore.open(join(tmp(), 'l.db')) });
    kernels.push(k);
    await runCommandLine(['-M', 'tvirt', '-device', 'tdev,id=d1,size=2K'], k, captureIo());
    const r = (await k.execute('export-config', { format: 'cli' }, { transport: 'test' })) as { text: string };
    expect(r.text).toBe('vmledger \\\n  -machine tvirt \\\n  -device tdev,id=d1,size=2048\n');
    const y = (await k.execute('export-config', {}, { transport: 'test' })) as { format: string; text: string };
    expect(y.format).toBe('commands');
    expect(loadConfigText(y.text, 'x.yaml').map((s) => s.execute)).toEqual(['machine-set', 'device_add', 'cont']);
  });
});

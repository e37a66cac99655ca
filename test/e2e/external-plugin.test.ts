import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { QmpClient, runVmledger, VmProcess } from './run-vmledger.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/led-counter', import.meta.url));
const running: VmProcess[] = [];
afterEach(() => running.splice(0).forEach((p) => p.kill()));

describe('an external device plugin loaded with --plugin', () => {
  it('appears in -device help and lists its properties', async () => {
    const list = await runVmledger(['--plugin', EXAMPLE, '-device', 'help']);
    expect(list.stdout).toMatch(/led-counter\s+Example MMIO device/);
    const props = await runVmledger(['--plugin', EXAMPLE, '-device', 'led-counter,help']);
    expect(props.stdout).toContain('leds=<int> (default: 8)');
  });

  it('is configured from a config file and inspected over QMP on the running program', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'vmledger-e2e-'));
    writeFileSync(join(cwd, 'leds.yaml'), '- execute: device_add\n  arguments: { driver: led-counter, id: led, leds: 4 }\n');
    const run = new VmProcess(['--plugin', EXAMPLE, '-M', 'virt', '-display', 'none', '-serial', 'null', '-readconfig', 'leds.yaml', '-S', '-qmp', 'unix:q.sock'], cwd);
    running.push(run);
    const qmp = await QmpClient.connect(join(cwd, 'q.sock'));
    const types = (await qmp.cmd('qom-list-types', { implements: 'device' })) as Array<{ name: string }>;
    expect(types.map((t) => t.name)).toContain('led-counter');
    expect(await qmp.cmd('qom-get', { path: '/machine/peripheral/led', property: 'leds' })).toBe(4);
    expect(await qmp.cmd('device-list-properties', { typename: 'led-counter' })).toContainEqual(expect.objectContaining({ name: 'leds', type: 'int' }));
    await qmp.cmd('quit');
    expect(await run.exited).toBe(0);
  });

  it('names a plugin that does not exist', async () => {
    const r = await runVmledger(['--plugin', './no-such-plugin', '-device', 'help']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--plugin ./no-such-plugin: no such file, folder or installed package');
  });
});

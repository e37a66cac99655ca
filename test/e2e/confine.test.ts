import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createKernel } from '../../kernel/index.js';
import { confinementFor, permissionFlags } from '../../main/confine.js';
import { DEFAULT_PLUGINS } from '../../main/default-plugins.js';
import { QmpClient, VmProcess } from './run-vmledger.js';

/** A plugin with a bug of the kind confinement is for: it reads host files itself, past the broker. */
const LEAKY_PLUGIN = `
import { readFileSync } from 'node:fs';
import { defineCommand, definePlugin, t } from 'vmledger';
export default definePlugin({
  name: 'leaky',
  version: '1',
  setup(h) {
    h.command(defineCommand({
      name: 'x-read-raw', args: t.object({ path: t.str() }), returns: t.str(), phases: 'any', kind: 'query', doc: 'reads a host file without the broker',
      handler: ({ path }) => { try { return readFileSync(path, 'utf8'); } catch (e) { return 'refused: ' + e.code; } },
    }));
  },
});
`;

/** A VM folder (its log in a folder of its own), a file outside it, and the leaky plugin. */
function layout() {
  const root = mkdtempSync(join(tmpdir(), 'vmledger-confine-'));
  const vm = join(root, 'vm');
  mkdirSync(join(vm, 'log'), { recursive: true });
  writeFileSync(join(root, 'outside.txt'), 'host secret');
  writeFileSync(join(vm, 'disk.img'), 'disk contents');
  writeFileSync(join(root, 'leaky.mjs'), LEAKY_PLUGIN);
  return { root, vm, outside: join(root, 'outside.txt'), plugin: join(root, 'leaky.mjs') };
}

async function start(confine: boolean) {
  const l = layout();
  const args = [...(confine ? ['--confine'] : []), '--plugin', l.plugin, '-log', 'log/vm.db', '-drive', 'file=disk.img,if=none,id=d0', '-qmp', 'unix:vm.qmp', '-S'];
  const vm = new VmProcess(args, l.vm);
  const qmp = await QmpClient.connect(join(l.vm, 'vm.qmp'));
  return { ...l, vm, qmp };
}

describe('--confine: the whole process under Node\'s permission model', () => {
  it('a plugin reading past the broker cannot read a file outside the set, but can read what the command line named', async () => {
    const { vm, qmp, outside } = await start(true);
    try {
      expect(await qmp.cmd('x-read-raw', { path: outside })).toBe('refused: ERR_ACCESS_DENIED');
      expect(await qmp.cmd('x-read-raw', { path: 'disk.img' })).toBe('disk contents');
      await qmp.cmd('quit');
      expect(await vm.exited).toBe(0);
    } finally {
      vm.kill();
    }
  });

  it('without --confine the same plugin reads it (the broker alone does not see such a read)', async () => {
    const { vm, qmp, outside } = await start(false);
    try {
      expect(await qmp.cmd('x-read-raw', { path: outside })).toBe('host secret');
      await qmp.cmd('quit');
    } finally {
      vm.kill();
    }
  });

  it('a monitor cannot open a host file the command line did not name, even with no sandbox', async () => {
    const { vm, qmp, outside } = await start(true);
    try {
      await expect(qmp.cmd('blockdev-add', { driver: 'file', 'node-name': 'stolen', filename: outside })).rejects.toMatchObject({ desc: expect.stringContaining(`Could not open '${outside}'`) });
      await qmp.cmd('quit');
    } finally {
      vm.kill();
    }
  });
});

describe('what --confine allows, computed from the command line', () => {
  it('the files its commands name (objects\' properties included), the sandbox folders, the log; reads apart from writes', async () => {
    const k = await createKernel({ plugins: DEFAULT_PLUGINS });
    const cwd = '/srv/vm';
    const { read, write } = confinementFor(
      ['-M', 'virt', '-bios', 'fw.bin', '-object', 'rng-random,id=r,filename=/dev/hwrng', '-chardev', 'file,id=c,path=console.log', '-sandbox', 'on,allow-paths.0=/srv/vm/shared', '-S'],
      k,
      ['/var/lib/vm/log/vm.db', '/var/lib/vm/log/vm.db-wal'],
      [],
      cwd,
    );
    expect(read).toEqual(expect.arrayContaining(['/srv/vm/fw.bin', '/dev/hwrng', '/dev/urandom', '/srv/vm/console.log', '/srv/vm/shared', '/var/lib/vm/log']));
    expect(write).toEqual(expect.arrayContaining(['/srv/vm/console.log', '/srv/vm/shared', '/var/lib/vm/log/vm.db', '/var/lib/vm/log/vm.db-wal']));
    expect(write).not.toContain('/srv/vm/fw.bin');
    expect(write).not.toContain('/dev/hwrng');
    const flags = permissionFlags({ read, write });
    expect(flags).toContain('--experimental-permission');
    // A folder grants what it holds: the log's files are not listed under their own folder again.
    expect(flags).toContain('--allow-fs-read=/var/lib/vm/log');
    expect(flags).not.toContain('--allow-fs-read=/var/lib/vm/log/vm.db');
    expect(flags.some((f) => f.startsWith('--allow-child-process'))).toBe(false);
    await k.close();
  });
});

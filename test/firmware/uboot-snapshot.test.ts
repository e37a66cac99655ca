/**
 * A snapshot taken in one vmledger process continues in another: U-Boot
 * is saved at its prompt over QMP, then answers the same commands in the
 * original process and in a fresh one started with -loadvm, and the two
 * consoles print the same bytes.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { AUTOBOOT, BOOT_TIMEOUT, FW, PROMPT, Qmp, SerialSocket, tempDir, Vm } from './helpers.js';
import { describeNeeding, lacking } from '../needs.js';

const NO_UBOOT = lacking('U-Boot (M-mode)');

const opened: Array<{ vm: Vm; serial: SerialSocket; qmp: Qmp }> = [];
afterEach(async () => {
  for (const o of opened.splice(0)) {
    o.serial.close();
    o.qmp.close();
    await o.vm.dispose();
  }
});

/** Starts U-Boot in `dir` (same configuration every time: same sockets, same snapshot directory); `extra` adds options that are not configuration. */
async function start(dir: string, log: string, extra: string[] = []): Promise<{ vm: Vm; serial: SerialSocket; qmp: Qmp }> {
  for (const s of ['serial.sock', 'qmp.sock']) rmSync(join(dir, s), { force: true });
  const vm = Vm.vmledger(
    [
      '-M', 'virt', '-m', '128M', '-bios', FW.ubootM, '-display', 'none',
      '-machine', `snapshot-dir=${dir}`,
      '-chardev', `socket,id=serial0,path=${join(dir, 'serial.sock')},server=on,wait=off`,
      '-qmp', `unix:${join(dir, 'qmp.sock')},server=on,wait=off`,
      '-log', join(dir, log),
      ...extra,
    ],
    dir,
  );
  const serial = await SerialSocket.connect(join(dir, 'serial.sock')).catch((e) => {
    throw new Error(`${e}\n${vm.err.text}`);
  });
  const qmp = await Qmp.connect(join(dir, 'qmp.sock'));
  const o = { vm, serial, qmp };
  opened.push(o);
  return o;
}

/** What the console prints for each command typed at the prompt. */
async function session(serial: SerialSocket): Promise<string> {
  let out = '';
  for (const line of ['version', 'md.l 0x80000000 0x20', 'printenv fdtcontroladdr', 'fdt addr ${fdtcontroladdr}; fdt print /chosen'])
    out += await serial.command(line);
  return out;
}

describeNeeding('U-Boot snapshot continued in a fresh process', NO_UBOOT, () => {
  it('prints the same console bytes after -loadvm as the original after savevm', async () => {
    const dir = tempDir();
    try {
      const a = await start(dir, 'a.db');
      await a.serial.out.waitFor(AUTOBOOT);
      await a.serial.type(' ');
      await a.serial.out.waitFor(PROMPT, a.serial.out.text.indexOf(AUTOBOOT));
      await a.qmp.cmd('savevm', { tag: 'prompt' });
      expect(readdirSync(dir)).toContain('prompt.vmsnap');
      const original = await session(a.serial);
      expect(original).toContain('U-Boot 20');
      await a.qmp.cmd('quit');
      await a.vm.exit();

      const b = await start(dir, 'b.db', ['-loadvm', 'prompt']);
      const continued = await session(b.serial);
      expect(continued).toBe(original);
      // Nothing was printed before the first command: the machine came back sitting at the prompt.
      expect(b.serial.out.text.startsWith('version')).toBe(true);
      await b.qmp.cmd('quit');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, BOOT_TIMEOUT * 2);

  it('refuses -loadvm of a snapshot from another configuration with one line, and exits', async () => {
    const dir = tempDir();
    try {
      const a = await start(dir, 'a.db', ['-S']);
      await a.qmp.cmd('until-phase', { phase: 'machine-ready' });
      await a.qmp.cmd('savevm', { tag: 'first' });
      await a.qmp.cmd('quit');
      await a.vm.exit();
      rmSync(join(dir, 'serial.sock'), { force: true });
      const b = Vm.vmledger(
        ['-M', 'virt', '-m', '256M', '-bios', FW.ubootM, '-display', 'none', '-machine', `snapshot-dir=${dir}`, '-log', join(dir, 'b.db'), '-loadvm', 'first'],
        dir,
      );
      opened.push({ vm: b, serial: { close() {} } as SerialSocket, qmp: { close() {} } as Qmp });
      const { code } = await b.exit(60_000);
      expect(code).not.toBe(0);
      expect(b.err.text).toMatch(/Snapshot 'first' cannot be loaded: it belongs to another configuration/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, BOOT_TIMEOUT);
});

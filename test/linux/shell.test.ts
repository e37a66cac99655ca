/**
 * Typing into Linux: an initramfs whose /init starts busybox's shell on the
 * console, the console on a socket chardev, and a test that types commands
 * and reads their output, as a person at the serial line would; the shell's
 * `poweroff -f` ends the process with status 0 and a SHUTDOWN event.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Qmp, SerialSocket, tempDir, Vm } from '../firmware/helpers.js';
import { LINUX_TIMEOUT, linuxCommandLine } from './boot.js';
import { INIT_MOUNTS, initramfsWithInit, linuxGuest, missingInitramfsTools } from './guest.js';
import { describeNeeding, firstMissing } from '../needs.js';

const PROMPT = 'vmledger-sh# ';
/**
 * /init: busybox's shell on the console as its controlling terminal, with
 * its applets on PATH, and kernel messages kept off the console so they do
 * not land between a command and its output.
 */
const INIT = `${INIT_MOUNTS}
/bin/busybox dmesg -n 1
/bin/busybox --install -s /bin
export PATH=/bin PS1='${PROMPT}'
exec /bin/busybox setsid /bin/busybox cttyhack /bin/busybox sh
`;

const guestOrMissing = await linuxGuest();
const missing = firstMissing(guestOrMissing.missing, missingInitramfsTools());

let vm: Vm;
let serial: SerialSocket;
let qmp: Qmp;

/**
 * Types `line` and Enter, waits for the next prompt, and returns what the
 * shell printed in between: the echo of the line, then its output (CRs and
 * the line editor's terminal queries, such as ESC [6n, removed).
 */
async function run(line: string): Promise<string> {
  const from = serial.out.text.length;
  await serial.type(`${line}\r`);
  const text = await serial.out.waitFor(PROMPT, from, LINUX_TIMEOUT);
  return text.slice(from, text.indexOf(PROMPT, from)).replace(/\r|\x1b\[[0-9;]*[A-Za-z]/g, '');
}

describeNeeding('busybox shell on the Linux console, through a socket chardev', missing, () => {
  beforeAll(async () => {
    const dir = tempDir();
    const initrd = initramfsWithInit(guestOrMissing.guest!, INIT, dir, 'initrd-shell.gz');
    const args = linuxCommandLine(guestOrMissing.guest!, initrd).filter((a) => a !== '-nographic');
    vm = Vm.vmledger([...args, '-display', 'none',
      '-chardev', `socket,id=serial0,path=${join(dir, 'serial.sock')},server=on,wait=off`,
      '-qmp', `unix:${join(dir, 'qmp.sock')},server=on,wait=off`], dir);
    serial = await SerialSocket.connect(join(dir, 'serial.sock'));
    qmp = await Qmp.connect(join(dir, 'qmp.sock'));
    await serial.out.waitFor(PROMPT, 0, LINUX_TIMEOUT);
  }, LINUX_TIMEOUT);
  afterAll(async () => {
    serial?.close();
    qmp?.close();
    await vm?.dispose();
  });

  it('runs a typed command and prints its output', async () => {
    const out = await run('echo "answer=$((6*7))"');
    expect(out).toMatch(/^echo "answer=\$\(\(6\*7\)\)"\n/);
    expect(out).toMatch(/\nanswer=42\n/);
  }, LINUX_TIMEOUT);

  it('takes a long line pasted in one write, without losing a character', async () => {
    const words = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
    const from = serial.out.text.length;
    serial.paste(`echo ${words} | wc -w\r`);
    const text = await serial.out.waitFor(PROMPT, from, LINUX_TIMEOUT);
    expect(text.slice(from).replace(/\r/g, '')).toMatch(/\n40\n/);
  }, LINUX_TIMEOUT);

  it('runs a pipeline over the kernel\'s files', async () => {
    expect(await run('grep -c ^processor /proc/cpuinfo')).toMatch(/\n1\n$/);
    expect(await run('uname -sm')).toMatch(/\nLinux riscv64\n$/);
  }, LINUX_TIMEOUT);

  it('turns poweroff -f typed at the prompt into a SHUTDOWN event and exit status 0', async () => {
    await serial.type('poweroff -f\r');
    expect((await qmp.event('SHUTDOWN', 0, LINUX_TIMEOUT)).data).toEqual({ guest: true, reason: 'guest-shutdown' });
    expect(await vm.exit(LINUX_TIMEOUT)).toEqual({ code: 0, signal: null });
  }, LINUX_TIMEOUT);
});

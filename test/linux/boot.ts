/**
 * Linux boots for the tests: issue 11's command line run to its end under
 * vmledger (with a QMP socket that records every event) or under QEMU, each
 * command line booted once per test file and shared by the tests that read it.
 */
import { join } from 'node:path';
import { consoleLines, FW, Qmp, tempDir, Vm } from '../firmware/helpers.js';
import type { LinuxGuest } from './guest.js';

/** Longest a whole Linux boot may take here: the interpreter on a loaded 2-core machine; no speed is asserted. */
export const LINUX_TIMEOUT = 20 * 60_000;

/** The command line both emulators get: issue 11's, with `initrd` and anything `extra`. */
export function linuxCommandLine(guest: LinuxGuest, initrd: string, extra: readonly string[] = []): string[] {
  return ['-M', 'virt', '-m', '256M', '-nographic', '-bios', FW.fwJump, '-kernel', guest.image, '-initrd', initrd, '-append', 'console=ttyS0', ...extra];
}

/** What one boot left behind. */
export interface Boot {
  /** Everything the serial console printed, CRs removed. */
  readonly console: string;
  readonly exit: { readonly code: number | null; readonly signal: NodeJS.Signals | null };
  /** QMP events in arrival order (vmledger only). */
  readonly events: ReadonlyArray<{ readonly event: string; readonly data?: Record<string, unknown> }>;
  readonly stderr: string;
}

/** The console's lines. */
export function lines(boot: Boot): string[] {
  return consoleLines(boot.console);
}

/** Boots vmledger with `args` plus a QMP socket and waits for the process to end. */
export async function bootVmledger(args: readonly string[], dir = tempDir()): Promise<Boot> {
  const qmpPath = join(dir, 'qmp.sock');
  const vm = Vm.vmledger([...args, '-qmp', `unix:${qmpPath},server=on,wait=off`], dir);
  try {
    const qmp = await Qmp.connect(qmpPath).catch((e: Error) => { throw new Error(`${e.message}\n${vm.err.text}`); });
    const exit = await vm.exit(LINUX_TIMEOUT).catch((e: Error) => { throw new Error(`${e.message}; console:\n${vm.out.text.slice(-3000)}\n${vm.err.text}`); });
    qmp.close();
    return { console: vm.out.text.replace(/\r/g, ''), exit, events: qmp.events, stderr: vm.err.text };
  } finally {
    await vm.dispose();
  }
}

/** Boots QEMU with `args` and waits for it to end. */
export async function bootQemu(args: readonly string[], dir = tempDir()): Promise<Boot> {
  const vm = Vm.qemu([...args], dir);
  try {
    const exit = await vm.exit(LINUX_TIMEOUT);
    return { console: vm.out.text.replace(/\r/g, ''), exit, events: [], stderr: vm.err.text };
  } finally {
    await vm.dispose();
  }
}

const boots = new Map<string, Promise<Boot>>();

/** `boot(args)` the first time this command line is asked for in this process, the same result after. */
export function bootOnce(boot: (args: readonly string[]) => Promise<Boot>, args: readonly string[]): Promise<Boot> {
  const key = `${boot.name}\0${args.join('\0')}`;
  let b = boots.get(key);
  if (!b) boots.set(key, (b = boot(args)));
  return b;
}

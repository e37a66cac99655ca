/**
 * Debian's riscv64 Linux on the virt board, with issue 11's command line and
 * vmledger in place of qemu-system-riscv64: the kernel boots to the
 * initramfs, whose /init prints GUEST-READY and runs `poweroff -f`, which
 * ends the process with status 0 and a SHUTDOWN event; the console says what
 * QEMU 7.2's says, except the differences listed in console-differences.ts.
 */
import { beforeAll, expect, it } from 'vitest';
import { QEMU } from '../firmware/helpers.js';
import { bootOnce, bootQemu, bootVmledger, LINUX_TIMEOUT, lines, linuxCommandLine } from './boot.js';
import { compareWithQemu } from './console-differences.js';
import { linuxGuest } from './guest.js';
import { describeNeeding, firstMissing, lacking } from '../needs.js';

const { guest, missing } = await linuxGuest();
const args = guest ? linuxCommandLine(guest, guest.initrd) : [];
const vmledger = () => bootOnce(bootVmledger, args);
const qemu = () => bootOnce(bootQemu, args);

// Both boots start at once; each test awaits the one it reads (a failure surfaces there).
beforeAll(() => {
  if (!guest) return;
  vmledger().catch(() => undefined);
  if (QEMU) qemu().catch(() => undefined);
});

describeNeeding('Linux boots on vmledger', missing, () => {
  it('runs the initramfs: prints GUEST-READY with the release the kernel announced', async () => {
    const boot = await vmledger();
    const release = /Linux version (\S+)/.exec(boot.console)?.[1];
    expect(release, boot.console.slice(-2000)).toMatch(/^6\.12\.\d+\+deb13-riscv64$/);
    expect(lines(boot)).toContain(`GUEST-READY ${release}`);
  }, LINUX_TIMEOUT);

  it('turns the guest\'s poweroff -f into a SHUTDOWN event and exit status 0', async () => {
    const boot = await vmledger();
    expect(boot.console).toMatch(/reboot: Power down\n?$/);
    expect(boot.events.find((e) => e.event === 'SHUTDOWN')?.data).toEqual({ guest: true, reason: 'guest-shutdown' });
    expect(boot.exit).toEqual({ code: 0, signal: null });
  }, LINUX_TIMEOUT);
});

describeNeeding('Linux console against QEMU 7.2', firstMissing(missing, lacking('qemu-system-riscv64')), () => {
  it('prints what QEMU prints for the same command line, line by line, except the listed differences', async () => {
    const [reference, ours] = await Promise.all([qemu(), vmledger()]);
    expect(reference.exit.code, reference.stderr).toBe(0);
    const { expected, got, unused } = compareWithQemu(lines(reference), lines(ours));
    // Each listed difference must really occur, or the list is stale.
    expect(unused).toEqual([]);
    expect(got).toEqual(expected);
  }, LINUX_TIMEOUT);
});

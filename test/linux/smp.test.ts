/**
 * `-smp 2`: both harts come online in Linux (OpenSBI starts the second
 * through SBI HSM) and /proc/cpuinfo lists two processors.
 */
import { expect, it } from 'vitest';
import { tempDir } from '../firmware/helpers.js';
import { bootOnce, bootVmledger, LINUX_TIMEOUT, lines, linuxCommandLine } from './boot.js';
import { INIT_MOUNTS, initramfsWithInit, linuxGuest, missingInitramfsTools } from './guest.js';
import { describeNeeding, firstMissing } from '../needs.js';

/** /init: print /proc/cpuinfo, then power off. */
const INIT = `${INIT_MOUNTS}
/bin/busybox cat /proc/cpuinfo
/bin/busybox poweroff -f
`;

const guestOrMissing = await linuxGuest();
const { guest } = guestOrMissing;
const missing = firstMissing(guestOrMissing.missing, missingInitramfsTools());
const initrd = !missing ? initramfsWithInit(guest!, INIT, tempDir(), 'initrd-cpuinfo.gz') : '';
const boot = () => bootOnce(bootVmledger, linuxCommandLine(guest!, initrd, ['-smp', '2']));

describeNeeding('Linux on two harts (-smp 2)', missing, () => {
  it('brings the second hart online', async () => {
    expect(lines(await boot())).toContainEqual(expect.stringMatching(/^\[\s*\d+\.\d+\] smp: Brought up 1 node, 2 CPUs$/));
  }, LINUX_TIMEOUT);

  it('lists both harts in /proc/cpuinfo', async () => {
    const b = await boot();
    expect(lines(b).filter((l) => /^processor\s*:/.test(l))).toEqual(['processor\t: 0', 'processor\t: 1']);
    // Linux numbers the hart that won OpenSBI's boot lottery processor 0, whichever it is.
    expect(lines(b).filter((l) => /^hart\s*:/.test(l)).sort()).toEqual(['hart\t\t: 0', 'hart\t\t: 1']);
    expect(b.exit.code).toBe(0);
  }, LINUX_TIMEOUT);
});

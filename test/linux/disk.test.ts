/**
 * The disk variant of issue 11's guest: a raw image behind virtio-blk on
 * virtio-mmio, read by Linux's virtio_mmio and virtio_blk drivers; /init
 * prints the disk's first 16 bytes, and vmledger's line is QEMU's.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { QEMU, tempDir } from '../firmware/helpers.js';
import { bootOnce, bootQemu, bootVmledger, LINUX_TIMEOUT, lines, linuxCommandLine } from './boot.js';
import { normalize } from './console-differences.js';
import { linuxGuest } from './guest.js';
import { describeNeeding, firstMissing, lacking } from '../needs.js';

/** The disk's first bytes, which the guest prints in hex. */
const HEAD = Buffer.from('vmledger-disk!\r\n', 'latin1');
const image = join(tempDir(), 'd.img');
const disk = Buffer.alloc(1024 * 1024);
HEAD.copy(disk);
writeFileSync(image, disk);

const { guest, missing } = await linuxGuest();
const args = guest ? linuxCommandLine(guest, guest.initrdDisk, ['-drive', `file=${image},if=none,id=d,format=raw`, '-device', 'virtio-blk-device,drive=d']) : [];
const vmledger = () => bootOnce(bootVmledger, args);
const qemu = () => bootOnce(bootQemu, args);

beforeAll(() => {
  if (!guest) return;
  vmledger().catch(() => undefined);
  if (QEMU) qemu().catch(() => undefined);
});

const diskLine = (console: string[]) => console.find((l) => l.startsWith('DISK: '));

describeNeeding('Linux reads a virtio-blk disk on vmledger', missing, () => {
  it('prints the first 16 bytes of /dev/vda', async () => {
    const boot = await vmledger();
    expect(diskLine(lines(boot)), boot.console.slice(-3000)).toBe(`DISK: ${HEAD.toString('hex')}`);
    expect(boot.exit.code).toBe(0);
  }, LINUX_TIMEOUT);
});

describeNeeding('Linux virtio-blk disk against QEMU 7.2', firstMissing(missing, lacking('qemu-system-riscv64')), () => {
  it('prints the same DISK line and the same virtio_blk lines as QEMU', async () => {
    const [reference, ours] = await Promise.all([qemu(), vmledger()]);
    expect(diskLine(lines(ours))).toBe(diskLine(lines(reference)));
    const blk = (b: typeof ours) => lines(b).map(normalize).filter((l) => l.startsWith('virtio_blk '));
    expect(blk(reference).length).toBeGreaterThan(0);
    expect(blk(ours)).toEqual(blk(reference));
  }, LINUX_TIMEOUT);
});

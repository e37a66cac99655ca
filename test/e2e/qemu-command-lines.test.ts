/**
 * The command lines a QEMU user (a tutorial, libvirt, libguestfs) already
 * has: each is accepted as QEMU accepts it, or refused with one line that
 * says what vmledger does instead. Every line runs the same way on
 * vmledger and, where it makes sense, on qemu-system-riscv64 7.2: paused
 * (-S) with a QMP monitor on stdin that quits, so "accepted" means the VM
 * was built and answered, and "refused" means it stopped at the option.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { QEMU } from '../firmware/helpers.js';
import { describeNeeding, lacking } from '../needs.js';
import { VMLEDGER } from './run-vmledger.js';

/** What a line does: accepted (with these warnings on stderr, if any), or refused with one line matching. */
type Outcome = { accepted: true; warns?: RegExp } | { refused: RegExp };

interface Row {
  /** The options under test; the harness adds -S, -display none, -nodefaults and the QMP monitor. */
  readonly args: readonly string[];
  /** Files the line names, written into its folder first (besides disk.img, 1 MiB of zeros). */
  readonly files?: Readonly<Record<string, string>>;
  readonly vmledger: Outcome;
  /** QEMU 7.2's outcome for the same line; absent where running it makes no sense (-daemonize forks away). */
  readonly qemu?: 'accepted' | 'refused';
}

const ok: Outcome = { accepted: true };
const refused = (line: RegExp): Outcome => ({ refused: line });
const M = ['-M', 'virt'];

/** The table: one row per point of the issue, accepted and refused values side by side. */
const ROWS: readonly Row[] = [
  // Accelerators: vmledger is an emulator, as QEMU's tcg.
  { args: ['-M', 'virt,accel=tcg'], vmledger: ok, qemu: 'accepted' },
  { args: ['-M', 'virt,accel=kvm:tcg'], vmledger: { accepted: true, warns: /^vmledger: warning: -machine accel: invalid accelerator kvm \(KVM is not available.*\); falling back to tcg\n$/ }, qemu: 'accepted' },
  { args: ['-M', 'virt,accel=kvm'], vmledger: refused(/KVM is not available: vmledger emulates the CPU/), qemu: 'refused' },
  { args: [...M, '-accel', 'tcg'], vmledger: ok, qemu: 'accepted' },
  { args: [...M, '-accel', 'tcg,thread=single'], vmledger: ok, qemu: 'accepted' },
  { args: [...M, '-accel', 'kvm'], vmledger: refused(/-accel: KVM is not available/), qemu: 'refused' },
  { args: [...M, '-accel', 'kvm', '-accel', 'tcg'], vmledger: { accepted: true, warns: /^vmledger: warning: -accel kvm: invalid accelerator kvm \(KVM is not available.*\); falling back to tcg\n$/ }, qemu: 'accepted' },
  { args: [...M, '-enable-kvm'], vmledger: refused(/KVM is not available/), qemu: 'refused' },
  // Machine keys QEMU has beyond the board's properties.
  { args: ['-M', 'virt,usb=off,dump-guest-core=off'], vmledger: ok, qemu: 'accepted' },
  { args: ['-M', 'virt,aclint=off,aia=none'], vmledger: ok, qemu: 'accepted' },
  { args: ['-M', 'virt,aclint=on'], vmledger: refused(/aclint=on: the board has a SiFive CLINT, not ACLINT/), qemu: 'accepted' },
  { args: ['-M', 'virt,aia=aplic-imsic'], vmledger: refused(/aia=aplic-imsic: the board has a PLIC, no AIA/), qemu: 'accepted' },
  // -smp: QEMU's topology and its consistency checks.
  { args: [...M, '-smp', '2'], vmledger: ok, qemu: 'accepted' },
  { args: [...M, '-smp', 'cpus=4,sockets=1,cores=2,threads=2,maxcpus=4'], vmledger: ok, qemu: 'accepted' },
  { args: [...M, '-smp', 'sockets=2,cores=2'], vmledger: ok, qemu: 'accepted' },
  { args: [...M, '-smp', '2,maxcpus=4'], vmledger: ok, qemu: 'accepted' },
  { args: [...M, '-smp', 'cpus=4,cores=3'], vmledger: refused(/product of the hierarchy must match maxcpus: sockets \(1\) \* cores \(3\) \* threads \(1\) != maxcpus \(4\)/), qemu: 'refused' },
  { args: [...M, '-smp', 'cpus=4,maxcpus=2'], vmledger: refused(/maxcpus must be equal to or greater than smp/), qemu: 'refused' },
  { args: [...M, '-smp', '2,dies=2'], vmledger: refused(/dies not supported by this machine's CPU topology/), qemu: 'refused' },
  { args: [...M, '-smp', '2,clusters=2'], vmledger: refused(/clusters not supported by this machine's CPU topology/), qemu: 'refused' },
  // Values that cannot work are refused when the option is read, also under -S.
  { args: [...M, '-smp', 'cpus=2,cores=0'], vmledger: { accepted: true, warns: /^vmledger: warning: -smp cpus=2,cores=0: Deprecated CPU topology \(considered invalid\): CPU topology parameters must be greater than zero\n$/ }, qemu: 'accepted' },
  { args: [...M, '-smp', '513'], vmledger: refused(/Invalid number of CPUs 513/), qemu: 'refused' },
  // QEMU 7.2 takes up to 512 harts on virt, vmledger's board 8; QEMU reads -m 0 as its default size.
  { args: [...M, '-smp', '9'], vmledger: refused(/Invalid number of CPUs 9: the virt board here takes 1 to 8/), qemu: 'accepted' },
  { args: [...M, '-m', '0'], vmledger: refused(/Invalid RAM size 0/), qemu: 'accepted' },
  { args: [...M, '-device', 'virtio-blk-device,drive=nope'], vmledger: refused(/device_add: Property 'drive': no block-node named 'nope'/), qemu: 'refused' },
  { args: [...M, '-cpu', 'max'], vmledger: refused(/CPU type 'max' is not available/), qemu: 'refused' },
  { args: [...M, '-cpu', 'no-such-cpu'], vmledger: refused(/no-such-cpu/), qemu: 'refused' },
  // Clocks, boot order, host resources.
  { args: [...M, '-rtc', 'base=utc,clock=host,driftfix=none'], vmledger: ok, qemu: 'accepted' },
  { args: [...M, '-rtc', 'base=localtime'], vmledger: refused(/-rtc base=localtime: the RTC follows the host clock in UTC/), qemu: 'accepted' },
  { args: [...M, '-boot', 'order=c,menu=off,strict=on'], vmledger: ok, qemu: 'accepted' },
  { args: [...M, '-boot', 'c'], vmledger: ok, qemu: 'accepted' },
  { args: [...M, '-overcommit', 'mem-lock=off,cpu-pm=off'], vmledger: ok, qemu: 'accepted' },
  { args: [...M, '-overcommit', 'mem-lock=on'], vmledger: refused(/mem-lock=on: vmledger cannot lock guest memory/), qemu: 'accepted' },
  { args: [...M, '-msg', 'timestamp=off'], vmledger: ok, qemu: 'accepted' },
  { args: [...M, '-msg', 'timestamp=on'], vmledger: refused(/timestamp=on: vmledger does not time-stamp its messages/), qemu: 'accepted' },
  // Devices the board does not have, asked for as absent.
  { args: [...M, '-nic', 'none'], vmledger: ok, qemu: 'accepted' },
  { args: [...M, '-net', 'none'], vmledger: ok, qemu: 'accepted' },
  { args: [...M, '-vga', 'none'], vmledger: ok, qemu: 'accepted' },
  { args: [...M, '-bios', 'default'], vmledger: ok, qemu: 'accepted' },
  { args: [...M, '-bios', 'none', '-kernel', 'disk.img'], vmledger: ok, qemu: 'accepted' },
  { args: [...M, '-bios', 'none'], vmledger: refused(/-bios none without -kernel leaves nothing to run/), qemu: 'accepted' },
  { args: [...M, '-bios', 'default', '-kernel', 'disk.img'], vmledger: refused(/vmledger ships no OpenSBI/), qemu: 'accepted' },
  { args: [...M, '-uuid', '5b2a3b5e-7d0e-4a51-9b39-0c1f4e9d2a10'], vmledger: ok, qemu: 'accepted' },
  { args: [...M, '-uuid', 'nope'], vmledger: refused(/Fail to parse UUID string 'nope'/), qemu: 'refused' },
  { args: [...M, '-d', 'int', '-D', 'log.txt'], vmledger: refused(/vmledger keeps no QEMU debug log/), qemu: 'accepted' },
  // Lifetimes.
  { args: [...M, '-pidfile', 'vm.pid'], vmledger: ok, qemu: 'accepted' },
  { args: [...M, '-daemonize'], vmledger: refused(/vmledger does not detach from its terminal/) },
  { args: [...M, '-no-shutdown', '-action', 'panic=pause'], vmledger: ok, qemu: 'accepted' },
  // Disks as tutorials and libvirt write them.
  { args: [...M, '-snapshot', '-drive', 'file=disk.img,format=raw,if=virtio'], vmledger: ok, qemu: 'accepted' },
  { args: [...M, '-drive', 'file=disk.img,format=raw,if=none,id=d0,aio=threads,discard=unmap,detect-zeroes=unmap,cache=none'], vmledger: ok, qemu: 'accepted' },
  { args: [...M, '-drive', 'file=disk.img,format=raw,if=none,id=d0,aio=fast'], vmledger: refused(/aio=fast/), qemu: 'refused' },
  // libvirt's disks: a file node, a raw format node on it, the device on the format node.
  {
    args: [
      ...M,
      '-blockdev', '{"driver":"file","filename":"disk.img","node-name":"libvirt-1-storage","auto-read-only":true,"discard":"unmap","cache":{"direct":false,"no-flush":false}}',
      '-blockdev', '{"node-name":"libvirt-1-format","read-only":false,"discard":"unmap","cache":{"direct":false,"no-flush":false},"driver":"raw","file":"libvirt-1-storage"}',
      '-device', 'virtio-blk-device,drive=libvirt-1-format,id=virtio-disk0,bootindex=1',
    ],
    vmledger: ok,
    qemu: 'accepted',
  },
  { args: [...M, '-blockdev', '{"driver":"raw","node-name":"f","file":"nope"}'], vmledger: refused(/Cannot find device='' nor node-name='nope'/), qemu: 'refused' },
  // Monitors: -mon's implied key is chardev.
  { args: [...M, '-chardev', 'null,id=c', '-mon', 'c'], vmledger: ok, qemu: 'accepted' },
  // Two readers of the terminal would split the keystrokes: refused unless multiplexed (the harness's own monitor is on stdio too).
  { args: [...M, '-serial', 'stdio', '-monitor', 'stdio'], vmledger: refused(/-monitor.*cannot use stdio by multiple character devices \(chardev 'serial0' has it; share it with mon:stdio or mux=on\)/), qemu: 'refused' },
  { args: [...M, '-nographic', '-monitor', 'stdio'], vmledger: refused(/cannot use stdio by multiple character devices/), qemu: 'refused' },
  // QEMU's own config file format.
  { args: ['-readconfig', 'vm.cfg'], files: { 'vm.cfg': '# qemu config file\n\n[machine]\n  type = "virt"\n  accel = "tcg"\n\n[memory]\n  size = "256"\n\n[drive "d0"]\n  file = "disk.img"\n  format = "raw"\n  if = "none"\n\n[device "disk0"]\n  driver = "virtio-blk-device"\n  drive = "d0"\n' }, vmledger: ok, qemu: 'accepted' },
];

const QMP_SCRIPT = '{"execute":"qmp_capabilities"}\n{"execute":"quit"}\n';

/** Runs one line on a program (vmledger or QEMU) in a fresh folder holding a small disk image; resolves with its status and stderr. */
function runLine(program: readonly string[], { args, files = {} }: Row): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'vmledger-qemu-line-'));
  writeFileSync(join(cwd, 'disk.img'), Buffer.alloc(1024 * 1024));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(cwd, name), text);
  const child = spawn(program[0]!, [...program.slice(1), ...args, '-S', '-display', 'none', '-nodefaults', '-qmp', 'stdio'], { cwd });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  // A refused line may exit before it reads its input.
  child.stdin.on('error', () => undefined);
  child.stdin.end(QMP_SCRIPT);
  const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    }),
  );
}

const describeLine = (r: Row) => r.args.join(' ');

describe('QEMU command lines on vmledger', () => {
  it.each(ROWS.map((r) => [describeLine(r), r] as const))('%s', async (_name, row) => {
    const { code, stderr, stdout } = await runLine([process.execPath, VMLEDGER], row);
    if ('refused' in row.vmledger) {
      expect({ code, lines: stderr.trimEnd().split('\n').length }).toEqual({ code: 1, lines: 1 });
      expect(stderr).toMatch(row.vmledger.refused);
      return;
    }
    expect({ code, stderr: row.vmledger.warns ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    if (row.vmledger.warns) expect(stderr).toMatch(row.vmledger.warns);
    expect(stdout).toContain('"return"');
  });
});

describeNeeding('the same command lines on QEMU 7.2', lacking('qemu-system-riscv64'), () => {
  it.each(ROWS.filter((r) => r.qemu).map((r) => [describeLine(r), r] as const))('%s', async (_name, row) => {
    const { code, stderr } = await runLine([QEMU!], row);
    expect({ code: code === 0 ? 'accepted' : 'refused', stderr: code === 0 ? '' : stderr.split('\n')[0] }).toMatchObject({ code: row.qemu });
  });
});

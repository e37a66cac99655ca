/**
 * QEMU options whose meaning here is settled by one row each: accepted
 * because they change nothing a vmledger VM does (`-accel tcg`, `-vga none`,
 * `-nic none`), accepted with what they mean here, or refused with one line
 * that says what vmledger does instead (`-enable-kvm`, `-daemonize`). The
 * rows join the option table (options.ts), so help lists them too.
 */
import { parseBool } from '../feed/coerce.js';
import { parseKeyval, type KeyvalValue } from '../feed/keyval.js';
import type { ExpandContext, OptionSpec } from './option-spec.js';

/** Why an accelerator other than TCG is refused, as one sentence. */
const NO_KVM = 'KVM is not available: vmledger emulates the CPU in software, as QEMU does with -accel tcg';

/** A keyval argument (with an implied first key) as strings; nested values are refused. */
function keyvals(option: string, value: string, implied?: string): Record<string, string> {
  const { value: kv, help } = parseKeyval(value, implied);
  if (help) throw new Error(`'help' is not available for ${option}`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(kv)) {
    if (typeof v !== 'string') throw new Error(`${option} ${k} takes a single value`);
    out[k] = v;
  }
  return out;
}

/**
 * Per key of an option, what each value means: `true` for a harmless value
 * (accepted, nothing to do), a string for a refusal (the reason), or a
 * function for a value that needs reading. A key absent from the table is
 * one the option does not take here.
 */
type KeyRule = Readonly<Record<string, true | string>> | ((value: string, cx: ExpandContext) => void);

/** Checks every key of an option's argument against its rules. */
function checkKeys(option: string, kv: Record<string, string>, rules: Readonly<Record<string, KeyRule>>, cx: ExpandContext): void {
  for (const [key, value] of Object.entries(kv)) {
    const rule = rules[key];
    if (!rule) throw new Error(`${option} does not take parameter '${key}' here (known: ${Object.keys(rules).join(', ')})`);
    if (typeof rule === 'function') {
      rule(value, cx);
      continue;
    }
    const verdict = rule[value] ?? rule['*'];
    if (verdict === undefined) throw new Error(`${option} ${key}=${value}: not a value vmledger takes (${Object.keys(rule).filter((v) => v !== '*').join(', ')})`);
    if (verdict !== true) throw new Error(`${option} ${key}=${value}: ${verdict}`);
  }
}

/** An option whose argument is checked by key rules and then means nothing more. */
function keyed(option: string, rules: Readonly<Record<string, KeyRule>>, implied?: string): OptionSpec['expand'] {
  return (value, cx) => (checkKeys(option, keyvals(option, value, implied), rules, cx), []);
}

/** A flag refused with a reason. */
function refused(reason: string): OptionSpec['expand'] {
  return () => {
    throw new Error(reason);
  };
}

/** `accel=kvm:tcg`, `-accel kvm`: the accelerators tried in order; QEMU warns for each one it cannot start and takes the next. */
function accelerators(option: string, list: string, cx: ExpandContext): void {
  const names = list.split(':');
  for (const name of names) {
    if (name === 'tcg') return;
    if (!['kvm', 'xen', 'hvf', 'whpx', 'nvmm', 'hax', 'qtest'].includes(name)) throw new Error(`${option}: invalid accelerator ${name}`);
    if (name !== names.at(-1)) cx.settings.warnings.push(`${option}: invalid accelerator ${name} (${NO_KVM}); falling back to ${names.at(-1)}`);
  }
  throw new Error(`${option}: ${NO_KVM}`);
}

/** `-accel` may be repeated, as in QEMU: each is tried in order, so a later `-accel tcg` saves an earlier `-accel kvm`. */
const accelOption: OptionSpec['expand'] = (value, cx) => {
  const kv = keyvals('-accel', value, 'accel');
  const laterTcg = cx.argv.some((a, i) => cx.argv[i - 1] === '-accel' && a.split(',')[0] === 'tcg');
  const accel = kv['accel'] ?? '';
  if (accel !== 'tcg' && laterTcg) {
    cx.settings.warnings.push(`-accel ${accel}: invalid accelerator ${accel} (${NO_KVM}); falling back to tcg`);
    return [];
  }
  accelerators('-accel', accel, cx);
  const rest = Object.fromEntries(Object.entries(kv).filter(([k]) => k !== 'accel'));
  checkKeys('-accel tcg', rest, { thread: { single: true, multi: true }, 'tb-size': () => undefined, 'one-insn-per-tb': { on: true, off: true } }, cx);
  return [];
};

/**
 * Keys QEMU's `-machine` takes beyond the board's own properties, and what
 * each means on vmledger's virt board; `-machine` takes them out before the
 * rest becomes `machine-set`.
 */
export const MACHINE_COMPAT_KEYS: Readonly<Record<string, KeyRule>> = {
  accel: (v, cx) => accelerators('-machine accel', v, cx),
  usb: { off: true, on: 'the virt board has no USB controller (usb=off)' },
  'dump-guest-core': { on: true, off: true },
  'mem-merge': { on: true, off: true },
  graphics: { on: true, off: true },
  aclint: { off: true, on: 'the board has a SiFive CLINT, not ACLINT devices (aclint=off)' },
  aia: { none: true, '*': 'the board has a PLIC, no AIA (APLIC, IMSIC) interrupt controllers (aia=none)' },
  'suppress-vmdesc': { on: true, off: true },
};

/** Takes QEMU's non-board `-machine` keys out of a keyval argument, checking each; what remains is for `machine-set`. */
export function machineCompatKeys(kv: Record<string, KeyvalValue>, cx: ExpandContext): Record<string, KeyvalValue> {
  const rest: Record<string, KeyvalValue> = {};
  for (const [k, v] of Object.entries(kv)) {
    if (!(k in MACHINE_COMPAT_KEYS)) rest[k] = v;
    else if (typeof v !== 'string') throw new Error(`-machine ${k} takes a single value`);
    else checkKeys('-machine', { [k]: v }, { [k]: MACHINE_COMPAT_KEYS[k]! }, cx);
  }
  return rest;
}

/** `-rtc base=utc`: the board's RTC follows the host's clock in UTC, which is QEMU's default. */
const RTC_KEYS: Readonly<Record<string, KeyRule>> = {
  base: { utc: true, '*': 'the RTC follows the host clock in UTC (base=utc); another base is not available' },
  clock: { host: true, rt: true, vm: true },
  driftfix: { none: true, slew: true },
};

/** `-boot`: QEMU's RISC-V boards take it and leave the boot order to the firmware, which finds the disks itself. */
const BOOT_KEYS: Readonly<Record<string, KeyRule>> = {
  order: () => undefined,
  once: () => undefined,
  menu: (v) => void parseBool(v, 'menu'),
  splash: () => undefined,
  'splash-time': () => undefined,
  'reboot-timeout': () => undefined,
  strict: (v) => void parseBool(v, 'strict'),
};

/** `-overcommit`: vmledger neither locks guest memory nor passes power management to the guest. */
const OVERCOMMIT_KEYS: Readonly<Record<string, KeyRule>> = {
  'mem-lock': { off: true, on: 'vmledger cannot lock guest memory in host RAM' },
  'cpu-pm': { off: true, on: 'power management belongs to KVM guests; vmledger emulates the CPU' },
};

/** `-msg`: vmledger's messages carry no time stamp; the command log records when each command ran. */
const MSG_KEYS: Readonly<Record<string, KeyRule>> = {
  timestamp: { off: true, on: 'vmledger does not time-stamp its messages; the command log records when every command ran (vmledger log audit)' },
  'guest-name': { off: true, on: 'vmledger does not prefix its messages with the guest name' },
};

/** The QEMU options settled here, in the order `--help` lists them. */
export const QEMU_COMPAT_OPTIONS: readonly OptionSpec[] = [
  { names: ['-accel'], arg: 'tcg[,thread=single|multi]', doc: 'accepted: vmledger emulates the CPU, as tcg does; kvm and the other accelerators are refused', expand: accelOption },
  { names: ['-enable-kvm'], doc: 'refused: no KVM, vmledger emulates the CPU', expand: refused(NO_KVM) },
  { names: ['-rtc'], arg: 'base=utc[,clock=host|rt|vm][,driftfix=none|slew]', doc: "accepted: the RTC follows the host clock in UTC, QEMU's default", expand: keyed('-rtc', RTC_KEYS) },
  { names: ['-boot'], arg: '[order=..][,once=..][,menu=on|off][,strict=on|off]...', doc: "accepted: the firmware chooses the boot disk, as on QEMU's RISC-V boards", expand: keyed('-boot', BOOT_KEYS, 'order') },
  { names: ['-overcommit'], arg: 'mem-lock=off[,cpu-pm=off]', doc: 'accepted with off; on is refused', expand: keyed('-overcommit', OVERCOMMIT_KEYS) },
  { names: ['-msg'], arg: 'timestamp=off[,guest-name=off]', doc: 'accepted with off; on is refused (the command log records the time of every command)', expand: keyed('-msg', MSG_KEYS) },
  {
    names: ['-vga'],
    arg: 'none',
    doc: 'accepted with none: vmledger has no display',
    expand: (v) => {
      if (v !== 'none') throw new Error(`VGA '${v}' is not available: vmledger has no display (-vga none)`);
      return [];
    },
  },
  {
    names: ['-nic', '-net'],
    arg: 'none',
    doc: 'accepted with none: the board has no network device yet',
    expand: (v) => {
      if (v.split(',')[0] !== 'none') throw new Error(`'${v}' is not available: the board has no network device yet (none)`);
      return [];
    },
  },
  {
    names: ['-d'],
    arg: 'ITEM,...',
    doc: "refused: vmledger keeps no QEMU debug log; guest faults stop the VM with the hart, pc and cause (query-status)",
    expand: refused("vmledger keeps no QEMU debug log (-d); a guest whose trap handler faults is stopped with the hart, pc, cause and tval in query-status, and every command is in the command log (vmledger log audit)"),
  },
  {
    names: ['-D'],
    arg: 'FILE',
    doc: 'refused: there is no debug log to write (see -d)',
    expand: refused('vmledger keeps no QEMU debug log to write to a file (-D); see -d'),
  },
  {
    names: ['-daemonize'],
    doc: 'refused: vmledger stays in the foreground; run it under a supervisor',
    expand: refused('vmledger does not detach from its terminal: run it under a supervisor (systemd, or nohup ... &) and wait for its monitor socket'),
  },
];

/**
 * `-smp [cpus=]N[,maxcpus=M][,sockets=S][,dies=D][,clusters=C][,cores=C][,threads=T]`
 * read as QEMU 7.2 reads it (hw/core/machine-smp.c): omitted members are
 * computed from the given ones, preferring cores over sockets, and the
 * result must be consistent. vmledger's board has one flat set of harts, so
 * what reaches the machine is the number of CPUs; the board refuses a
 * number it cannot build when it is given.
 */
import { parseSize } from '../feed/coerce.js';
import { parseKeyval } from '../feed/keyval.js';

const MEMBERS = ['cpus', 'maxcpus', 'sockets', 'dies', 'clusters', 'cores', 'threads'] as const;
type Member = (typeof MEMBERS)[number];

/**
 * Levels of the hierarchy the RISC-V virt board does not have: as in QEMU,
 * each may be omitted or 1, and more is refused.
 */
const UNSUPPORTED_LEVELS = ['dies', 'clusters'] as const;

/**
 * The number of harts an `-smp` argument asks for; throws QEMU's sentence
 * for an inconsistent topology. A member given as 0 counts as omitted, with
 * QEMU's deprecation warning passed to `warn`.
 */
export function smpCpus(value: string, warn: (message: string) => void = () => undefined): number {
  const { value: kv, help } = parseKeyval(value, 'cpus');
  if (help) throw new Error("'help' is not available for -smp");
  const given: Partial<Record<Member, number>> = {};
  for (const [k, v] of Object.entries(kv)) {
    if (!(MEMBERS as readonly string[]).includes(k)) throw new Error(`-smp does not take parameter '${k}' (${MEMBERS.join(', ')})`);
    if (typeof v !== 'string') throw new Error(`-smp ${k} must be a number`);
    given[k as Member] = parseSize(v, k);
  }
  if (MEMBERS.some((k) => given[k] === 0)) warn('Deprecated CPU topology (considered invalid): CPU topology parameters must be greater than zero');
  for (const level of UNSUPPORTED_LEVELS)
    if ((given[level] ?? 1) > 1) throw new Error(`${level} not supported by this machine's CPU topology`);
  let { cpus = 0, maxcpus = 0, sockets = 0, cores = 0, threads = 0 } = given;
  if (cpus === 0 && maxcpus === 0) {
    sockets ||= 1;
    cores ||= 1;
    threads ||= 1;
  } else {
    maxcpus ||= cpus;
    // QEMU has preferred cores over sockets since 6.2.
    if (cores === 0) {
      sockets ||= 1;
      threads ||= 1;
      cores = Math.floor(maxcpus / (sockets * threads));
    } else if (sockets === 0) {
      threads ||= 1;
      sockets = Math.floor(maxcpus / (cores * threads));
    }
    if (threads === 0) threads = Math.floor(maxcpus / (sockets * cores));
  }
  maxcpus ||= sockets * cores * threads;
  cpus ||= maxcpus;
  const hierarchy = `sockets (${sockets}) * cores (${cores}) * threads (${threads})`;
  if (sockets * cores * threads !== maxcpus)
    throw new Error(`Invalid CPU topology: product of the hierarchy must match maxcpus: ${hierarchy} != maxcpus (${maxcpus})`);
  if (maxcpus < cpus)
    throw new Error(`Invalid CPU topology: maxcpus must be equal to or greater than smp: ${hierarchy} == maxcpus (${maxcpus}) < smp_cpus (${cpus})`);
  return cpus;
}

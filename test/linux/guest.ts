/**
 * The Linux guest the tests boot: Debian's riscv64 kernel and static busybox,
 * fetched once by scripts/get-debian-riscv-linux.sh into a git-ignored cache
 * in the repository (.cache/linux-guest; `.ci/run` fetches it before the
 * tests), and initramfs variants built from its busybox with another /init.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CACHE = fileURLToPath(new URL('../../.cache', import.meta.url));
/** Where the fetched guest lives. */
export const GUEST_DIR = join(CACHE, 'linux-guest');
const SCRIPT = fileURLToPath(new URL('../../scripts/get-debian-riscv-linux.sh', import.meta.url));
const LOCK = join(CACHE, 'linux-guest.lock');
/** Why the last fetch failed; test files of the same run read it instead of fetching again. */
const FAILED = join(CACHE, 'linux-guest.failed');
const FAILURE_KEPT_MS = 10 * 60_000;
const FETCH_TIMEOUT_MS = 30 * 60_000;

/** The programs the fetch script and the initramfs builder run, with the Debian package of each. */
const TOOLS: ReadonlyArray<readonly [tool: string, pkg: string]> = [['apt-get', 'apt'], ['dpkg', 'dpkg'], ['cpio', 'cpio'], ['gzip', 'gzip'], ['xz', 'xz-utils']];

/** The fetched guest's files. */
export interface LinuxGuest {
  /** The kernel (arch/riscv/boot/Image). */
  readonly image: string;
  /** /init prints "GUEST-READY <release>" and powers off. */
  readonly initrd: string;
  /** Also prints the first 16 bytes of /dev/vda as "DISK: <hex>". */
  readonly initrdDisk: string;
}

const FILES = { image: 'Image', initrd: 'initrd.gz', initrdDisk: 'initrd-disk.gz' } as const;

/** The guest, or one line saying what is missing. */
export type GuestOrMissing = { readonly guest: LinuxGuest; readonly missing?: undefined } | { readonly guest?: undefined; readonly missing: string };

function cached(): LinuxGuest | undefined {
  const guest = Object.fromEntries(Object.entries(FILES).map(([k, f]) => [k, join(GUEST_DIR, f)])) as unknown as LinuxGuest;
  return Object.values(guest).every((p) => existsSync(p)) ? guest : undefined;
}

function missingTools(tools = TOOLS): string | undefined {
  const absent = tools.filter(([tool]) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  return absent.length ? `${absent.map(([t]) => t).join(', ')} (apt-get install ${[...new Set(absent.map(([, p]) => p))].join(' ')})` : undefined;
}

function recentFailure(): string | undefined {
  try {
    if (Date.now() - statSync(FAILED).mtimeMs < FAILURE_KEPT_MS) return readFileSync(FAILED, 'utf8');
  } catch {
    // no failure recorded
  }
  return undefined;
}

/** Takes the fetch lock (another test file may be fetching); false when it stayed taken past the fetch timeout. */
async function lock(): Promise<boolean> {
  mkdirSync(CACHE, { recursive: true });
  const deadline = Date.now() + FETCH_TIMEOUT_MS;
  for (;;) {
    try {
      mkdirSync(LOCK);
      return true;
    } catch {
      // A lock older than any fetch belongs to a process that died.
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > FETCH_TIMEOUT_MS) rmSync(LOCK, { recursive: true, force: true });
      } catch {
        // released meanwhile
      }
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

function runScript(out: string): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn('bash', [SCRIPT, out], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), FETCH_TIMEOUT_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const last = err.trim().split('\n').pop() ?? '';
      if (code === 0) done();
      else fail(new Error(signal ? `killed by ${signal} after ${FETCH_TIMEOUT_MS / 60_000} min` : `exit status ${code}${last ? `: ${last}` : ''}`));
    });
  });
}

/**
 * The guest from the cache, fetching it first if it is not there yet (once:
 * concurrent test files wait for one fetch, and a failure is not retried by
 * the rest of the same run).
 */
export async function linuxGuest(): Promise<GuestOrMissing> {
  const have = cached();
  if (have) return { guest: have };
  const what = `Debian's riscv64 Linux guest in ${GUEST_DIR}`;
  const tools = missingTools();
  if (tools) return { missing: `${what}: fetching it needs ${tools}` };
  const failed = recentFailure();
  if (failed) return { missing: failed };
  if (!(await lock())) return { missing: `${what}: another process held ${LOCK} for ${FETCH_TIMEOUT_MS / 60_000} min` };
  try {
    const raced = cached();
    if (raced) return { guest: raced };
    const failedMeanwhile = recentFailure();
    if (failedMeanwhile) return { missing: failedMeanwhile };
    const tmp = mkdtempSync(join(CACHE, 'linux-guest.tmp-'));
    try {
      await runScript(tmp);
      rmSync(GUEST_DIR, { recursive: true, force: true });
      renameSync(tmp, GUEST_DIR);
    } catch (e) {
      const reason = `${what}: scripts/get-debian-riscv-linux.sh failed (${(e as Error).message})`;
      writeFileSync(FAILED, reason);
      return { missing: reason };
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    rmSync(FAILED, { force: true });
    return cached() ? { guest: cached()! } : { missing: `${what}: the fetch script did not produce ${Object.values(FILES).join(', ')}` };
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** What building an initramfs variant needs and this machine lacks, or undefined. */
export function missingInitramfsTools(): string | undefined {
  const tools = missingTools(TOOLS.filter(([t]) => t === 'cpio' || t === 'gzip'));
  return tools && `${tools}, to build an initramfs`;
}

/**
 * An initramfs like the guest's initrd.gz (its busybox, its modules) with
 * `init` as /init, written to `dir`/`name` as a gzip-compressed newc cpio
 * archive, as the fetch script builds its own.
 */
export function initramfsWithInit(guest: LinuxGuest, init: string, dir: string, name: string): string {
  const root = mkdtempSync(join(dir, 'initramfs-'));
  const out = join(dir, name);
  try {
    execFileSync('sh', ['-c', 'gzip -dc "$1" | cpio -id --quiet', 'sh', guest.initrd], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    writeFileSync(join(root, 'init'), init);
    chmodSync(join(root, 'init'), 0o755);
    execFileSync('sh', ['-c', 'find . | cpio -o -H newc --quiet | gzip -n >"$1"', 'sh', out], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return out;
}

/** The lines every variant's /init starts with: the filesystems busybox needs. */
export const INIT_MOUNTS = [
  '#!/bin/busybox sh',
  '/bin/busybox mount -t proc proc /proc',
  '/bin/busybox mount -t sysfs sys /sys',
  '/bin/busybox mount -t devtmpfs dev /dev',
].join('\n');

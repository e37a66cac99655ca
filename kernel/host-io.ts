import { constants, fstat, open, close, read, write, type Stats } from 'node:fs';

/**
 * Host file I/O for command paths, without ever blocking the event loop
 * (every monitor and the guest share it). Each open is:
 * - non-blocking (`O_NONBLOCK`): opening a FIFO nobody writes to would
 *   otherwise wait in open(2) forever, holding a thread, and `openSync` the
 *   whole process;
 * - off the main thread (libuv's pool) and within a deadline, so a file
 *   system that hangs fails the command instead of stalling the queue;
 * - checked for its kind before anything is read or written: each use names
 *   the kinds it accepts (a disk image is a regular file; an entropy source
 *   may also be a character device), and a FIFO, socket or directory is
 *   refused with that reason.
 */

/** How long opening, reading or writing one host file may take before the command fails. */
export const HOST_IO_TIMEOUT_MS = 10_000;

/** What a path is, as `stat` tells it. */
export type FileKind = 'regular file' | 'character device' | 'block device' | 'FIFO' | 'socket' | 'directory' | 'symbolic link';

/** How a file is opened: read, read-write, write (create, truncate) or append (create). */
export type OpenMode = 'r' | 'rw' | 'w' | 'a';

const FLAGS: Readonly<Record<OpenMode, number>> = {
  r: constants.O_RDONLY,
  rw: constants.O_RDWR,
  w: constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC,
  a: constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND,
};

/** A file opened for a command: its descriptor (the caller closes it), kind and size. */
export interface OpenedFile {
  readonly fd: number;
  readonly kind: FileKind;
  readonly size: number;
}

/** Why a host file operation failed; `message` is a reason that reads after the path ("it is a FIFO; ..."). */
export class HostIoError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HostIoError';
  }
}

function kindOf(s: Stats): FileKind {
  if (s.isFile()) return 'regular file';
  if (s.isCharacterDevice()) return 'character device';
  if (s.isBlockDevice()) return 'block device';
  if (s.isFIFO()) return 'FIFO';
  if (s.isSocket()) return 'socket';
  if (s.isDirectory()) return 'directory';
  return 'symbolic link';
}

function article(kind: string): string {
  return /^[aeiou]/i.test(kind) ? 'an' : 'a';
}

/**
 * Settles with `work`, or rejects with ETIMEDOUT after `ms`; a result that
 * arrives late is handed to `discard` (to close a descriptor nobody will use).
 */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string, discard?: (late: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(new HostIoError('ETIMEDOUT', `${what} did not finish within ${ms / 1000} s`));
    }, ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        if (late) discard?.(value);
        else resolve(value);
      },
      (e: unknown) => {
        clearTimeout(timer);
        if (!late) reject(e);
      },
    );
  });
}

const openFd = (path: string, flags: number) =>
  new Promise<number>((resolve, reject) => open(path, flags | constants.O_NONBLOCK, 0o666, (e, fd) => (e ? reject(e) : resolve(fd))));
const statFd = (fd: number) => new Promise<Stats>((resolve, reject) => fstat(fd, (e, s) => (e ? reject(e) : resolve(s))));
const closeFd = (fd: number) => close(fd, () => undefined);

/**
 * Opens `path` without blocking, and keeps it only if it is one of the
 * `accept`ed kinds. Rejects with a HostIoError (or the system error) naming
 * what went wrong.
 */
export async function openHostFile(path: string, mode: OpenMode, accept: readonly FileKind[], timeoutMs = HOST_IO_TIMEOUT_MS): Promise<OpenedFile> {
  const fd = await withDeadline(openFd(path, FLAGS[mode]), timeoutMs, 'opening it', closeFd);
  try {
    const stats = await withDeadline(statFd(fd), timeoutMs, 'examining it');
    const kind = kindOf(stats);
    if (!accept.includes(kind)) throw new HostIoError('EKIND', `it is ${article(kind)} ${kind}; expected ${accept.map((k) => `${article(k)} ${k}`).join(' or ')}`);
    return { fd, kind, size: stats.size };
  } catch (e) {
    closeFd(fd);
    throw e;
  }
}

async function readAll(fd: number, size: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  // The size is a hint: the file may grow or shrink while it is read.
  for (let chunk = Buffer.allocUnsafe(Math.max(size, 64 << 10)); ; chunk = Buffer.allocUnsafe(64 << 10)) {
    const n = await new Promise<number>((resolve, reject) => read(fd, chunk, 0, chunk.length, null, (e, bytes) => (e ? reject(e) : resolve(bytes))));
    // One read usually brings the whole file: hand that chunk back rather than copy it (a kernel and initrd are tens of MB).
    if (n === 0) return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    chunks.push(chunk.subarray(0, n));
  }
}

async function writeAll(fd: number, data: Uint8Array): Promise<void> {
  for (let done = 0; done < data.length; ) {
    done += await new Promise<number>((resolve, reject) => write(fd, data, done, data.length - done, null, (e, bytes) => (e ? reject(e) : resolve(bytes))));
  }
}

/**
 * Runs `work` on an open descriptor within the deadline. The descriptor is
 * closed when the work itself ends, never under it: a closed number can be
 * reused at once, and a read still in flight would then read another file.
 */
function onDescriptor<T>(fd: number, work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  void work.then(
    () => closeFd(fd),
    () => closeFd(fd),
  );
  return withDeadline(work, timeoutMs, what);
}

/** Reads a whole regular file (firmware, a kernel image) without blocking the event loop. */
export async function readHostFile(path: string, timeoutMs = HOST_IO_TIMEOUT_MS): Promise<Buffer> {
  const file = await openHostFile(path, 'r', ['regular file'], timeoutMs);
  return onDescriptor(file.fd, readAll(file.fd, file.size), timeoutMs, 'reading it');
}

/** Creates or truncates a regular file and writes `data` to it, without blocking the event loop. */
export async function writeHostFile(path: string, data: Uint8Array, timeoutMs = HOST_IO_TIMEOUT_MS): Promise<void> {
  const file = await openHostFile(path, 'w', ['regular file'], timeoutMs);
  return onDescriptor(file.fd, writeAll(file.fd, data), timeoutMs, 'writing it');
}

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import type { EffectClass } from './command.js';
import { QmpError } from './errors.js';
import { openHostFile, readHostFile, writeHostFile, type FileKind, type OpenMode } from './host-io.js';
import { realHostPath } from './host-paths.js';
import { SocketRules, socketName, type HostConnection, type HostListener, type HostSocketAddress, type SocketOptions, type SocketReach } from './host-sockets.js';

/** What a plugin asks of the host. */
export type HostResourceKind = 'file' | 'socket' | 'process';

/** The class of effect each kind of host resource has, for policies that deny by class (`deny-effects`). */
export const HOST_EFFECTS: Readonly<Record<HostResourceKind, EffectClass>> = { file: 'host-files', socket: 'network', process: 'processes' };

/** One request to use a host resource: `{kind: 'file', target: '/srv/disk.img', access: 'rw', path: '/srv/disk.img'}`. */
export interface HostRequest {
  readonly kind: HostResourceKind;
  /** A file path (absolute, as named), `unix:/path`, `tcp:host:port`, or a program. */
  readonly target: string;
  readonly access: 'r' | 'rw' | 'listen' | 'connect' | 'exec';
  /**
   * For a file or a Unix socket, where the name really leads: every symlink
   * resolved (see `realHostPath`); this is what a policy on paths compares,
   * and what the broker opens.
   */
  readonly path?: string;
}

/** How a broker is set up: whether sockets may reach beyond this host (`-allow-remote-sockets`). */
export interface BrokerOptions {
  readonly remoteSockets?: boolean;
}

/** A sandbox policy: returns a reason to refuse, or undefined to allow. */
export type HostPolicy = (req: HostRequest) => string | undefined;

/** A host file the configuration referenced, recorded in the log header. */
export interface FileReference {
  /** The resolved (absolute) path on the host that recorded the log. */
  readonly path: string;
  /** The path as the command named it, relative paths kept relative (absent in logs written before it was recorded). */
  readonly given?: string;
  /** SHA-256 of the contents when opened; empty for a file opened read-write (the guest changes it) or not a regular file. */
  readonly sha256: string;
  readonly size: number;
}

/**
 * Every host resource a plugin uses is opened through here, so sandbox
 * policies see it and the log header can record digests of the files the
 * configuration referenced. Files are opened and read without ever blocking
 * the event loop (kernel/host-io.ts): a FIFO or a file system that hangs
 * fails the command, with the reason, instead of freezing every client.
 */
export class HostBroker {
  private readonly policies: HostPolicy[] = [];
  private readonly files = new Map<string, FileReference>();
  private readonly pendingDigests = new Set<Promise<void>>();
  private readonly digestListeners: Array<() => void> = [];
  private readonly sockets: SocketRules;
  private stdioUser: string | undefined;

  constructor(options: BrokerOptions = {}) {
    this.sockets = new SocketRules(options.remoteSockets ?? false);
  }

  addPolicy(policy: HostPolicy): void {
    this.policies.push(policy);
  }

  /**
   * Throws a QMP error naming the resource and the reason when a policy
   * refuses it. A file's path is resolved first (unless the request carries
   * it), so every policy sees where a symlink really leads.
   */
  authorize(req: HostRequest): void {
    const full = req.kind === 'file' && req.path === undefined ? { ...req, path: realHostPath(req.target) } : req;
    for (const policy of this.policies) {
      const reason = policy(full);
      if (reason) {
        const via = full.path && full.path !== full.target && `unix:${full.path}` !== full.target ? ` (${full.path})` : '';
        throw new QmpError('GenericError', `Access to ${full.kind} '${full.target}'${via} (${full.access}) denied: ${reason}`);
      }
    }
  }

  /** Authorizes a file by its name and returns the resolved path to open, so the file checked is the file opened. */
  private authorizePath(name: string, access: 'r' | 'rw'): string {
    const path = realHostPath(name);
    this.authorize({ kind: 'file', target: resolve(name), access, path });
    return path;
  }

  /**
   * Reads a whole file whose digest the log must not record (a private key,
   * a pre-shared key file); `optional` gives undefined for a file that is not there.
   */
  async readPrivate(path: string, optional = false): Promise<Buffer | undefined> {
    const abs = this.authorizePath(path, 'r');
    try {
      return await readHostFile(abs);
    } catch (e) {
      if (optional && (e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new QmpError('GenericError', `Could not open '${path}': ${describeIoError(e)}`);
    }
  }

  /**
   * Opens a file for output (a file chardev): appended to, or truncated as
   * QEMU does without `append`. A regular file or a character device
   * (`/dev/null`, a terminal): writes to it are synchronous, and a FIFO would
   * stall the guest whenever its reader falls behind. Returns the descriptor.
   */
  async openOutput(path: string, append: boolean): Promise<number> {
    const abs = this.authorizePath(path, 'rw');
    try {
      return (await openHostFile(abs, append ? 'a' : 'w', ['regular file', 'character device'])).fd;
    } catch (e) {
      throw new QmpError('GenericError', `Could not open '${path}': ${describeIoError(e)}`);
    }
  }

  /** Writes a whole regular file (dumpdtb), replacing what was there. */
  async writeFile(path: string, data: Uint8Array): Promise<void> {
    const abs = this.authorizePath(path, 'rw');
    try {
      await writeHostFile(abs, data);
    } catch (e) {
      throw new QmpError('GenericError', `Could not write '${path}': ${describeIoError(e)}`);
    }
  }

  /**
   * Listens on a socket, after the policies and the socket rules (loopback
   * unless allowed, authentication for a monitor beyond this host, a Unix
   * path only replacing a stale socket): see kernel/host-sockets.ts.
   */
  listen(address: HostSocketAddress, options: SocketOptions, onConnection: (c: HostConnection) => void): Promise<HostListener> {
    return this.sockets.listen(this.socketRequest(address, 'listen'), options, onConnection);
  }

  /** Stops every socket still listening (the program is exiting) and removes the Unix socket files it created. */
  closeListeners(): void {
    this.sockets.closeAll();
  }

  /** Connects to a socket, after the policies and the same socket rules. */
  connect(address: HostSocketAddress, options: SocketOptions): Promise<HostConnection & SocketReach> {
    return this.sockets.connect(this.socketRequest(address, 'connect'), options);
  }

  /** Refuses a monitor on an existing socket (a chardev's) that reaches beyond this host without authentication. */
  checkMonitor(reach: SocketReach): void {
    this.sockets.checkMonitor(reach);
  }

  /**
   * Takes the process's standard input and output for one user (a stdio
   * chardev, a monitor on stdio); a second is refused with QEMU's message,
   * since two readers would split the keystrokes between them. Sharing is
   * what a mux is for (`mon:stdio`, `mux=on`). Returns the release.
   */
  claimStdio(user: string): () => void {
    if (this.stdioUser !== undefined)
      throw new QmpError('GenericError', `cannot use stdio by multiple character devices (${this.stdioUser} has it; share it with mon:stdio or mux=on)`);
    this.stdioUser = user;
    return () => {
      if (this.stdioUser === user) this.stdioUser = undefined;
    };
  }

  /** Authorizes a socket; a Unix socket is bound or reached at its resolved path. */
  private socketRequest(address: HostSocketAddress, access: 'listen' | 'connect'): HostSocketAddress {
    const resolved: HostSocketAddress = address.type === 'unix' ? { type: 'unix', path: realHostPath(address.path) } : address;
    this.authorize({ kind: 'socket', target: socketName(address.type === 'unix' ? { type: 'unix', path: resolve(address.path) } : address), access, ...(resolved.type === 'unix' ? { path: resolved.path } : {}) });
    return resolved;
  }

  /** Reads a whole regular file (firmware, a kernel image) and records its digest. */
  async readFile(path: string): Promise<Buffer> {
    const abs = this.authorizePath(path, 'r');
    let data: Buffer;
    try {
      data = await readHostFile(abs);
    } catch (e) {
      throw new QmpError('GenericError', `Could not open '${path}': ${describeIoError(e)}`);
    }
    this.files.set(abs, { path: abs, given: path, sha256: createHash('sha256').update(data).digest('hex'), size: data.length });
    return data;
  }

  /**
   * Opens a file descriptor for reading (`r`) or reading and writing (`rw`),
   * if the file is one of the kinds the caller can use (a disk image is a
   * regular file; an entropy source may also be a character device). The
   * file is recorded as referenced by the configuration.
   */
  async openFile(path: string, access: Extract<OpenMode, 'r' | 'rw'>, accept: readonly FileKind[] = ['regular file']): Promise<number> {
    const abs = this.authorizePath(path, access);
    try {
      const file = await openHostFile(abs, access, accept);
      this.files.set(abs, { path: abs, given: path, sha256: '', size: file.size });
      if (access === 'r' && file.kind === 'regular file') this.digestLater(abs);
      return file.fd;
    } catch (e) {
      throw new QmpError('GenericError', `Could not open '${path}': ${describeIoError(e)}`);
    }
  }

  /**
   * Hashes a read-only image in the background (a disk image may be large:
   * start-up does not wait for it) and records the digest once it is known;
   * the next header update (when the configuration is done, and at close)
   * carries it. `digests()` waits for the ones still running.
   */
  private digestLater(abs: string): void {
    const done = hashFile(abs).then(
      (sha256) => {
        const ref = this.files.get(abs);
        if (ref) this.files.set(abs, { ...ref, sha256 });
        for (const l of this.digestListeners) l();
      },
      // Unreadable now (removed meanwhile): the reference keeps its size and no digest.
      () => undefined,
    );
    this.pendingDigests.add(done);
    void done.then(() => this.pendingDigests.delete(done));
  }

  /** Calls `listener` each time a background digest is recorded (the kernel then updates the log header). */
  onDigest(listener: () => void): void {
    this.digestListeners.push(listener);
  }

  /** Resolves once every background digest has been recorded. */
  async digests(): Promise<void> {
    await Promise.all([...this.pendingDigests]);
  }

  /** Records a file's digest without keeping it open (for images opened elsewhere). */
  reference(path: string, sha256: string, size: number): void {
    this.files.set(resolve(path), { path: resolve(path), sha256, size });
  }

  referencedFiles(): FileReference[] {
    return [...this.files.values()];
  }
}

/** "No such file or directory" rather than "ENOENT: no such file or directory, open '...'". */
export function describeIoError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const reasons: Record<string, string> = {
    ENOENT: 'No such file or directory',
    EACCES: 'Permission denied',
    EISDIR: 'Is a directory',
    EROFS: 'Read-only file system',
    EPERM: 'Operation not permitted',
    ENXIO: 'No such device or address',
  };
  return (err.code && reasons[err.code]) ?? err.message;
}

/** SHA-256 of a file, read as a stream (off the event loop, a chunk at a time). */
function hashFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => h.update(chunk))
      .on('end', () => resolve(h.digest('hex')))
      .on('error', reject);
  });
}

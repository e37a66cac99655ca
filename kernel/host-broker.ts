import { createHash } from 'node:crypto';
import { openSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { QmpError } from './errors.js';

/** What a plugin asks of the host. */
export type HostResourceKind = 'file' | 'socket' | 'process';

/** One request to use a host resource: `{kind: 'file', target: '/srv/disk.img', access: 'rw'}`. */
export interface HostRequest {
  readonly kind: HostResourceKind;
  /** A file path, `unix:/path`, `tcp:host:port`, or a program. */
  readonly target: string;
  readonly access: 'r' | 'rw' | 'listen' | 'connect' | 'exec';
}

/** A sandbox policy: returns a reason to refuse, or undefined to allow. */
export type HostPolicy = (req: HostRequest) => string | undefined;

/** A host file the configuration referenced, recorded in the log header. */
export interface FileReference {
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
}

/**
 * Every host resource a plugin uses is opened through here, so sandbox
 * policies see it and the log header can record digests of the files the
 * configuration referenced.
 */
export class HostBroker {
  private readonly policies: HostPolicy[] = [];
  private readonly files = new Map<string, FileReference>();

  addPolicy(policy: HostPolicy): void {
    this.policies.push(policy);
  }

  /** Throws a QMP error naming the resource and the reason when a policy refuses it. */
  authorize(req: HostRequest): void {
    for (const policy of this.policies) {
      const reason = policy(req);
      if (reason) throw new QmpError('GenericError', `Access to ${req.kind} '${req.target}' (${req.access}) denied: ${reason}`);
    }
  }

  /** Reads a whole file (firmware, a kernel image) and records its digest. */
  readFile(path: string): Buffer {
    const abs = resolve(path);
    this.authorize({ kind: 'file', target: abs, access: 'r' });
    let data: Buffer;
    try {
      data = readFileSync(abs);
    } catch (e) {
      throw new QmpError('GenericError', `Could not open '${path}': ${describeIoError(e)}`);
    }
    this.files.set(abs, { path: abs, sha256: createHash('sha256').update(data).digest('hex'), size: data.length });
    return data;
  }

  /** Opens a file descriptor (a disk image); `rw` opens read-write. */
  openFile(path: string, access: 'r' | 'rw'): number {
    const abs = resolve(path);
    this.authorize({ kind: 'file', target: abs, access });
    try {
      const fd = openSync(abs, access === 'rw' ? 'r+' : 'r');
      this.files.set(abs, { path: abs, sha256: '', size: statSync(abs).size });
      return fd;
    } catch (e) {
      throw new QmpError('GenericError', `Could not open '${path}': ${describeIoError(e)}`);
    }
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
  };
  return (err.code && reasons[err.code]) ?? err.message;
}

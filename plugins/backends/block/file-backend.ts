import { closeSync, fstatSync, fsyncSync, readSync, writeSync } from 'node:fs';
import type { HostBroker } from '../../../kernel/index.js';
import type { BlockBackend } from '../../hw/backend-types.js';

const SECTOR = 512;

/**
 * A raw image file opened through the broker. With `snapshot` every write
 * lands in an in-memory copy-on-write overlay (per 512-byte sector) and the
 * file itself is opened read-only and never changes.
 */
export class FileBlockBackend implements BlockBackend {
  readonly size: number;
  /** Devices using this node; a busy node cannot be deleted. */
  users = 0;
  private readonly overlay: Map<number, Uint8Array> | undefined;
  private fd: number | undefined;

  /** Opens the image through the broker (a regular file; opened without blocking the event loop). */
  /** `autoReadOnly` (QEMU's auto-read-only): a file that cannot be opened for writing is opened read-only instead of failing. */
  static async open(filename: string, broker: HostBroker, readOnly: boolean, snapshot: boolean, autoReadOnly = false): Promise<FileBlockBackend> {
    if (readOnly || snapshot) return new FileBlockBackend(filename, await broker.openFile(filename, 'r'), readOnly, snapshot);
    try {
      return new FileBlockBackend(filename, await broker.openFile(filename, 'rw'), false, false);
    } catch (e) {
      if (!autoReadOnly) throw e;
      return new FileBlockBackend(filename, await broker.openFile(filename, 'r'), true, false);
    }
  }

  private constructor(
    readonly filename: string,
    fd: number,
    readonly readOnly: boolean,
    readonly snapshot: boolean,
  ) {
    this.fd = fd;
    this.size = fstatSync(fd).size;
    this.overlay = snapshot ? new Map() : undefined;
  }

  read(offset: number, buf: Uint8Array): void {
    this.check(offset, buf.length);
    readSync(this.fd!, buf, 0, buf.length, offset);
    if (!this.overlay?.size) return;
    for (let s = Math.floor(offset / SECTOR); s * SECTOR < offset + buf.length; s++) {
      const data = this.overlay.get(s);
      if (!data) continue;
      const from = Math.max(offset, s * SECTOR);
      const to = Math.min(offset + buf.length, (s + 1) * SECTOR);
      buf.set(data.subarray(from - s * SECTOR, to - s * SECTOR), from - offset);
    }
  }

  write(offset: number, data: Uint8Array): void {
    if (this.readOnly) throw new Error('read-only');
    this.check(offset, data.length);
    if (!this.overlay) {
      writeSync(this.fd!, data, 0, data.length, offset);
      return;
    }
    for (let s = Math.floor(offset / SECTOR); s * SECTOR < offset + data.length; s++) {
      let sector = this.overlay.get(s);
      if (!sector) {
        sector = new Uint8Array(SECTOR);
        readSync(this.fd!, sector, 0, SECTOR, s * SECTOR);
        this.overlay.set(s, sector);
      }
      const from = Math.max(offset, s * SECTOR);
      const to = Math.min(offset + data.length, (s + 1) * SECTOR);
      sector.set(data.subarray(from - offset, to - offset), from - s * SECTOR);
    }
  }

  flush(): void {
    if (!this.overlay && !this.readOnly && this.fd !== undefined) fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private check(offset: number, length: number): void {
    if (this.fd === undefined) throw new Error('image is closed');
    if (offset < 0 || offset + length > this.size) throw new Error(`access beyond the end of the image (${offset}+${length} > ${this.size})`);
  }
}

/** Host file I/O on command paths: non-blocking opens, kinds checked, and a deadline for what still hangs. */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, open, openSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openHostFile, readHostFile, withDeadline, writeHostFile } from '../../kernel/host-io.js';
import { tempDir } from '../log/fixtures/drafts.js';

let tmp: ReturnType<typeof tempDir>;
afterEach(() => tmp?.cleanup());

function fifo(): string {
  tmp = tempDir();
  const path = tmp.path('fifo');
  execFileSync('mkfifo', [path]);
  return path;
}

describe('host file I/O', () => {
  it('refuses a FIFO nobody writes to, without waiting for a writer', async () => {
    const path = fifo();
    await expect(openHostFile(path, 'r', ['regular file', 'character device'])).rejects.toThrow('it is a FIFO; expected a regular file or a character device');
  });

  it('refuses to read a character device whole: /dev/zero would never end', async () => {
    await expect(readHostFile('/dev/zero')).rejects.toThrow('it is a character device; expected a regular file');
  });

  it('writes and reads back a regular file', async () => {
    tmp = tempDir();
    const data = new Uint8Array(200_000).map((_, i) => i % 251);
    await writeHostFile(tmp.path('blob'), data);
    expect(new Uint8Array(await readHostFile(tmp.path('blob')))).toEqual(data);
  });

  it('a deadline fails an open that hangs, and closes the descriptor when it arrives late', async () => {
    const path = fifo();
    // A blocking open of a FIFO: it waits in the thread pool until a writer appears.
    const hanging = new Promise<number>((resolve, reject) => open(path, constants.O_RDONLY, (e, fd) => (e ? reject(e) : resolve(fd))));
    let discard!: (fd: number) => void;
    const discarded = new Promise<number>((resolve) => (discard = resolve));
    await expect(withDeadline(hanging, 50, 'opening it', discard)).rejects.toThrow('opening it did not finish within 0.05 s');
    // Now let the open finish: the late descriptor goes to the discard hook, not to anyone who would leak it.
    const writer = openSync(path, constants.O_WRONLY);
    const fd = await discarded;
    closeSync(fd);
    closeSync(writer);
    expect(fd).toBeGreaterThan(2);
  });
});

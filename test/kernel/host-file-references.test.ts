/**
 * The log header records every host file the configuration opened with the
 * path as the command named it, the resolved path, the size and SHA-256; a
 * read-only disk image is hashed in the background (start-up does not wait
 * for a large image) and its digest becomes a later header version.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createKernel, type Kernel } from '../../kernel/index.js';
import { SqliteLogStore } from '../../kernel/log/sqlite-log-store.js';
import { DEFAULT_PLUGINS } from '../../main/default-plugins.js';
import { tempDir } from '../log/fixtures/drafts.js';

const kernels: Kernel[] = [];
let tmp: ReturnType<typeof tempDir> | undefined;
afterEach(async () => {
  for (const k of kernels.splice(0)) await k.close();
  tmp?.cleanup();
  tmp = undefined;
});

describe('host files in the log header', () => {
  it('a read-only disk image gets its SHA-256, recorded once the background digest is done', async () => {
    tmp = tempDir();
    const image = new Uint8Array(3 << 20).map((_, i) => i % 251);
    writeFileSync(tmp.path('disk.img'), image);
    const store = SqliteLogStore.open(tmp.path('vm.db'));
    const k = await createKernel({ plugins: [...DEFAULT_PLUGINS], log: store });
    kernels.push(k);
    await k.execute('blockdev-add', { driver: 'file', 'node-name': 'ro', filename: tmp.path('disk.img'), 'read-only': true }, { transport: 'api' });
    await k.broker.digests();
    expect(store.header()!.files).toEqual([
      { path: tmp.path('disk.img'), given: tmp.path('disk.img'), sha256: createHash('sha256').update(image).digest('hex'), size: image.length },
    ]);
  });

  it('an image opened read-write keeps its size only: the guest changes it', async () => {
    tmp = tempDir();
    writeFileSync(tmp.path('rw.img'), new Uint8Array(4096));
    const store = SqliteLogStore.open(tmp.path('vm.db'));
    const k = await createKernel({ plugins: [...DEFAULT_PLUGINS], log: store });
    kernels.push(k);
    await k.execute('blockdev-add', { driver: 'file', 'node-name': 'rw', filename: tmp.path('rw.img') }, { transport: 'api' });
    await k.broker.digests();
    k.syncHeader();
    expect(store.header()!.files).toEqual([{ path: tmp.path('rw.img'), given: tmp.path('rw.img'), sha256: '', size: 4096 }]);
  });
});

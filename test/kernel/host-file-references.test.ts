/**
 * The log header records every host file the configuration opened with the
 * path as the command named it, the resolved path, the size and SHA-256; a
 * read-only disk image is hashed in the background (start-up does not wait
 * for a large image) and its digest becomes a later header version.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createKernel } from '../../kernel/index.js';
import { SqliteLogStore } from '../../kernel/log/sqlite-log-store.js';
import { DEFAULT_PLUGINS } from '../../main/default-plugins.js';
import { LoggedKernels } from '../log/fixtures/logged-kernels.js';

const vms = new LoggedKernels(() => [...DEFAULT_PLUGINS]);

describe('host files in the log header', () => {
  it('a read-only disk image gets its SHA-256, recorded once the background digest is done', async () => {
    vms.newFolder();
    const image = new Uint8Array(3 << 20).map((_, i) => i % 251);
    writeFileSync(vms.tmp.path('disk.img'), image);
    const store = SqliteLogStore.open(vms.tmp.path('vm.db'));
    const k = await createKernel({ plugins: [...DEFAULT_PLUGINS], log: store });
    vms.kernels.push(k);
    await k.execute('blockdev-add', { driver: 'file', 'node-name': 'ro', filename: vms.tmp.path('disk.img'), 'read-only': true }, { transport: 'api' });
    await k.broker.digests();
    expect(store.header()!.files).toEqual([
      { path: vms.tmp.path('disk.img'), given: vms.tmp.path('disk.img'), sha256: createHash('sha256').update(image).digest('hex'), size: image.length },
    ]);
  });

  it('an image opened read-write keeps its size only: the guest changes it', async () => {
    vms.newFolder();
    writeFileSync(vms.tmp.path('rw.img'), new Uint8Array(4096));
    const store = SqliteLogStore.open(vms.tmp.path('vm.db'));
    const k = await createKernel({ plugins: [...DEFAULT_PLUGINS], log: store });
    vms.kernels.push(k);
    await k.execute('blockdev-add', { driver: 'file', 'node-name': 'rw', filename: vms.tmp.path('rw.img') }, { transport: 'api' });
    await k.broker.digests();
    k.syncHeader();
    expect(store.header()!.files).toEqual([{ path: vms.tmp.path('rw.img'), given: vms.tmp.path('rw.img'), sha256: '', size: 4096 }]);
  });
});

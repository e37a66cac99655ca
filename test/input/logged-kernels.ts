/**
 * Kernels with a fresh SQLite command log each, in a temporary folder; they
 * and the QMP endpoints a test opens on them are closed after every test.
 */
import { afterEach } from 'vitest';
import { createKernel, type Kernel, type Plugin } from '../../kernel/index.js';
import { SqliteLogStore } from '../../kernel/log/sqlite-log-store.js';
import type { QmpEndpoint } from '../../transports/qmp/index.js';
import { tempDir } from '../log/fixtures/drafts.js';

export class LoggedKernels {
  readonly kernels: Kernel[] = [];
  readonly endpoints: QmpEndpoint[] = [];
  private folder: ReturnType<typeof tempDir> | undefined;

  constructor(private readonly plugins: () => Plugin[]) {
    afterEach(async () => {
      for (const e of this.endpoints.splice(0)) await e.close();
      for (const k of this.kernels.splice(0)) await k.close();
      this.folder?.cleanup();
    });
  }

  /** The folder of the kernel opened last. */
  get tmp(): ReturnType<typeof tempDir> {
    return this.folder!;
  }

  /** A new folder, removed after the test, for a test that writes files without a kernel. */
  newFolder(): ReturnType<typeof tempDir> {
    this.folder = tempDir();
    return this.folder;
  }

  /** A kernel logging to vm.db in a new folder. */
  async open(): Promise<{ kernel: Kernel; path: string }> {
    const path = this.newFolder().path('vm.db');
    const kernel = await createKernel({ plugins: this.plugins(), log: SqliteLogStore.open(path) });
    this.kernels.push(kernel);
    return { kernel, path };
  }
}

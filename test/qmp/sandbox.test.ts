import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createKernel, definePlugin } from '../../kernel/index.js';
import hmpPlugin from '../../transports/hmp/index.js';
import { qmpPlugin } from '../../transports/qmp/index.js';
import { tempDir } from './qmp-client.js';

const noSockets = definePlugin({
  name: 'no-sockets',
  version: '1',
  setup: (h) => h.hostPolicy((req) => (req.kind === 'socket' ? 'this VM may not listen on sockets' : undefined)),
});

describe('monitors and the sandbox', () => {
  it.each(['qmp', 'hmp'])('a host policy refuses a %s socket before it is bound, and the refusal is the reply', async (protocol) => {
    const k = await createKernel({ plugins: [qmpPlugin, hmpPlugin, noSockets] });
    const path = join(tempDir(), `${protocol}.sock`);
    await expect(k.execute('monitor-add', { protocol, endpoint: `unix:${path}` }, { transport: 'api' })).rejects.toMatchObject({
      desc: `Access to socket 'unix:${path}' (listen) denied: this VM may not listen on sockets`,
    });
    expect(existsSync(path)).toBe(false);
    expect(await k.execute('query-monitors', {}, { transport: 'api' })).toEqual([]);
  });
});

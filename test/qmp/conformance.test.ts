/**
 * The protocol conformance suite: every transcript against vmledger over a
 * real Unix socket, and the shared ones against a real QEMU as well, where
 * `qemu-system-riscv64` is installed.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QEMU_BIN, QmpClient, startQemu, tempDir, type QemuProcess } from './qmp-client.js';
import { describeNeeding, lacking } from '../needs.js';
import { TRANSCRIPTS, matches, summarize, type Summary, type Transcript } from './transcripts.js';
import { startServer, type TestServer } from './vmledger-server.js';

async function run(endpoint: string, t: Transcript, count: number): Promise<{ summaries: Summary[]; raw: string[] }> {
  const c = await QmpClient.connect(endpoint);
  try {
    if (!t.raw) await c.negotiate();
    const before = c.rawLines.length;
    for (const s of t.send) c.send(s);
    const msgs = await c.take(count);
    return { summaries: msgs.map(summarize), raw: c.rawLines.slice(before) };
  } finally {
    c.close();
  }
}

function check(t: Transcript, got: Summary[]): void {
  expect(got.length).toBe(t.expect.length);
  t.expect.forEach((e, i) => {
    if (!matches(got[i]!, e)) expect(got[i]).toEqual(expect.objectContaining(e));
  });
}

describe('QMP conformance (vmledger)', () => {
  let dir: string;
  let server: TestServer;
  beforeAll(async () => {
    dir = tempDir();
    server = await startServer(dir);
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const t of TRANSCRIPTS) {
    it(t.name, async () => {
      const { summaries, raw } = await run(server.endpoint, t, t.expect.length);
      check(t, summaries);
      // Output framing: one object per line, CRLF-terminated.
      for (const line of raw) expect(line.endsWith('\r\n') && !line.slice(0, -2).includes('\n')).toBe(true);
    });
  }

  it('answers a message longer than the limit with an error and recovers', async () => {
    const c = await QmpClient.connect(server.endpoint);
    await c.negotiate();
    c.send(`{"execute":"query-status","id":"${'a'.repeat(9 << 20)}"}\n{"execute":"query-status","id":"after"}`);
    const [first, second] = await c.take(2);
    expect(summarize(first)).toMatchObject({ kind: 'error', class: 'GenericError', desc: 'JSON token size limit exceeded', hasId: false });
    expect(summarize(second)).toMatchObject({ kind: 'return', id: 'after' });
    c.close();
  });
});

describeNeeding('QMP conformance (same transcripts against real QEMU)', lacking('qemu-system-riscv64'), () => {
  let dir: string;
  let qemu: QemuProcess;
  beforeAll(async () => {
    dir = tempDir();
    qemu = await startQemu(dir);
  });
  afterAll(async () => {
    await qemu?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const t of TRANSCRIPTS.filter((t) => t.shared)) {
    it(t.name, async () => {
      if (t.qemuFirstAndLast) {
        // QEMU 7.2 answers each leftover bracket of the rejected value with its own error; read until the command after it.
        const c = await QmpClient.connect(qemu.endpoint);
        await c.negotiate();
        for (const s of t.send) c.send(s);
        const first = summarize(await c.next());
        let last: Summary;
        do last = summarize(await c.next());
        while (last.kind === 'error' && !last.hasId && last.class !== '(connection closed)');
        check(t, [first, last]);
        c.close();
        return;
      }
      const { summaries, raw } = await run(qemu.endpoint, t, t.expect.length);
      check(t, summaries);
      for (const line of raw) expect(line.endsWith('\r\n')).toBe(true);
    });
  }
});

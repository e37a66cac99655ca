import Database from 'better-sqlite3';
import { statSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKernel } from '../../kernel/kernel.js';
import { readLogKey } from '../../kernel/log/log-key.js';
import { SqliteLogStore } from '../../kernel/log/sqlite-log-store.js';
import { runLogCommand, type Output } from '../../log-tools/index.js';
import { drafts, tempDir } from './fixtures/drafts.js';
import { counterPlugin } from './fixtures/plugins.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

function collector(isTTY = false): Output & { text: () => string } {
  let text = '';
  return { isTTY, write: (s: string) => (text += s), text: () => text };
}

async function run(argv: string[], plugins = [counterPlugin()]): Promise<{ code: number; out: string; err: string }> {
  const out = collector();
  const err = collector();
  const code = await runLogCommand(argv, { plugins, stdout: out, stderr: err });
  return { code, out: out.text(), err: err.text() };
}

async function recordLog(): Promise<string> {
  const path = tmp.path('vm.db');
  const kernel = await createKernel({ plugins: [counterPlugin()], log: SqliteLogStore.open(path) });
  await kernel.execute('object-add', { 'qom-type': 'test-counter', id: 'c1' }, { transport: 'qmp', endpoint: 'unix:/run/vm.sock', client: '7' });
  await kernel.execute('x-counter-bump', { id: 'c1' }, { transport: 'cli', position: 'option 3' });
  await kernel.execute('x-counter-bump', { id: 'zz' }, { transport: 'qmp', client: '8' }).catch(() => undefined);
  await kernel.execute('machine-set', { type: 'test-board' }, { transport: 'config', endpoint: 'vm.yaml', position: 'vm.yaml:4:3' });
  await kernel.close();
  return path;
}

describe('vmledger log', () => {
  it('prints help for itself and each command', async () => {
    expect((await run(['--help'])).out).toMatch(/^Usage: vmledger log <command>/);
    for (const cmd of ['replay', 'verify', 'audit', 'prove', 'show']) {
      const r = await run([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`^Usage: vmledger log ${cmd} <db>`));
    }
    expect((await run(['keygen', '--help'])).out).toMatch(/^Usage: vmledger log keygen <file>/);
    expect((await run(['verify-proof', '-h'])).out).toMatch(/^Usage: vmledger log verify-proof <proof.json\|->/);
  });

  it('rejects an unknown command, an unknown option and a missing file with exit 2', async () => {
    expect((await run(['frobnicate'])).code).toBe(2);
    const badOpt = await run(['verify', 'x.db', '--bogus']);
    expect(badOpt).toMatchObject({ code: 2 });
    expect(badOpt.err).toMatch(/unknown option --bogus/);
    const missing = await run(['verify', tmp.path('none.db')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/No command log at/);
    expect((await run(['replay', 'a.db', '--to', 'x'])).err).toMatch(/--to expects a non-negative integer/);
  });

  it('verify prints OK with the last entry and exits 0 on an intact log', async () => {
    const path = await recordLog();
    const r = await run(['verify', path]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^OK: 4 entries, last 4 [0-9a-f]{64} \(sealed\)\ncheckpoint 4:[0-9a-f]{64}\n$/);
  });

  it('verify checks the log against the checkpoint it printed, and names a bad --checkpoint', async () => {
    const path = await recordLog();
    const kept = (await run(['verify', path])).out.split('\n')[1]!.replace('checkpoint ', '');
    expect((await run(['verify', path, '--checkpoint', kept])).code).toBe(0);
    const wrong = await run(['verify', path, '--checkpoint', `4:${'0'.repeat(64)}`]);
    expect(wrong.code).toBe(1);
    expect(wrong.out).toMatch(/^FAILED: rewritten at entry 1: the first 4 entries do not match --checkpoint 4:000000000000… \(root 000000000000…, found [0-9a-f]{12}…\)/);
    const bad = await run(['verify', path, '--checkpoint', '4:xyz']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--checkpoint expects SIZE:ROOT/);
  });

  it('keygen writes a key pair once; a log signed with it verifies against the public key, and not against another', async () => {
    const keyPath = tmp.path('vm.key');
    const made = await run(['keygen', keyPath]);
    expect(made.code).toBe(0);
    expect(made.out).toMatch(new RegExp(`^key [0-9a-f]{16}: private key in ${keyPath} \\(keep it secret\\), public key in ${keyPath}.pub\n$`));
    expect((statSync(keyPath).mode & 0o777).toString(8)).toBe('600');
    const again = await run(['keygen', keyPath]);
    expect(again).toMatchObject({ code: 2, err: expect.stringMatching(/already exists; choose another name/) });

    const path = tmp.path('signed.db');
    const store = SqliteLogStore.open(path, { checkpoints: { key: readLogKey(keyPath), entries: 2 } });
    store.append(drafts(5));
    store.close();
    const ok = await run(['verify', path, '--key', `${keyPath}.pub`]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^OK: 5 entries, last 5 [0-9a-f]{64} \(sealed, signed by key [0-9a-f]{16} through entry 5\)\n/);
    await run(['keygen', tmp.path('other.key')]);
    const other = await run(['verify', path, '--key', tmp.path('other.key.pub')]);
    expect(other.code).toBe(1);
    expect(other.out).toMatch(/FAILED: bad-signature: the log names signing key [0-9a-f]{16}, not the key given/);
    expect((await run(['verify', path, '--key', tmp.path('none.pub')])).err).toMatch(/cannot read the public key '.*none.pub': ENOENT/);
  });

  it('prove gives an auditor one entry with its proof; verify-proof accepts it with the key and rejects an edited one', async () => {
    const keyPath = tmp.path('vm.key');
    await run(['keygen', keyPath]);
    const path = tmp.path('signed.db');
    const store = SqliteLogStore.open(path, { checkpoints: { key: readLogKey(keyPath), entries: 4 } });
    store.append(drafts(11));
    store.close();
    const proved = await run(['prove', path, '6']);
    expect(proved.code).toBe(0);
    const proof = JSON.parse(proved.out);
    // Against the seal: all 11 entries.
    expect(proof).toMatchObject({ format: 'vmledger inclusion proof 1', treeSize: 11, entry: { seq: 6, command: 'qom-set' } });
    expect(proof.checkpoint).toMatch(/^vmledger seal\nlog [0-9a-f]{32}\nsize 11\n/);
    const proofPath = tmp.path('proof.json');
    writeFileSync(proofPath, proved.out);
    const ok = await run(['verify-proof', proofPath, '--key', `${keyPath}.pub`]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^OK: entry 6 \(qom-set at .*\) is entry 6 of the 11 entries under seal 11:[0-9a-f]{64}, signed by key [0-9a-f]{16}\n$/);

    writeFileSync(proofPath, JSON.stringify({ ...proof, entry: { ...proof.entry, args: '{"value":0}' } }));
    expect(await run(['verify-proof', proofPath, '--key', `${keyPath}.pub`])).toMatchObject({ code: 1, out: 'FAILED: entry 6 was altered: its content does not match its hash\n' });
    writeFileSync(proofPath, JSON.stringify({ ...proof, path: proof.path.slice(1) }));
    expect((await run(['verify-proof', proofPath, '--key', `${keyPath}.pub`])).out).toMatch(/^FAILED: entry 6 is not under the checkpoint's root/);
    writeFileSync(proofPath, proved.out);
    expect((await run(['verify-proof', proofPath])).out).toMatch(/^FAILED: nothing vouches for the checkpoint: give the log's public key \(--key\) or a checkpoint/);

    // At the size of a checkpoint the auditor holds, vouched for by that checkpoint alone.
    const atEight = JSON.parse((await run(['prove', path, '6', '--size', '8'])).out);
    expect(atEight.checkpoint).toMatch(/^vmledger checkpoint\n.*\nsize 8\n/s);
    const root = /root ([0-9a-f]{64})/.exec(atEight.checkpoint)![1];
    writeFileSync(proofPath, JSON.stringify(atEight));
    expect((await run(['verify-proof', proofPath, '--checkpoint', `8:${root}`])).code).toBe(0);
    expect((await run(['verify-proof', proofPath, '--checkpoint', `11:${root}`])).out).toMatch(/the proof is against 8 entries but --checkpoint gives 11/);
    expect((await run(['prove', path, '12'])).err).toMatch(/the log has no entry 12/);
  });

  it('verify names the altered entry and exits 1', async () => {
    const path = await recordLog();
    const db = new Database(path);
    db.exec("DROP TRIGGER entries_no_update; UPDATE entries SET command = 'quit' WHERE seq = 2;");
    db.close();
    const r = await run(['verify', path]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAILED: altered at entry 2: entry 2 \(quit\) was altered/);
    expect(r.err).toMatch(/warning: append-only triggers missing: entries_no_update/);
    const json = JSON.parse((await run(['verify', path, '--json'])).out);
    expect(json.problem).toMatchObject({ kind: 'altered', seq: 2 });
  });

  it('replay prints the phase and the object tree and exits 0', async () => {
    const path = await recordLog();
    const r = await run(['replay', path]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('replayed 3 changes (1 entries skipped) through entry 4');
    expect(r.out).toContain('phase: machine-created\n');
    expect(r.out).toMatch(/\/objects\/c1 \(test-counter, realized\)  value=1\n/);
    expect(r.out).toMatch(/\/machine \(test-board\)  memory=1024\n/);
  });

  it('replay --to stops early, and --json gives the tree as data', async () => {
    const path = await recordLog();
    const r = await run(['replay', path, '--to', '1', '--json']);
    const json = JSON.parse(r.out);
    expect(json).toMatchObject({ ok: true, executed: 1, lastSeq: 1, stoppedBy: 'to', phase: 'no-machine' });
    expect(json.objects.find((o: { path: string }) => o.path === '/objects/c1').props).toEqual({ value: 0 });
  });

  it('replay names the first diverging entry, warns about the plugin version and exits 1', async () => {
    const path = await recordLog();
    const r = await run(['replay', path], [counterPlugin({ step: 5, version: '2.0.0' })]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('warning: plugin test-counter was version 1.0.0 when recorded, is 2.0.0 now');
    expect(r.err).toMatch(/replay diverged at entry 2 \(x-counter-bump\): left state hash [0-9a-f]{64}, the log recorded [0-9a-f]{64}/);
    // The bump ran (by 5, not 1) and stays in the tree printed: the state after the entry, said as such.
    expect(r.err).toContain('the configuration below is the state after entry 2, as this program rebuilt it\n');
    expect(r.out).toMatch(/\/objects\/c1 \(test-counter, realized\)  value=5\n/);
  });

  it('show prints one entry whole, and names an entry the log does not have', async () => {
    const path = await recordLog();
    const r = await run(['show', path, '3']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('command: x-counter-bump\n');
    expect(r.out).toContain('arguments: {"id":"zz"}\n');
    expect(r.out).toContain('applied: false\n');
    expect(r.out).toContain(`error: {"class":"DeviceNotFound","desc":"Device '/objects/zz' not found"}\n`);
    expect(r.out).toMatch(/^state-hash: [0-9a-f]{64}$/m);
    const missing = await run(['show', path, '9']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('the log has no entry 9 (it has 4)');
  });

  it('x-query-log, audit --json and show --json hand out an entry with the same fields and values', async () => {
    const path = tmp.path('vm.db');
    const kernel = await createKernel({ plugins: [counterPlugin()], log: SqliteLogStore.open(path) });
    await kernel.execute('object-add', { 'qom-type': 'test-counter', id: 'c1' }, { transport: 'qmp', client: '7' });
    await kernel.execute('x-counter-bump', { id: 'c1' }, { transport: 'qmp', client: '7' });
    await kernel.execute('x-counter-bump', { id: 'zz' }, { transport: 'qmp', client: '8' }).catch(() => undefined);
    const page = (await kernel.execute('x-query-log', { from: 1, count: 3 }, { transport: 'test' })) as { entries: unknown[] };
    await kernel.close();
    const audit = (await run(['audit', path, '--json'])).out.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(audit).toEqual(page.entries);
    expect(JSON.parse((await run(['show', path, '2', '--json'])).out)).toEqual(page.entries[1]);
    expect(Object.keys(page.entries[1] as object)).toEqual([
      'seq', 'time', 'origin', 'command', 'arguments', 'kind', 'applied', 'result',
      'phase-before', 'phase-after', 'run-state-before', 'run-state-after', 'state-hash', 'prev-hash', 'hash',
    ]);
  });

  it('diff names what differs between two points of logs, and exits 0 only when nothing does', async () => {
    const path = await recordLog();
    const bumped = await run(['diff', `${path}@1`, `${path}@2`]);
    expect(bumped).toMatchObject({ code: 1, out: '~ /objects/c1: property value: 0 -> 1\n' });
    const later = await run(['diff', `${path}@2`, path]);
    expect(later.code).toBe(1);
    expect(later.out).toBe('+ /machine (test-board)\nphase: no-machine -> machine-created\n');
    const json = JSON.parse((await run(['diff', `${path}@2`, path, '--json'])).out);
    expect(json).toEqual({ same: false, removed: [], added: [{ path: '/machine', type: 'test-board' }], changed: [], phase: { a: 'no-machine', b: 'machine-created' } });
    const same = await run(['diff', `${path}@2`, `${path}@3`]);
    expect(same).toMatchObject({ code: 0, out: `same configuration (${path}@2 through entry 2, ${path}@3 through entry 3)\n` });
    expect((await run(['diff', `${path}@9`, path])).err).toContain('@9: the log has 4 entries');
  });

  it('bisect names the first entry after which a path or property condition holds', async () => {
    const path = await recordLog();
    const found = await run(['bisect', path, '--until', '/objects/c1:value=1']);
    expect(found.code).toBe(0);
    expect(found.out).toMatch(/^\/objects\/c1:value=1 holds from entry 2 on:\n +2 .* x-counter-bump {2}\{"id":"c1"\} {2}ok\n$/);
    expect((await run(['bisect', path, '--until', '/machine'])).out).toMatch(/^\/machine holds from entry 4 on:/);
    expect(JSON.parse((await run(['bisect', path, '--until', '/objects/c1', '--json'])).out)).toMatchObject({ seq: 1, command: 'object-add' });
    expect((await run(['bisect', path, '--until', '!/objects/c1'])).out).toBe('!/objects/c1 holds before the first entry\n');
    expect((await run(['bisect', path, '--until', '/objects/c1:value!=0'])).out).toMatch(/^\/objects\/c1:value!=0 holds from entry 2 on:/);
    const never = await run(['bisect', path, '--until', '/objects/c1:value=7']);
    expect(never).toMatchObject({ code: 1, out: '/objects/c1:value=7 never holds (4 entries replayed)\n' });
    expect((await run(['bisect', path, '--until', 'objects/c1'])).err).toContain("a condition starts with a QOM path");
  });

  it('audit --failed also lists a command no plugin defines, with who sent it; replay passes over it', async () => {
    const path = tmp.path('vm.db');
    const kernel = await createKernel({ plugins: [counterPlugin()], log: SqliteLogStore.open(path) });
    await kernel.execute('object-add', { 'qom-type': 'test-counter', id: 'c1' }, { transport: 'qmp', client: '7' });
    await expect(kernel.execute('x-counter-bumpp', { id: 'c1' }, { transport: 'qmp', client: '9' })).rejects.toThrow('The command x-counter-bumpp has not been found');
    await kernel.close();
    const failed = await run(['audit', path, '--failed', '--args']);
    expect(failed.out).toMatch(/^ +2 .* qmp client=9 {2}x-counter-bumpp {2}\{"id":"c1"\} {2}error CommandNotFound: The command x-counter-bumpp has not been found\n$/);
    expect((await run(['replay', path])).code).toBe(0);
  });

  it('bundle copies a log still being written whole into one file that needs no -wal', async () => {
    const path = tmp.path('vm.db');
    const store = SqliteLogStore.open(path);
    store.append(drafts(5));
    // Not closed, as a killed VM leaves it: the entries are in vm.db-wal.
    const out = tmp.path('bug.vmlb');
    const r = await run(['bundle', path, '-o', out]);
    store.close();
    expect(r).toMatchObject({ code: 0, out: `bundle ${out}: 5 entries (never sealed)\n` });
    expect(statSync(`${out}-wal`, { throwIfNoEntry: false })).toBeUndefined();
    const bundle = SqliteLogStore.open(out, { readonly: true });
    expect([...bundle.entries()].map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    bundle.close();
    expect((await run(['verify', out])).code).toBe(0);
    expect((await run(['bundle', path, '-o', out])).err).toContain('already exists; choose a new file');
    const json = JSON.parse((await run(['bundle', path, '-o', tmp.path('b2.vmlb'), '--json'])).out);
    expect(json).toEqual({ bundle: tmp.path('b2.vmlb'), entries: 5, sealed: true, files: [], 'left-out': [] });
  });

  it('audit filters by the QOM path a command acts on and the property it sets', async () => {
    const path = tmp.path('vm.db');
    const kernel = await createKernel({ plugins: [counterPlugin()], log: SqliteLogStore.open(path) });
    const api = { transport: 'api' };
    await kernel.execute('object-add', { 'qom-type': 'test-counter', id: 'c1' }, api);
    await kernel.execute('object-add', { 'qom-type': 'test-counter', id: 'c2', value: 3 }, api);
    await kernel.execute('qom-set', { path: '/objects/c1', property: 'value', value: 5 }, api);
    await kernel.execute('machine-set', { type: 'test-board' }, api);
    await kernel.execute('object-del', { id: 'c1' }, api);
    await kernel.close();
    const seqs = async (...f: string[]) =>
      (await run(['audit', path, '--json', ...f])).out.trimEnd().split('\n').filter(Boolean).map((l) => JSON.parse(l).seq);
    expect(await seqs('--path', '/objects/c1')).toEqual([1, 3, 5]);
    expect(await seqs('--path', '/objects')).toEqual([1, 2, 3, 5]);
    expect(await seqs('--path', '/machine')).toEqual([4]);
    expect(await seqs('--property', 'value')).toEqual([2, 3]);
    expect(await seqs('--path', '/objects/c1', '--property', 'value')).toEqual([3]);
  });

  it('audit lists who ran what, from where, and the outcome', async () => {
    const path = await recordLog();
    const r = await run(['audit', path]);
    const lines = r.out.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^ {5}1 {2}\d{4}-\d\d-\d\dT[\d:.]+Z {2}qmp unix:\/run\/vm.sock client=7 {2}object-add {2}ok$/);
    expect(lines[1]).toMatch(/cli at option 3 {2}x-counter-bump {2}ok$/);
    expect(lines[2]).toMatch(/qmp client=8 {2}x-counter-bump {2}error DeviceNotFound: Device '\/objects\/zz' not found$/);
    expect(lines[3]).toMatch(/config vm.yaml at vm.yaml:4:3 {2}machine-set {2}ok$/);
  });

  it('audit filters by transport, client, command, outcome, range and time', async () => {
    const path = await recordLog();
    const seqs = async (...f: string[]) =>
      (await run(['audit', path, '--json', ...f])).out.trimEnd().split('\n').filter(Boolean).map((l) => JSON.parse(l).seq);
    expect(await seqs('--transport', 'qmp')).toEqual([1, 3]);
    expect(await seqs('--client', '8')).toEqual([3]);
    expect(await seqs('--command', 'x-counter-bump', '--applied')).toEqual([2]);
    expect(await seqs('--failed')).toEqual([3]);
    expect(await seqs('--from', '2', '--to', '3')).toEqual([2, 3]);
    expect(await seqs('--last', '2')).toEqual([3, 4]);
    expect(await seqs('--since', '2000-01-01', '--until', '2001-01-01')).toEqual([]);
    expect(await seqs('--since', new Date(Date.now() - 60_000).toISOString())).toEqual([1, 2, 3, 4]);
    expect((await run(['audit', path, '--since', 'yesterday'])).code).toBe(2);
  });
});

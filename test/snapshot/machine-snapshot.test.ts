/**
 * Whole-machine snapshots in one process: U-Boot run on a schedule that
 * depends on nothing but the machine (10,000 instructions, then 100 µs of
 * virtual time, the way an -icount mode would drive it), saved mid-boot,
 * loaded into a fresh machine, and run on: the console output and the
 * whole machine state afterwards are the same bytes as the original's.
 * Snapshots of another configuration, another device version, or damaged
 * files are refused with one line, and the machine is left as it was.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, type Kernel } from '../../kernel/index.js';
import cpuPlugin from '../../plugins/cpu-rv64/index.js';
import { saveMachine } from '../../plugins/hw/machine-state.js';
import { boardOf, type VirtBoard } from '../../plugins/machines/virt/index.js';
import snapshotPlugin from '../../plugins/snapshot/index.js';
import { decodeSnapshot, encodeSnapshot } from '../../plugins/snapshot/snapshot-file.js';
import { findHmpCommand } from '../../transports/hmp/command-table.js';
import { hwKernel, run } from '../machines/helpers.js';
import { describeNeeding, lacking } from '../needs.js';

const UBOOT = '/usr/lib/u-boot/qemu-riscv64/u-boot.bin';
const NO_UBOOT = lacking('U-Boot (M-mode)');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vmledger-snap-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A built, not yet started virt machine running U-Boot, console on a ring
 * buffer, with the JIT on: the copy, loaded into a core that has compiled
 * nothing, runs the same instructions between clock steps as the original,
 * whose hot code is compiled, because a block never runs past its budget.
 */
async function machine(extra: Record<string, unknown> = {}): Promise<{ k: Kernel; board: VirtBoard }> {
  const k = await hwKernel([snapshotPlugin], cpuPlugin);
  await run(
    k,
    ['chardev-add', { id: 'serial0', backend: { type: 'ringbuf', data: { size: 1 << 20 } } }],
    ['machine-set', { type: 'virt', firmware: UBOOT, 'cpu-type': 'rv64', 'snapshot-dir': dir, ...extra }],
    ['until-phase', { phase: 'machine-ready' }],
  );
  return { k, board: boardOf(k.objects.get('/machine')) };
}

/** Runs `n` steps of the deterministic schedule. */
function steps(board: VirtBoard, n: number): void {
  for (let i = 0; i < n; i++) {
    board.cluster.run(10_000);
    board.clock.advance(100_000);
  }
}

const consoleText = async (k: Kernel) => (await run(k, ['ringbuf-read', { device: 'serial0', size: 1 << 20 }])) as string;

/** The machine's whole state (devices, harts, clock) and RAM, for comparing two machines. */
function stateOf(board: VirtBoard): { state: string; ram: Buffer } {
  const { state, ram } = saveMachine(board);
  return { state: canonicalJson(state), ram: Buffer.from(ram) };
}

async function snapshotFile(tag: string) {
  return decodeSnapshot(readFileSync(join(dir, `${tag}.vmsnap`)));
}

describeNeeding('machine snapshots (U-Boot, deterministic schedule)', NO_UBOOT, () => {
  it('loads into a fresh machine as the same bytes, and both run on to the same console output and state', async () => {
    // From the snapshot on: the rest of the boot to the autoboot countdown, a key that stops it, and a command at the prompt.
    const runOn = async (m: { k: Kernel; board: VirtBoard }) => {
      steps(m.board, 1200);
      await run(m.k, ['ringbuf-write', { device: 'serial0', data: ' ' }]);
      steps(m.board, 300);
      await run(m.k, ['ringbuf-write', { device: 'serial0', data: 'version\r' }]);
      steps(m.board, 300);
      return consoleText(m.k);
    };
    const a = await machine();
    steps(a.board, 400);
    expect(await consoleText(a.k)).toContain('DRAM:  128 MiB');
    await run(a.k, ['savevm', { tag: 'mid' }]);
    const after = await runOn(a);
    expect(after).toContain('Hit any key to stop autoboot');
    expect(after).toMatch(/=> version\r\nU-Boot 20\d\d/);

    const b = await machine();
    await run(b.k, ['loadvm', { tag: 'mid' }]);
    // Saved again right after loading: the same state and RAM, byte for byte.
    await run(b.k, ['savevm', { tag: 'mid-again' }]);
    const [mid, again] = [await snapshotFile('mid'), await snapshotFile('mid-again')];
    expect(canonicalJson(again.machine)).toBe(canonicalJson(mid.machine));
    expect(again.ram.present.equals(mid.ram.present) && again.ram.data.equals(mid.ram.data)).toBe(true);

    expect(await runOn(b)).toBe(after);
    const [sa, sb] = [stateOf(a.board), stateOf(b.board)];
    expect(sb.state).toBe(sa.state);
    expect(sb.ram.equals(sa.ram)).toBe(true);
    await run(a.k, ['quit']);
    await run(b.k, ['quit']);
  }, 300_000);

  it('stores RAM pages that are all zero as nothing', async () => {
    const a = await machine({ memory: 256 * 1024 * 1024 });
    await run(a.k, ['savevm', { tag: 'big' }]);
    // U-Boot and the device tree are a few hundred KiB; 256 MiB of zeros add only the page map (8 KiB).
    expect(readFileSync(join(dir, 'big.vmsnap')).length).toBeLessThan(1 << 20);
    await run(a.k, ['quit']);
  }, 60_000);

  describe('refusals leave the machine as it was', () => {
    let m: { k: Kernel; board: VirtBoard };
    beforeAll(async () => {
      const src = await machine();
      steps(src.board, 50);
      await run(src.k, ['savevm', { tag: 'good' }]);
      await run(src.k, ['quit']);
      m = await machine();
      steps(m.board, 20);
    }, 60_000);
    afterAll(() => run(m.k, ['quit']));

    async function refused(tag: string, message: RegExp): Promise<void> {
      const before = stateOf(m.board);
      await expect(run(m.k, ['loadvm', { tag }])).rejects.toThrow(message);
      const now = stateOf(m.board);
      expect(now.state).toBe(before.state);
      expect(now.ram.equals(before.ram)).toBe(true);
    }

    it('refuses a file whose bytes were damaged, saying it is corrupt', async () => {
      const bytes = readFileSync(join(dir, 'good.vmsnap'));
      bytes[bytes.length >> 1] ^= 0x40;
      writeFileSync(join(dir, 'damaged.vmsnap'), bytes);
      await refused('damaged', /^Snapshot 'damaged' cannot be loaded: the file is corrupt \(its checksum does not match\)$/);
    });

    it('refuses a file that is not a snapshot', async () => {
      writeFileSync(join(dir, 'text.vmsnap'), 'hello, this is not a snapshot at all, but it is long enough to be read');
      await refused('text', /^Snapshot 'text' cannot be loaded: not a vmledger snapshot$/);
    });

    it('refuses a truncated file', async () => {
      const bytes = readFileSync(join(dir, 'good.vmsnap'));
      writeFileSync(join(dir, 'short.vmsnap'), bytes.subarray(0, 100));
      await refused('short', /cannot be loaded: the file is (corrupt|truncated)/);
    });

    it('refuses a snapshot with another version of a device state, naming the device', async () => {
      const snap = await snapshotFile('good');
      const devices = { ...snap.machine.devices, '/machine/uart0': { ...snap.machine.devices['/machine/uart0']!, version: 2 } };
      writeFileSync(join(dir, 'uart-v2.vmsnap'), await encodeSnapshot({ ...snap, machine: { ...snap.machine, devices } }));
      await refused('uart-v2', /^Snapshot 'uart-v2' cannot be loaded: \/machine\/uart0: ns16550a state version 2, this build has version 1$/);
    });

    it('refuses a snapshot whose saved field is out of range, naming the field', async () => {
      const snap = await snapshotFile('good');
      const uart = snap.machine.devices['/machine/uart0']!;
      const devices = { ...snap.machine.devices, '/machine/uart0': { ...uart, state: { ...uart.state, lcr: 300 } } };
      writeFileSync(join(dir, 'uart-lcr.vmsnap'), await encodeSnapshot({ ...snap, machine: { ...snap.machine, devices } }));
      await refused('uart-lcr', /^Snapshot 'uart-lcr' cannot be loaded: \/machine\/uart0\.lcr: expected an unsigned 8-bit integer$/);
    });

    it('refuses a snapshot of another configuration', async () => {
      const other = await machine({ memory: 64 * 1024 * 1024 });
      await run(other.k, ['savevm', { tag: 'other-config' }]);
      await run(other.k, ['quit']);
      await refused('other-config', /^Snapshot 'other-config' cannot be loaded: it belongs to another configuration \(state hash [0-9a-f]{16}\.\.\. after log entry \d+; this machine's is [0-9a-f]{16}\.\.\.\)$/);
    }, 60_000);

    it('refuses a snapshot that does not exist, and a name that is not a plain file name', async () => {
      await refused('nothing-here', /^Could not open '.*nothing-here\.vmsnap'/);
      await refused('../good', /^Invalid snapshot name '\.\.\/good'/);
    });

    it('reports a failed snapshot-load job through query-jobs, as QEMU does, and the job can be dismissed', async () => {
      const before = stateOf(m.board);
      expect(await run(m.k, ['snapshot-load', { 'job-id': 'j1', tag: 'damaged' }])).toEqual({});
      expect(await run(m.k, ['query-jobs'])).toEqual([
        { id: 'j1', type: 'snapshot-load', status: 'concluded', 'current-progress': 1, 'total-progress': 1, error: "Snapshot 'damaged' cannot be loaded: the file is corrupt (its checksum does not match)" },
      ]);
      expect(stateOf(m.board).state).toBe(before.state);
      await expect(run(m.k, ['snapshot-load', { 'job-id': 'j1', tag: 'good' }])).rejects.toThrow("Job ID 'j1' already in use");
      await run(m.k, ['job-dismiss', { id: 'j1' }]);
      expect(await run(m.k, ['query-jobs'])).toEqual([]);
    });
  });

  it('without a snapshot-dir, savevm says how to set one', async () => {
    const k = await hwKernel([snapshotPlugin], cpuPlugin);
    await run(k, ['machine-set', { type: 'virt', firmware: UBOOT }], ['until-phase', { phase: 'machine-ready' }]);
    await expect(run(k, ['savevm', { tag: 'x' }])).rejects.toThrow("No snapshot directory: set the machine's snapshot-dir property (-machine snapshot-dir=DIR)");
    await run(k, ['quit']);
  });
});

describeNeeding('migration to a file and HMP snapshot commands', NO_UBOOT, () => {
  it('migrates to a file that migrate-incoming loads in another machine of the same configuration', async () => {
    const a = await machine();
    steps(a.board, 30);
    const path = join(dir, 'vm.mig');
    await run(a.k, ['migrate', { uri: `file:${path}` }]);
    expect(await run(a.k, ['query-migrate'])).toMatchObject({ status: 'completed', ram: { total: 128 * 1024 * 1024, transferred: readFileSync(path).length } });
    const b = await machine();
    await run(b.k, ['migrate-incoming', { uri: `file:${path}` }]);
    const [sa, sb] = [stateOf(a.board), stateOf(b.board)];
    expect(sb.state).toBe(sa.state);
    expect(sb.ram.equals(sa.ram)).toBe(true);
    await expect(run(a.k, ['migrate', { uri: 'exec:cat > /dev/null' }])).rejects.toThrow("Migration URI scheme 'exec' is not supported here: use file:PATH");
    await run(a.k, ['quit']);
    await run(b.k, ['quit']);
  }, 60_000);

  it('savevm, info snapshots, loadvm and delvm at the human monitor, errors as one Error: line', async () => {
    const m = await machine();
    steps(m.board, 30);
    const origin = { transport: 'hmp' } as const;
    const hmp = async (line: string): Promise<string> => {
      const [name, ...words] = line.split(' ');
      const ctx = { exec: (c: string, a?: Record<string, unknown>) => m.k.execute(c, a ?? {}, origin), host: m.k.host, end() {} };
      const cmd = findHmpCommand(name!)!;
      try {
        return await cmd.run(ctx as never, words, words.join(' '));
      } catch (e) {
        return `Error: ${(e as { desc?: string }).desc ?? (e as Error).message}`;
      }
    };
    expect(await hmp('savevm hmp1')).toBe('');
    const list = await hmp('info snapshots');
    expect(list).toMatch(/^List of snapshots present in the snapshot directory:\nID +TAG +VM SIZE +DATE +VM CLOCK\n/);
    expect(list).toMatch(/\n\d+ +hmp1 +[\d.]+ (KiB|MiB) +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +00:00:00\.003/);
    steps(m.board, 10);
    expect(await hmp('loadvm hmp1')).toBe('');
    expect(m.board.clock.now()).toBe(3_000_000);
    expect(await hmp('delvm hmp1')).toBe('');
    expect(await hmp('info snapshots')).not.toContain('hmp1');
    expect(await hmp('loadvm hmp1')).toMatch(/^Error: Could not open '.*hmp1\.vmsnap'/);
    expect(await hmp('delvm hmp1')).toBe("Error: Snapshot 'hmp1' not found");
    await run(m.k, ['quit']);
  }, 60_000);
});

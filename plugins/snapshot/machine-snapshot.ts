/**
 * Taking and restoring a whole snapshot of the running machine: pause it,
 * save or load every declared state, resume it as it was. A snapshot
 * records the configuration it belongs to (the log's position and the
 * configuration's state hash), and loading one from another configuration,
 * another state version or a damaged file is refused with one line, before
 * anything changes.
 */
import { fail, type KernelContext, MACHINE_PATH } from '../../kernel/index.js';
import { checkMachine, isStatefulBoard, loadMachine, saveMachine, type StatefulBoard } from '../hw/machine-state.js';
import { StateError } from '../hw/vmstate.js';
import { decodeSnapshot, encodeSnapshot, ramImage, type Snapshot, SnapshotFileError, type SnapshotMeta, writeRam } from './snapshot-file.js';

/** The running machine's board, when it can be saved. */
export function boardOf(ctx: KernelContext): StatefulBoard {
  const board = ctx.objects.find(MACHINE_PATH)?.runtime;
  if (!isStatefulBoard(board)) fail('The machine cannot be saved or loaded (no machine, or one that keeps no state)');
  return board;
}

/** Where the configuration stands: the last logged entry and the configuration's state hash. */
async function configPosition(ctx: KernelContext): Promise<SnapshotMeta['config']> {
  const page = (await ctx.call('x-query-log', { count: 1 })) as { entries: Array<{ seq: number }> };
  return { seq: page.entries[0]?.seq ?? 0, 'state-hash': ctx.objects.hash(ctx.phase) };
}

/** Runs `work` with the guest paused, resuming it afterwards if it ran. */
async function paused<T>(board: StatefulBoard, work: () => T | Promise<T>): Promise<T> {
  const wasRunning = board.loop.isRunning;
  board.loop.stop();
  try {
    return await work();
  } finally {
    if (wasRunning && !board.quit) board.loop.start();
  }
}

/** Saves the machine as snapshot `name`: the encoded file. */
export async function takeSnapshot(ctx: KernelContext, name: string): Promise<Buffer> {
  const board = boardOf(ctx);
  const config = await configPosition(ctx);
  const machine = ctx.objects.find(MACHINE_PATH)!.type;
  return paused(board, async () => {
    let saved;
    try {
      saved = saveMachine(board);
    } catch (e) {
      if (e instanceof StateError) fail(`The machine cannot be saved: ${e.message}`);
      throw e;
    }
    // The guest stays paused until RAM is encoded: it is read in place.
    return encodeSnapshot({ meta: { name, date: Date.now(), 'vm-clock-ns': saved.state.clock, config, machine }, machine: saved.state, ram: saved.ram });
  });
}

/**
 * Loads snapshot file `file` (named `what` in messages) into the machine.
 * Everything is checked before anything changes; the state the machine had
 * comes back if the command is undone (its log entry could not be written).
 */
export async function restoreSnapshot(ctx: KernelContext, file: Uint8Array, what: string): Promise<SnapshotMeta> {
  const board = boardOf(ctx);
  let snap: Snapshot;
  try {
    snap = await decodeSnapshot(file);
  } catch (e) {
    if (e instanceof SnapshotFileError) fail(`${what} cannot be loaded: ${e.message}`);
    throw e;
  }
  const machine = ctx.objects.find(MACHINE_PATH)!.type;
  if (snap.meta.machine !== machine) fail(`${what} cannot be loaded: it was taken on a '${String(snap.meta.machine)}' machine, this one is '${machine}'`);
  const hash = ctx.objects.hash(ctx.phase);
  const theirs = snap.meta.config?.['state-hash'];
  if (theirs !== hash)
    fail(`${what} cannot be loaded: it belongs to another configuration (state hash ${String(theirs).slice(0, 16)}... after log entry ${String(snap.meta.config?.seq)}; this machine's is ${hash.slice(0, 16)}...)`);
  let checked;
  try {
    checked = checkMachine(board, snap.machine, snap.ram.size);
  } catch (e) {
    if (e instanceof StateError) fail(`${what} cannot be loaded: ${e.message}`);
    throw e;
  }
  await paused(board, () => {
    // Kept until the command's log entry commits: an undone load puts this back.
    const before = saveMachine(board);
    const undo = { checked: checkMachine(board, before.state, before.ram.length), ram: ramImage(before.ram) };
    loadMachine(board, checked, (ram) => writeRam(ram, snap.ram));
    ctx.onRollback(() => paused(board, () => loadMachine(board, undo.checked, (ram) => writeRam(ram, undo.ram))));
  });
  return snap.meta;
}

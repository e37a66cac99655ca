import { createKernel, type Kernel, type KernelOptions } from '../kernel/kernel.js';
import type { CommandLogStore } from '../kernel/log/log-entry.js';
import { stateHashFormatOf } from '../kernel/objects/state-hash-format.js';

/** A fresh kernel in replay mode that hashes configurations as `store` recorded them (its state-hash format). */
export function replayKernel(store: Pick<CommandLogStore, 'header'>, plugins: KernelOptions['plugins']): Promise<Kernel> {
  return createKernel({ plugins, mode: 'replay', stateHashFormat: stateHashFormatOf(store.header()) });
}

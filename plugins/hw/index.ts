import { definePlugin, t } from '../../kernel/index.js';
import { CPU_MODELS, type CpuModel } from './cpu.js';
import { queryCpuDefinitions, queryKvm, queryTarget } from './target-queries.js';

// The hardware API device authors use; external plugins import it as `vmledger/hw`.
export { defineDevice, type DeviceDecl, type DeviceModel, type MmioDecl, type Attachment } from './device.js';
export type { DeviceIo, DeviceHandle, FdtContext, Placement } from './device-host.js';
export { node, prop, findNode, walkNodes, cellsOf, stringsOf, encodeFdt, decodeFdt, type FdtNode } from './fdt.js';
export { IrqLine } from './irq.js';
export { DeviceHarness, FakeHart } from './harness.js';
export type { CharBackend, CharFrontend, BlockBackend, RngBackend } from './backend-types.js';
export { CPU_MODELS, IRQ, chooseCpu, type CpuChoice, type CpuDescription, type CpuModel, type CpuProps, type CpuCluster, type Hart, type MachineTimer, type TrapStorm } from './cpu.js';
export type { PhysicalBus, MmioHandlers } from './bus.js';
export { vm, StateTimer, StateError, createRecord, type StateDecl, type StateField, type StateFields, type StateOf, type SavedState } from './vmstate.js';
export { isStatefulBoard, saveBlocker, saveMachine, checkMachine, loadMachine, saveDevice, checkDevice, loadDevice, type StatefulBoard, type MachineState, type SavedDevice, type CheckedMachine } from './machine-state.js';

/** Parent of every MMIO device: where the board maps it and which interrupt input its first line drives. */
export const SYS_BUS_DEVICE = 'sys-bus-device';
/** Parent of virtio device back-ends (virtio-blk-device, virtio-rng-device); they plug into a virtio-mmio transport. */
export const VIRTIO_DEVICE = 'virtio-device';

/**
 * The hardware plugin: the base device types every device plugin builds on
 * and the `CPU_MODELS` service CPU plugins register their models into.
 */
export const hwPlugin = definePlugin({
  name: 'hw',
  version: '0.1.0',
  setup(host) {
    host.provide(CPU_MODELS, new Map<string, CpuModel>());
    for (const command of [queryCpuDefinitions, queryTarget, queryKvm]) host.command(command);
    host.type({
      name: SYS_BUS_DEVICE,
      parent: 'device',
      abstract: true,
      doc: 'A device on the system bus: MMIO regions and interrupt lines',
      props: {
        addr: { type: t.uint64(), doc: 'Base address (default: the board chooses)', settable: 'unrealized' },
        irq: { type: t.int(), doc: 'Interrupt-controller input of the first IRQ line (default: the board chooses)', settable: 'unrealized' },
      },
    });
    host.type({
      name: VIRTIO_DEVICE,
      parent: 'device',
      abstract: true,
      doc: 'A virtio device; it plugs into a free virtio-mmio transport of the board',
      props: {
        bootindex: {
          type: t.int(),
          doc: "Boot order as libvirt gives it (bootindex=1); recorded, but the firmware finds the boot disk itself: the board has no fw_cfg to pass an order",
          settable: 'unrealized',
        },
      },
    });
  },
});

export default hwPlugin;

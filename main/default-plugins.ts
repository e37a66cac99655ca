import type { Plugin } from '../kernel/index.js';
import blockPlugin from '../plugins/backends/block/index.js';
import chardevPlugin from '../plugins/backends/chardev/index.js';
import objectsPlugin from '../plugins/backends/objects/index.js';
import cpuRv64Plugin from '../plugins/cpu-rv64/index.js';
import devicesPlugin from '../plugins/devices/index.js';
import hwPlugin from '../plugins/hw/index.js';
import { virtPlugin } from '../plugins/machines/virt/index.js';
import sandboxPlugin from '../plugins/sandbox/index.js';
import snapshotPlugin from '../plugins/snapshot/index.js';
import tlsPlugin from '../plugins/backends/tls/index.js';
import hmpPlugin from '../transports/hmp/index.js';
import { exportConfigPlugin } from '../transports/config/index.js';
import { qmpPlugin } from '../transports/qmp/index.js';

/** The plugins every vmledger process loads; `--plugin` adds more. The one registration list of the program. */
export const DEFAULT_PLUGINS: readonly Plugin[] = [
  hwPlugin,
  devicesPlugin,
  virtPlugin,
  cpuRv64Plugin,
  chardevPlugin,
  blockPlugin,
  objectsPlugin,
  tlsPlugin,
  sandboxPlugin,
  snapshotPlugin,
  qmpPlugin,
  hmpPlugin,
  exportConfigPlugin,
];

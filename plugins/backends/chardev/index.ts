import { definePlugin } from '../../../kernel/index.js';
import { CHARDEV_COMMANDS } from './commands.js';
import { CHARDEV_TYPES } from './types.js';

export { CharBackendBase, MUX_ESCAPE } from './char-base.js';
export { FileChardev, NullChardev, RingbufChardev, StdioChardev } from './simple.js';
export { SocketChardev, type SocketAddress } from './socket.js';
export { CHARDEVS_PATH, CHARDEV } from './types.js';

/** Character device back-ends: null, stdio, file, socket, ringbuf, each optionally a mux. */
export const chardevPlugin = definePlugin({
  name: 'chardev',
  version: '0.1.0',
  setup(host) {
    for (const type of CHARDEV_TYPES) host.type(type);
    for (const cmd of CHARDEV_COMMANDS) host.command(cmd);
  },
});

export default chardevPlugin;

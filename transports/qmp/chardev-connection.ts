import { PassThrough, Writable } from 'node:stream';
import type { SocketReach } from '../../kernel/index.js';
import type { Connection, Listener } from './endpoints.js';

/**
 * What a monitor needs of a character device: the shape chardev backends
 * give their `runtime` (`write` toward the host, `attach` a front-end that
 * receives bytes from the host). Declared here structurally, so the
 * transport depends on no backend plugin.
 */
export interface ChardevPort {
  /** For a socket chardev: how far it reaches, so a monitor on it follows the rules a monitor's own socket would. */
  readonly reach?: SocketReach;
  write(data: Uint8Array): void;
  attach(frontend: { canReceive(): number; receive(data: Uint8Array): void; focus?(focused: boolean): void }): () => void;
}

/** Finds the chardev named by `chardev:ID`, or undefined. */
export type ChardevLookup = (id: string) => ChardevPort | undefined;

/**
 * A monitor on a chardev (`-serial mon:stdio`, `-mon chardev=ID`): one
 * connection whose input is what the chardev receives while the monitor has
 * the focus, and whose output goes to the chardev. On a mux, output written
 * while the serial console has the focus waits until the monitor gets it
 * (Ctrl-A c), as QEMU's monitor shows its banner only then.
 */
export function listenChardev(id: string, lookup: ChardevLookup, onConnection: (c: Connection) => void, checkMonitor: (reach: SocketReach) => void): Listener {
  const port = lookup(id);
  if (!port) throw new Error(`endpoint 'chardev:${id}': no chardev named '${id}'`);
  if (port.reach) checkMonitor(port.reach);
  const input = new PassThrough();
  let focused = true;
  const held: Uint8Array[] = [];
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      // A chardev is a raw terminal line: newlines need their carriage return, as QEMU's monitor_puts adds.
      const bytes = new TextEncoder().encode(chunk.toString('utf8').replace(/\r?\n/g, '\r\n'));
      if (focused) port.write(bytes);
      else held.push(bytes);
      done();
    },
  });
  const detach = port.attach({
    canReceive: () => 4096,
    receive: (data) => void input.write(Buffer.from(data)),
    focus: (now) => {
      focused = now;
      if (now) for (const chunk of held.splice(0)) port.write(chunk);
    },
  });
  onConnection({ input, output, client: `chardev:${id}`, ownsStreams: true });
  return {
    endpoint: `chardev:${id}`,
    close: async () => {
      detach();
      input.end();
    },
  };
}

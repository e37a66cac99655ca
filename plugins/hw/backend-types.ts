/**
 * The contracts between device front-ends and host back-ends. Devices find a
 * back-end as the `runtime` of `/chardevs/<id>`, `/blockdevs/<node-name>` or
 * `/objects/<id>`; back-ends implement these in `plugins/backends/`.
 */

/** The device side of a character stream (a UART). */
export interface CharFrontend {
  /** How many bytes the device can take now (free FIFO space). */
  canReceive(): number;
  /** Bytes from the host, never more than `canReceive()` said. */
  receive(data: Uint8Array): void;
  /** On a mux: this front-end gained (true) or lost (false) the focus. */
  focus?(focused: boolean): void;
}

/** A character back-end (stdio, socket, file, ringbuf, null, mux). */
export interface CharBackend {
  /** Bytes from the device to the host. */
  write(data: Uint8Array): void;
  /** Connects a device; input flows to it from now on. Returns the detach function. */
  attach(frontend: CharFrontend): () => void;
  /** The device made room: deliver buffered input. */
  pump(): void;
}

/** A block back-end: a raw image (or its copy-on-write overlay). */
export interface BlockBackend {
  readonly size: number;
  readonly readOnly: boolean;
  /** Reads `buf.length` bytes at byte `offset`; throws an Error with a reason on a host I/O error. */
  read(offset: number, buf: Uint8Array): void;
  write(offset: number, data: Uint8Array): void;
  flush(): void;
}

/** An entropy source (`rng-random`). */
export interface RngBackend {
  /** Fills `buf` with random bytes. */
  fill(buf: Uint8Array): void;
}

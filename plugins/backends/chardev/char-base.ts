import type { CharBackend, CharFrontend } from '../../hw/backend-types.js';

/** QEMU's mux escape: Ctrl-A. */
export const MUX_ESCAPE = 0x01;

/**
 * What every chardev shares: input queued until a front-end has room
 * (`pump`), output to the host through `output`, and optionally a mux
 * (QEMU's `mux=on`): several front-ends (serial console, human monitor) on
 * one host stream, Ctrl-A c switching which one gets the input and
 * Ctrl-A x quitting the emulator.
 */
export abstract class CharBackendBase implements CharBackend {
  private readonly frontends: CharFrontend[] = [];
  private focus = 0;
  private escaped = false;
  private readonly queue: Uint8Array[] = [];
  /** Whether a front-end is attached (`query-chardev`'s `frontend-open`). */
  get frontendOpen(): boolean {
    return this.frontends.length > 0;
  }

  /**
   * What Ctrl-A x does on a mux: set by the chardev type at realize to a
   * host-initiated shutdown through the kernel, so the backend itself needs
   * no kernel; without it the escape is ignored.
   */
  onQuit: (() => void) | undefined;

  constructor(readonly mux = false) {}

  /** Sends device output to the host. */
  protected abstract output(data: Uint8Array): void;

  /** Releases host resources. */
  abstract close(): void | Promise<void>;

  /** `filename` for `query-chardev`. */
  abstract describe(): string;

  write(data: Uint8Array): void {
    this.output(data);
  }

  attach(frontend: CharFrontend): () => void {
    if (this.frontends.length && !this.mux) throw new Error('chardev is already in use by another device (use mux=on to share it)');
    this.frontends.push(frontend);
    // A new front-end on a mux takes the focus, as QEMU's mux does.
    this.moveFocus(this.frontends.length - 1);
    this.pump();
    return () => {
      const i = this.frontends.indexOf(frontend);
      if (i >= 0) this.frontends.splice(i, 1);
      this.focus = Math.min(this.focus, Math.max(0, this.frontends.length - 1));
      this.frontends[this.focus]?.focus?.(true);
    };
  }

  /** Tells the front-ends that the mux focus moved (a monitor shows its prompt when it gains it). */
  private moveFocus(to: number): void {
    const from = this.frontends[this.focus];
    this.focus = to;
    if (from !== this.frontends[to]) from?.focus?.(false);
    this.frontends[to]?.focus?.(true);
  }

  /** Which front-end has the focus on a mux (0 = the first attached). */
  get focused(): number {
    return this.focus;
  }

  /** Bytes from the host toward the device; the mux escape is handled here. */
  protected input(data: Uint8Array): void {
    this.queue.push(this.mux ? this.unescape(data) : data);
    this.pump();
  }

  pump(): void {
    const fe = this.frontends[this.focus];
    if (!fe) return;
    while (this.queue.length) {
      const room = fe.canReceive();
      if (room <= 0) return;
      const head = this.queue[0]!;
      if (head.length <= room) {
        this.queue.shift();
        if (head.length) fe.receive(head);
      } else {
        fe.receive(head.subarray(0, room));
        this.queue[0] = head.subarray(room);
      }
    }
  }

  /** Drops the escape sequences a mux acts on; Ctrl-A Ctrl-A sends one Ctrl-A. */
  private unescape(data: Uint8Array): Uint8Array {
    const out: number[] = [];
    for (const b of data) {
      if (!this.escaped) {
        if (b === MUX_ESCAPE) this.escaped = true;
        else out.push(b);
        continue;
      }
      this.escaped = false;
      if (b === MUX_ESCAPE) out.push(b);
      else if (b === 0x63 /* c */ && this.frontends.length) {
        this.moveFocus((this.focus + 1) % this.frontends.length);
      } else if (b === 0x78 /* x */ && this.onQuit) {
        // QEMU prints this line before it shuts down (chardev/char-mux.c).
        this.output(new TextEncoder().encode('vmledger: Terminated\n\r'));
        this.onQuit();
      } else if (b === 0x68 /* h */) {
        this.output(new TextEncoder().encode('\r\nC-a h    print this help\r\nC-a x    exit emulator\r\nC-a c    switch between console and monitor\r\nC-a C-a  sends C-a\r\n'));
      }
    }
    return Uint8Array.from(out);
  }
}

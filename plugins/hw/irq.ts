/**
 * A level-triggered interrupt line from a device output to one sink (an
 * interrupt controller's input or a hart's `mip` bit). Unconnected lines
 * simply remember their level, so a device works before it is wired.
 */
export class IrqLine {
  private sink: ((level: boolean) => void) | undefined;
  private current = false;

  constructor(readonly name = 'irq') {}

  /** The line's present level. */
  get level(): boolean {
    return this.current;
  }

  /** Drives the line; the sink only hears about changes. */
  set(level: boolean): void {
    if (level === this.current) return;
    this.current = level;
    this.sink?.(level);
  }

  /** Sets the level without telling the sink (a snapshot restores both ends of the line). */
  restore(level: boolean): void {
    this.current = level;
  }

  /** Wires the line; the sink learns the present level at once. */
  connect(sink: (level: boolean) => void): void {
    this.sink = sink;
    sink(this.current);
  }

  /** Unwires the line (unplug), dropping it to low at the sink first. */
  disconnect(): void {
    if (this.current) this.sink?.(false);
    this.sink = undefined;
  }
}

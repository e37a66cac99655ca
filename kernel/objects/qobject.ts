/** An object in the tree. Properties are configuration; `runtime` is not (never hashed or logged). */
export interface QObject {
  readonly path: string;
  /** Last path component (the user's id for devices and objects). */
  readonly name: string;
  readonly type: string;
  readonly realized: boolean;
  /**
   * Where the machine put a realized device, as the guest sees it (its board
   * decides: MMIO regions, interrupt lines); plain data, part of the state
   * hash. Undefined for objects nothing placed.
   */
  readonly placement: Readonly<Record<string, unknown>> | undefined;
  get(prop: string): unknown;
  /** All property values, defaults included. */
  values(): Readonly<Record<string, unknown>>;
  /** The model behind the object (a device's registers, a backend's fd...), owned by its type. */
  runtime: unknown;
}

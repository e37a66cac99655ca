/** An object in the tree. Properties are configuration; `runtime` is not (never hashed or logged). */
export interface QObject {
  readonly path: string;
  /** Last path component (the user's id for devices and objects). */
  readonly name: string;
  readonly type: string;
  readonly realized: boolean;
  get(prop: string): unknown;
  /** All property values, defaults included. */
  values(): Readonly<Record<string, unknown>>;
  /** The model behind the object (a device's registers, a backend's fd...), owned by its type. */
  runtime: unknown;
}

/**
 * Who sent a command and from where, as the log records it: `transport`
 * (`qmp`, `hmp`, `cli`, `config`, `replay`, `api`), the endpoint
 * (`unix:/run/vm.sock`, `tcp:127.0.0.1:4444`, a file name), the connection
 * or client id, the session, and for the command line or a file the
 * position (`option 3`, `vm.yaml:12:3`).
 */
export interface Origin {
  readonly transport: string;
  readonly endpoint?: string;
  readonly client?: string;
  readonly session?: string;
  readonly position?: string;
}

/**
 * Who sent a command and from where, as the log records it: `transport`
 * (`qmp`, `hmp`, `cli`, `config`, `replay`, `api`), the endpoint
 * (`unix:/run/vm.sock`, `tcp:127.0.0.1:4444`, a file name), the connection
 * or client id, the session, and for the command line or a file the
 * position (`option 3`, `vm.yaml:12:3`). A network connection adds the
 * peer's address (`tcp:192.0.2.7:51234`) and, when it authenticated, who
 * it proved to be (`x509:CN=ops`, `psk:ops`); a read-only monitor says so,
 * and the dispatcher then runs only queries for it.
 */
export interface Origin {
  readonly transport: string;
  readonly endpoint?: string;
  readonly client?: string;
  readonly session?: string;
  readonly position?: string;
  readonly peer?: string;
  readonly identity?: string;
  readonly readOnly?: boolean;
}

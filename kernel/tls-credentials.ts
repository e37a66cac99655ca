import type { ConnectionOptions, TLSSocket, TlsOptions } from 'node:tls';
import { QmpError } from './errors.js';
import type { ObjectTree } from './objects/object-tree.js';

/** Which side of a TLS handshake credentials are for (QEMU's QCryptoTLSCredsEndpoint). */
export type TlsEndpoint = 'server' | 'client';

/**
 * What a TLS credentials object (`tls-creds-x509`, `tls-creds-psk`) gives the
 * sockets that use it, as its runtime: the options for node:tls and how to
 * name the peer once the handshake proved who it is. Declared here, so any
 * plugin or transport can use credentials without knowing which plugin made them.
 */
export type TlsCredentials = TlsServerCredentials | TlsClientCredentials;

interface TlsCredentialsBase {
  /** The authenticated peer (`x509:CN=ops`, `psk:ops`), once the handshake is done. */
  identify(socket: TLSSocket): string | undefined;
}

/** Credentials for the listening side: options for `tls.createServer`. */
export interface TlsServerCredentials extends TlsCredentialsBase {
  readonly endpoint: 'server';
  tlsOptions(): TlsOptions;
}

/** Credentials for the connecting side: options for `tls.connect`. */
export interface TlsClientCredentials extends TlsCredentialsBase {
  readonly endpoint: 'client';
  tlsOptions(): ConnectionOptions;
}

/** Where `object-add` puts objects (the kernel's `/objects`). */
const OBJECTS = '/objects';

function isCredentials(runtime: unknown): runtime is TlsCredentials {
  return !!runtime && typeof (runtime as TlsCredentials).tlsOptions === 'function' && typeof (runtime as TlsCredentials).identify === 'function';
}

/** The credentials object named `id` for one side, with QEMU's error when it is missing, not credentials, or for the other side. */
export function tlsCredentials<E extends TlsEndpoint>(objects: ObjectTree, id: string, endpoint: E): Extract<TlsCredentials, { endpoint: E }> {
  const obj = objects.find(`${OBJECTS}/${id}`);
  if (!obj) throw new QmpError('GenericError', `No TLS credentials with id '${id}'`);
  if (!isCredentials(obj.runtime)) throw new QmpError('GenericError', `Object with id '${id}' is not TLS credentials`);
  if (obj.runtime.endpoint !== endpoint) throw new QmpError('GenericError', `Expecting TLS credentials with a ${endpoint} endpoint`);
  return obj.runtime as Extract<TlsCredentials, { endpoint: E }>;
}

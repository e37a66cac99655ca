import { definePlugin, t, type ObjectTypeDecl, type QObject } from '../../../kernel/index.js';
import { loadPsk } from './psk.js';
import { loadX509 } from './x509.js';

const Endpoint = t.enum('QCryptoTLSCredsEndpoint', ['client', 'server'], 'Which side of the handshake the credentials are for');

/** The abstract parent, with QEMU's common TLS credentials properties (TlsCredsProperties). */
export const tlsCreds: ObjectTypeDecl = {
  name: 'tls-creds',
  parent: 'object',
  abstract: true,
  doc: 'TLS credentials for sockets (monitors, socket chardevs): tls-creds=ID',
  props: {
    dir: { type: t.host('dir', 'r'), doc: 'Folder holding the credential files', settable: 'create' },
    endpoint: { type: Endpoint, default: 'client', doc: "'server' for a listening socket, 'client' for a connecting one", settable: 'create' },
    'verify-peer': { type: t.bool(), default: true, doc: 'Require the peer to prove who it is (x509: a certificate signed by the CA)', settable: 'create' },
  },
};

const str = (obj: QObject, p: string) => obj.get(p) as string | undefined;
const dirOf = (obj: QObject) => str(obj, 'dir') ?? '.';
const endpointOf = (obj: QObject) => obj.get('endpoint') as 'server' | 'client';

/** `tls-creds-x509`: certificates and keys in PEM files (ca-cert.pem, server-cert.pem, server-key.pem, ...). */
export const tlsCredsX509: ObjectTypeDecl = {
  name: 'tls-creds-x509',
  parent: 'tls-creds',
  interfaces: ['user-creatable'],
  doc: 'x509 credentials: ca-cert.pem, server-cert.pem and server-key.pem (client-cert.pem, client-key.pem for a client) in dir',
  props: { 'sanity-check': { type: t.bool(), default: true, doc: 'Check the certificates before use (CA, validity period, issuer)', settable: 'create' } },
  async realize(obj, ctx) {
    if (ctx.mode === 'replay') return;
    obj.runtime = await loadX509(ctx.broker, { dir: dirOf(obj), endpoint: endpointOf(obj), verifyPeer: obj.get('verify-peer') !== false, sanityCheck: obj.get('sanity-check') !== false });
  },
};

/** `tls-creds-psk`: pre-shared keys in keys.psk (`identity:hexkey` lines). */
export const tlsCredsPsk: ObjectTypeDecl = {
  name: 'tls-creds-psk',
  parent: 'tls-creds',
  interfaces: ['user-creatable'],
  doc: 'Pre-shared key credentials: keys.psk in dir, one identity:hexkey a line',
  props: { username: { type: t.str(), doc: 'Client only: the identity sent to the server (default qemu)', settable: 'create' } },
  async realize(obj, ctx) {
    if (ctx.mode === 'replay') return;
    obj.runtime = await loadPsk(ctx.broker, { dir: dirOf(obj), endpoint: endpointOf(obj), username: str(obj, 'username') });
  },
};

/** TLS credentials objects, as QEMU's: `-object tls-creds-x509,id=tls0,dir=/etc/pki/vm,endpoint=server`. */
export const tlsPlugin = definePlugin({
  name: 'tls',
  version: '0.1.0',
  setup(host) {
    host.type(tlsCreds);
    host.type(tlsCredsX509);
    host.type(tlsCredsPsk);
  },
});

export default tlsPlugin;

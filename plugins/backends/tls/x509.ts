import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { createSecureContext, type TLSSocket } from 'node:tls';
import { fail, type HostBroker, type TlsCredentials } from '../../../kernel/index.js';

/** The files of a credentials folder, named as QEMU's (crypto/tlscredsx509.h). */
const FILES = {
  caCert: 'ca-cert.pem',
  caCrl: 'ca-crl.pem',
  serverCert: 'server-cert.pem',
  serverKey: 'server-key.pem',
  clientCert: 'client-cert.pem',
  clientKey: 'client-key.pem',
  dhParams: 'dh-params.pem',
} as const;

/** What a `tls-creds-x509` object is configured with. */
export interface X509Settings {
  readonly dir: string;
  readonly endpoint: 'server' | 'client';
  readonly verifyPeer: boolean;
  readonly sanityCheck: boolean;
}

/** Reads one credentials file through the broker; a required one that is missing is QEMU's error. */
async function credentialFile(broker: HostBroker, dir: string, name: string, required: boolean): Promise<Buffer | undefined> {
  const data = await broker.readPrivate(join(dir, name), true);
  if (!data && required) fail(`Unable to access credentials ${join(dir, name)}: No such file or directory`);
  return data;
}

/**
 * QEMU's sanity checks (qcrypto_tls_creds_x509_sanity_check), the part
 * OpenSSL does not do at load time: the CA is a CA, the certificate is
 * within its validity period and was issued by that CA.
 */
function sanityCheck(caPem: Buffer, certPem: Buffer | undefined, certName: string, dir: string): void {
  const parse = (pem: Buffer, name: string) => {
    try {
      return new X509Certificate(pem);
    } catch (e) {
      fail(`Unable to import certificate ${join(dir, name)}: ${(e as Error).message}`);
    }
  };
  const now = Date.now();
  const inPeriod = (cert: X509Certificate, name: string) => {
    if (Date.parse(cert.validTo) < now) fail(`The certificate ${join(dir, name)} has expired`);
    if (Date.parse(cert.validFrom) > now) fail(`The certificate ${join(dir, name)} is not yet active`);
  };
  const ca = parse(caPem, FILES.caCert);
  if (!ca.ca) fail(`The certificate ${join(dir, FILES.caCert)} basic constraints do not show a CA`);
  inPeriod(ca, FILES.caCert);
  if (!certPem) return;
  const cert = parse(certPem, certName);
  inPeriod(cert, certName);
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) fail(`The certificate ${join(dir, certName)} is not signed by the CA ${join(dir, FILES.caCert)}`);
}

/** The peer's subject as one line (`CN=ops,O=Example`), once the handshake verified it. */
function subjectOf(socket: TLSSocket): string | undefined {
  if (!socket.authorized) return undefined;
  const raw = socket.getPeerX509Certificate();
  return raw ? `x509:${raw.subject.split('\n').join(',')}` : undefined;
}

/**
 * Loads x509 credentials as QEMU's `tls-creds-x509` does: a server needs
 * `ca-cert.pem`, `server-cert.pem` and `server-key.pem` (`ca-crl.pem`,
 * `dh-params.pem` optional) and with `verify-peer` (the default) asks every
 * client for a certificate signed by that CA; a client needs `ca-cert.pem`
 * and may present `client-cert.pem` + `client-key.pem`.
 */
export async function loadX509(broker: HostBroker, s: X509Settings): Promise<TlsCredentials> {
  const server = s.endpoint === 'server';
  const ca = (await credentialFile(broker, s.dir, FILES.caCert, true))!;
  const certName = server ? FILES.serverCert : FILES.clientCert;
  const cert = await credentialFile(broker, s.dir, certName, server);
  const key = await credentialFile(broker, s.dir, server ? FILES.serverKey : FILES.clientKey, server);
  const crl = server ? await credentialFile(broker, s.dir, FILES.caCrl, false) : undefined;
  const dhparam = server ? await credentialFile(broker, s.dir, FILES.dhParams, false) : undefined;
  if (s.sanityCheck) sanityCheck(ca, cert, certName, s.dir);
  const common = { ca, ...(cert && key ? { cert, key } : {}), ...(crl ? { crl } : {}) };
  try {
    createSecureContext(common);
  } catch (e) {
    fail(`Cannot load the credentials in ${s.dir}: ${(e as Error).message}`);
  }
  if (server)
    return {
      endpoint: 'server',
      tlsOptions: () => ({ ...common, ...(dhparam ? { dhparam } : {}), requestCert: s.verifyPeer, rejectUnauthorized: s.verifyPeer }),
      identify: subjectOf,
    };
  return {
    endpoint: 'client',
    tlsOptions: () => ({ ...common, rejectUnauthorized: s.verifyPeer }),
    identify: subjectOf,
  };
}

/**
 * Test credentials made with Debian's openssl, in the folder layout QEMU's
 * tls-creds objects read: a CA, a server folder (ca-cert.pem,
 * server-cert.pem, server-key.pem), a client folder signed by the same CA,
 * a client folder signed by another CA, and a keys.psk folder.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ssl = (cwd: string, ...args: string[]) => execFileSync('openssl', args, { cwd, stdio: 'pipe' });

function newKey(cwd: string, out: string): void {
  ssl(cwd, 'genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', out);
}

function ca(cwd: string, name: string): void {
  newKey(cwd, `${name}-key.pem`);
  ssl(cwd, 'req', '-x509', '-new', '-key', `${name}-key.pem`, '-out', `${name}-cert.pem`, '-days', '30', '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
}

function issue(cwd: string, caName: string, out: string, subject: string, ext: string): void {
  newKey(cwd, `${out}-key.pem`);
  ssl(cwd, 'req', '-new', '-key', `${out}-key.pem`, '-out', `${out}.csr`, '-subj', subject);
  writeFileSync(join(cwd, `${out}.ext`), ext);
  ssl(cwd, 'x509', '-req', '-in', `${out}.csr`, '-CA', `${caName}-cert.pem`, '-CAkey', `${caName}-key.pem`, '-CAcreateserial', '-out', `${out}-cert.pem`, '-days', '30', '-extfile', `${out}.ext`);
}

/** The folders and PEM contents a test needs. */
export interface Pki {
  /** tls-creds-x509 endpoint=server: ca-cert.pem, server-cert.pem, server-key.pem. */
  readonly serverDir: string;
  /** tls-creds-x509 endpoint=client: ca-cert.pem, client-cert.pem, client-key.pem. */
  readonly clientDir: string;
  /** tls-creds-psk: keys.psk with `ops:<key>`. */
  readonly pskDir: string;
  readonly psk: Buffer;
  readonly ca: Buffer;
  /** A client certificate (CN=ops) and key signed by the CA. */
  readonly client: { cert: Buffer; key: Buffer };
  /** A client certificate (CN=ops) and key signed by another CA. */
  readonly rogue: { cert: Buffer; key: Buffer };
}

/** Makes a fresh PKI in a temporary folder. */
export function makePki(): Pki {
  const work = mkdtempSync(join(tmpdir(), 'vmledger-pki-'));
  ca(work, 'ca');
  ca(work, 'other-ca');
  issue(work, 'ca', 'server', '/CN=localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  issue(work, 'ca', 'client', '/O=vmledger tests/CN=ops', 'extendedKeyUsage=clientAuth\n');
  issue(work, 'other-ca', 'rogue', '/CN=ops', 'extendedKeyUsage=clientAuth\n');
  const read = (f: string) => readFileSync(join(work, f));
  const folder = (name: string, files: Record<string, Buffer | string>) => {
    const dir = join(work, name);
    mkdirSync(dir);
    for (const [f, data] of Object.entries(files)) writeFileSync(join(dir, f), data);
    return dir;
  };
  const psk = Buffer.from('6e2f0a1c9b8d7e6f5a4b3c2d1e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b', 'hex');
  return {
    serverDir: folder('server', { 'ca-cert.pem': read('ca-cert.pem'), 'server-cert.pem': read('server-cert.pem'), 'server-key.pem': read('server-key.pem') }),
    clientDir: folder('client', { 'ca-cert.pem': read('ca-cert.pem'), 'client-cert.pem': read('client-cert.pem'), 'client-key.pem': read('client-key.pem') }),
    pskDir: folder('psk', { 'keys.psk': `ops:${psk.toString('hex')}\n` }),
    psk,
    ca: read('ca-cert.pem'),
    client: { cert: read('client-cert.pem'), key: read('client-key.pem') },
    rogue: { cert: read('rogue-cert.pem'), key: read('rogue-key.pem') },
  };
}

import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { fail, type HostBroker, type TlsCredentials } from '../../../kernel/index.js';

/** The key file of a credentials folder, as QEMU names it (crypto/tlscredspsk.h). */
const PSK_FILE = 'keys.psk';
/** The identity a client sends when no username is set, as QEMU's. */
const DEFAULT_USERNAME = 'qemu';

/** What a `tls-creds-psk` object is configured with. */
export interface PskSettings {
  readonly dir: string;
  readonly endpoint: 'server' | 'client';
  readonly username?: string;
}

/** Parses `keys.psk`: one `identity:hexkey` a line, as GnuTLS's psktool writes it. */
function parseKeys(text: string, file: string): Map<string, Buffer> {
  const keys = new Map<string, Buffer>();
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    const colon = line.indexOf(':');
    const hex = line.slice(colon + 1).trim();
    if (colon <= 0 || !/^([0-9a-fA-F]{2})+$/.test(hex)) fail(`${file}:${i + 1}: expected 'identity:hexkey'`);
    keys.set(line.slice(0, colon), Buffer.from(hex, 'hex'));
  });
  return keys;
}

/**
 * Loads pre-shared keys as QEMU's `tls-creds-psk` does: `keys.psk` in the
 * folder holds `identity:hexkey` lines. A server accepts any identity in it
 * (and names the peer by it); a client sends `username` (default `qemu`)
 * and its key.
 */
export async function loadPsk(broker: HostBroker, s: PskSettings): Promise<TlsCredentials> {
  if (s.endpoint === 'server' && s.username !== undefined) fail('username should not be set when endpoint=server');
  const file = join(s.dir, PSK_FILE);
  const data = (await broker.readPrivate(file, true)) ?? fail(`Unable to access credentials ${file}: No such file or directory`);
  const keys = parseKeys(data.toString('utf8'), file);
  const identities = new WeakMap<TLSSocket, string>();
  if (s.endpoint === 'server')
    return {
      endpoint: 'server',
      tlsOptions: () => ({
        ciphers: 'PSK',
        pskCallback: (socket: TLSSocket, identity: string) => {
          const key = keys.get(identity);
          if (key) identities.set(socket, identity);
          return key ?? null;
        },
      }),
      identify: (socket) => {
        const id = identities.get(socket);
        return id === undefined ? undefined : `psk:${id}`;
      },
    };
  const identity = s.username ?? DEFAULT_USERNAME;
  const key = keys.get(identity) ?? fail(`${file} has no key for username '${identity}'`);
  return {
    endpoint: 'client',
    // A PSK handshake authenticates both sides by the key: there is no server certificate to check a name against.
    tlsOptions: () => ({ ciphers: 'PSK', pskCallback: () => ({ psk: key, identity }), checkServerIdentity: () => undefined }),
    identify: () => `psk:${identity}`,
  };
}

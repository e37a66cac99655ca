import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { keyId, rawPublicKey } from './checkpoint.mjs';

/** Why a key file could not be used: one sentence naming the file. */
export class LogKeyError extends Error {
  override readonly name = 'LogKeyError';
}

/** A log's signing key as a private key file (`vmledger log keygen` writes it, `-log-key` reads it). */
export interface LogKey {
  readonly privateKey: KeyObject;
  /** The raw 32-byte public key, as the log records it. */
  readonly publicKey: Buffer;
  readonly id: string;
}

function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new LogKeyError(`cannot read the ${what} '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function ed25519(path: string, key: KeyObject): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') throw new LogKeyError(`'${path}' holds a ${key.asymmetricKeyType ?? 'symmetric'} key; a log key is Ed25519 (make one with 'vmledger log keygen')`);
  return key;
}

/** Reads a private key file (PKCS#8 PEM, Ed25519). */
export function readLogKey(path: string): LogKey {
  const pem = readPem(path, 'log key');
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new LogKeyError(`'${path}' is not a private key in PEM form (make one with 'vmledger log keygen')`);
  }
  ed25519(path, privateKey);
  const publicKey = rawPublicKey(privateKey);
  return { privateKey, publicKey, id: keyId(publicKey) };
}

/** Reads a public key file (SPKI PEM); a private key file is accepted too and its public half used. */
export function readPublicKey(path: string): KeyObject {
  const pem = readPem(path, 'public key');
  try {
    return ed25519(path, createPublicKey(pem));
  } catch (e) {
    if (e instanceof LogKeyError) throw e;
    throw new LogKeyError(`'${path}' is not an Ed25519 public key in PEM form (the .pub file 'vmledger log keygen' wrote)`);
  }
}

/**
 * Makes a new Ed25519 key pair: the private key to `path` (mode 0600, never
 * over an existing file) and the public key to `path.pub`. Returns the key id.
 */
export function generateLogKey(path: string): string {
  for (const file of [path, `${path}.pub`]) if (existsSync(file)) throw new LogKeyError(`'${file}' already exists; choose another name (a key is never overwritten)`);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const write = (file: string, text: string, mode: number): void => {
    try {
      writeFileSync(file, text, { mode, flag: 'wx' });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new LogKeyError(code === 'EEXIST' ? `'${file}' already exists; choose another name (a key is never overwritten)` : `cannot write '${file}': ${code ?? (e as Error).message}`);
    }
  };
  write(path, privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, 0o600);
  write(`${path}.pub`, publicKey.export({ format: 'pem', type: 'spki' }) as string, 0o644);
  return keyId(rawPublicKey(publicKey));
}

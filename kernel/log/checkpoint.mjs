// @ts-check
// Checkpoints: signed statements of a log's size and Merkle root (a "signed
// tree head" in RFC 9162's terms), in a text form anyone can check with an
// Ed25519 implementation and SHA-256 (docs/command-log.md, "Checkpoints"):
//
//   vmledger checkpoint              or "vmledger seal" for the final one
//   log <log id>
//   size <entries covered>
//   root <Merkle root, hex>
//   chain <hash of entry <size>, or of the seal record>
//   time <milliseconds since the epoch>
//   signature <key id> <base64 Ed25519 signature of the lines above>
//
// Every line ends with a line feed; the signature line is absent when the log
// has no key. Plain JavaScript: the log's signer thread uses it too.
import { createPublicKey, hash, sign, verify } from 'node:crypto';

const FIELDS = /** @type {const} */ (['log', 'size', 'root', 'chain', 'time']);

/** The signed part of a checkpoint. @param {import('./checkpoint.d.mts').CheckpointFields} c */
export function checkpointBody(c) {
  return `vmledger ${c.kind}\nlog ${c.log}\nsize ${c.size}\nroot ${c.root}\nchain ${c.chain}\ntime ${c.time}\n`;
}

/** The raw 32-byte Ed25519 public key, from a private or public KeyObject. */
export function rawPublicKey(/** @type {import('node:crypto').KeyObject} */ key) {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const jwk = pub.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new Error('not an Ed25519 key');
  return Buffer.from(jwk.x, 'base64url');
}

/** The public key whose raw 32 bytes are given. */
export function publicKeyFromRaw(/** @type {Uint8Array} */ raw) {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });
}

/** A short name for a key: the first 8 bytes of SHA-256 of its raw public key, in hex. */
export function keyId(/** @type {Uint8Array} */ rawPublic) {
  return hash('sha256', rawPublic, 'hex').slice(0, 16);
}

/** The base64 Ed25519 signature of a checkpoint's body. */
export function signBody(/** @type {string} */ body, /** @type {import('node:crypto').KeyObject} */ privateKey) {
  return sign(null, Buffer.from(body, 'utf8'), privateKey).toString('base64');
}

/**
 * A checkpoint from its fields and, when the log has a key, its signature.
 * @param {import('./checkpoint.d.mts').CheckpointFields} c
 * @param {{ keyId: string, value: string } | undefined} signature
 * @returns {import('./checkpoint.d.mts').Checkpoint}
 */
export function makeCheckpoint(c, signature) {
  const body = checkpointBody(c);
  const fields = { kind: c.kind, log: c.log, size: c.size, root: c.root, chain: c.chain, time: c.time };
  if (!signature) return { ...fields, body, text: body };
  return { ...fields, body, signature, text: `${body}signature ${signature.keyId} ${signature.value}\n` };
}

/**
 * Reads a checkpoint's text back; throws an Error naming what is wrong with it.
 * @returns {import('./checkpoint.d.mts').Checkpoint}
 */
export function parseCheckpoint(/** @type {string} */ text) {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const kind = /^vmledger (checkpoint|seal)$/.exec(lines[0] ?? '')?.[1];
  if (kind === undefined) throw new Error(`not a vmledger checkpoint: it starts with '${(lines[0] ?? '').slice(0, 40)}'`);
  /** @type {Record<string, string>} */
  const values = {};
  FIELDS.forEach((field, i) => {
    const line = lines[i + 1];
    if (line === undefined || !line.startsWith(`${field} `)) throw new Error(`checkpoint line ${i + 2} should be '${field} ...'`);
    values[field] = line.slice(field.length + 1);
  });
  for (const field of ['size', 'time']) if (!/^\d+$/.test(values[field])) throw new Error(`checkpoint ${field} '${values[field]}' is not a number`);
  for (const field of ['root', 'chain']) if (!/^[0-9a-f]{64}$/.test(values[field])) throw new Error(`checkpoint ${field} '${values[field]}' is not a SHA-256 hash in hex`);
  const rest = lines.slice(1 + FIELDS.length);
  const fields = {
    kind: /** @type {'checkpoint' | 'seal'} */ (kind),
    log: values.log,
    size: Number(values.size),
    root: values.root,
    chain: values.chain,
    time: Number(values.time),
  };
  if (rest.length === 0) return makeCheckpoint(fields, undefined);
  const sig = /^signature ([0-9a-f]{16}) ([A-Za-z0-9+/=]+)$/.exec(rest[0]);
  if (!sig || rest.length > 1) throw new Error('checkpoint ends with something other than one signature line');
  return makeCheckpoint(fields, { keyId: sig[1], value: sig[2] });
}

/** True when the checkpoint carries a valid signature by `publicKey`. @param {import('./checkpoint.d.mts').Checkpoint} c */
export function signatureValid(c, /** @type {import('node:crypto').KeyObject} */ publicKey) {
  if (!c.signature) return false;
  return verify(null, Buffer.from(c.body, 'utf8'), publicKey, Buffer.from(c.signature.value, 'base64'));
}

import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkpointBody, keyId, makeCheckpoint, parseCheckpoint, rawPublicKey, signBody, signatureValid } from '../../kernel/log/checkpoint.mjs';

const fields = { kind: 'checkpoint' as const, log: 'ab'.repeat(16), size: 1000, root: 'cd'.repeat(32), chain: 'ef'.repeat(32), time: 1_700_000_000_000 };

describe('checkpoints', () => {
  it('are text lines a third party can read and check with Ed25519', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const id = keyId(rawPublicKey(publicKey));
    const c = makeCheckpoint(fields, { keyId: id, value: signBody(checkpointBody(fields), privateKey) });
    expect(c.text).toBe(
      `vmledger checkpoint\nlog ${'ab'.repeat(16)}\nsize 1000\nroot ${'cd'.repeat(32)}\nchain ${'ef'.repeat(32)}\ntime 1700000000000\nsignature ${id} ${c.signature!.value}\n`,
    );
    const parsed = parseCheckpoint(c.text);
    expect(parsed).toEqual(c);
    expect(signatureValid(parsed, publicKey)).toBe(true);
  });

  it('fail their signature when any line changes, or under another key', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const c = makeCheckpoint(fields, { keyId: keyId(rawPublicKey(publicKey)), value: signBody(checkpointBody(fields), privateKey) });
    expect(signatureValid(parseCheckpoint(c.text.replace('size 1000', 'size 999')), publicKey)).toBe(false);
    expect(signatureValid(parseCheckpoint(c.text.replace('vmledger checkpoint', 'vmledger seal')), publicKey)).toBe(false);
    expect(signatureValid(c, generateKeyPairSync('ed25519').publicKey)).toBe(false);
    expect(signatureValid(makeCheckpoint(fields, undefined), publicKey)).toBe(false);
  });

  it('name what is wrong with a text that is not one', () => {
    const text = makeCheckpoint(fields, undefined).text;
    expect(() => parseCheckpoint('hello\n')).toThrow("not a vmledger checkpoint: it starts with 'hello'");
    expect(() => parseCheckpoint(text.replace('size 1000', 'count 1000'))).toThrow("checkpoint line 3 should be 'size ...'");
    expect(() => parseCheckpoint(text.replace('size 1000', 'size ten'))).toThrow("checkpoint size 'ten' is not a number");
    expect(() => parseCheckpoint(text.replace(`root ${'cd'.repeat(32)}`, 'root cd'))).toThrow("checkpoint root 'cd' is not a SHA-256 hash in hex");
    expect(() => parseCheckpoint(`${text}trailing\n`)).toThrow('checkpoint ends with something other than one signature line');
  });
});

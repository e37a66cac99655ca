import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { entryHashInput } from '../../kernel/log/hash-input.mjs';
import { EMPTY_ROOT, entryLeaf, Frontier, inclusionPath, nodeHash, rootFromInclusionPath, rootOf } from '../../kernel/log/merkle.mjs';
import { storedFields } from '../../kernel/log/record-hash.js';
import { draft } from './fixtures/drafts.js';

// The test vectors of RFC 6962's reference implementation (certificate-transparency, testonly/constants):
// eight leaves, the root of the first n for n = 1..8, and two audit paths.
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) => Buffer.from(h, 'hex'));
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const PATHS: Array<[number, number, string[]]> = [
  [0, 8, ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4']],
  [5, 8, ['bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7']],
];
// RFC 6962's leaves: SHA-256(0x00 || data). An entry's leaf is its own hash, domain-separated by its tag instead.
const leafHash = (data: Buffer): Buffer => createHash('sha256').update(Buffer.concat([Buffer.from([0]), data])).digest();
const leaves = LEAVES.map(leafHash);
const hex = (b: Buffer | undefined): string | undefined => b?.toString('hex');

describe('the Merkle tree over the entries (RFC 9162)', () => {
  it('has the roots of the RFC 6962 reference vectors, built at once or leaf by leaf', () => {
    expect(hex(rootOf([]))).toBe(createHash('sha256').digest('hex'));
    expect(hex(EMPTY_ROOT)).toBe(createHash('sha256').digest('hex'));
    const frontier = new Frontier();
    for (let n = 1; n <= 8; n++) {
      frontier.append(leaves[n - 1]!);
      expect(hex(rootOf(leaves.slice(0, n))), `root of ${n}`).toBe(ROOTS[n - 1]);
      expect(hex(frontier.root()), `frontier of ${n}`).toBe(ROOTS[n - 1]);
    }
  });

  it('gives the reference audit paths, and they lead back to the root', () => {
    for (const [index, size, path] of PATHS) {
      expect(inclusionPath(leaves, index, size).map((p) => p.toString('hex'))).toEqual(path);
      expect(hex(rootFromInclusionPath(index, size, leaves[index]!, path.map((p) => Buffer.from(p, 'hex'))))).toBe(ROOTS[size - 1]);
    }
  });

  it('proves every leaf of every tree up to 40 leaves, and no other leaf, position or shortened path', () => {
    const many = Array.from({ length: 40 }, (_, i) => leafHash(Buffer.from([i])));
    for (let size = 1; size <= many.length; size++) {
      const root = rootOf(many, 0, size);
      for (let i = 0; i < size; i++) {
        const path = inclusionPath(many, i, size);
        expect(rootFromInclusionPath(i, size, many[i]!, path)!.equals(root)).toBe(true);
        if (size > 1) expect(rootFromInclusionPath(i, size, many[(i + 1) % size]!, path)?.equals(root) ?? false).toBe(false);
        if (path.length > 0) expect(rootFromInclusionPath(i, size, many[i]!, path.slice(1))?.equals(root) ?? false).toBe(false);
      }
      expect(rootFromInclusionPath(size, size, many[0]!, [])).toBeUndefined();
    }
  });

  it('keeps only its right edge, which it can resume from', () => {
    const frontier = new Frontier();
    for (const leaf of leaves.slice(0, 7)) frontier.append(leaf);
    // 7 = 4 + 2 + 1: three complete subtrees.
    expect(frontier.subtrees).toHaveLength(3);
    const resumed = Frontier.fromText(7, frontier.toText())!;
    resumed.append(leaves[7]!);
    expect(hex(resumed.root())).toBe(ROOTS[7]);
    expect(Frontier.fromText(8, frontier.toText())).toBeUndefined();
  });

  it("takes an entry's hash as its leaf, whose input starts with the entry tag, never with the node prefix 0x01", () => {
    const input = entryHashInput(storedFields(draft(1), 1, 'ab'.repeat(32)));
    expect(input.startsWith('16:vmledger/entry/2,')).toBe(true);
    expect(Buffer.from(input)[0]).not.toBe(1);
    const hash = createHash('sha256').update(input).digest('hex');
    expect(entryLeaf(hash).toString('hex')).toBe(hash);
    expect(nodeHash(entryLeaf(hash), entryLeaf(hash)).toString('hex')).toBe(
      createHash('sha256').update(Buffer.concat([Buffer.from([1]), Buffer.from(hash + hash, 'hex')])).digest('hex'),
    );
  });
});

/**
 * The ISA programs are committed built (test/isa/programs), so the ISA
 * tests run with Node alone. These tests keep the committed images honest:
 * each was built from the sources as they are now, and where the cross
 * toolchain is installed, building them again gives the same bytes.
 */
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildIsaImage, imageDigest, isaProgram, isaProgramNames, isaProgramPath, PLATFORMS, PROGRAMS_DIR, readProgramManifest, sourceDigest, toolchainVersion } from '../isa/build.js';
import { itNeeding, lacking } from '../needs.js';

const REBUILD = 'run npm run build:isa and commit test/isa/programs';

describe('the committed ISA programs', () => {
  const manifest = readProgramManifest();

  it('are there for every program in test/isa, and only for those', () => {
    expect(Object.keys(manifest.programs).sort()).toEqual(isaProgramNames());
    const images = readdirSync(PROGRAMS_DIR).filter((f) => f.endsWith('.bin')).sort();
    expect(images).toEqual(isaProgramNames().flatMap((n) => PLATFORMS.map((p) => `${n}.${p}.bin`)).sort());
  });

  it('were built from the sources as they are now', () => {
    const stale = isaProgramNames().filter((n) => manifest.programs[n]?.source !== sourceDigest(n));
    expect(stale, `built from other sources than test/isa has now: ${stale.join(', ')}; ${REBUILD}`).toEqual([]);
  });

  it('are the images their digests name', () => {
    const changed = isaProgramNames().flatMap((n) => PLATFORMS.filter((p) => existsSync(isaProgramPath(n, p)) && imageDigest(isaProgram(n, p)) !== manifest.programs[n]?.images[p]).map((p) => `${n}.${p}.bin`));
    expect(changed, `changed since they were built: ${changed.join(', ')}; ${REBUILD}`).toEqual([]);
  });

  itNeeding('are what the cross toolchain builds from the sources', lacking('riscv64-linux-gnu-gcc', 'riscv64-linux-gnu-objcopy'), () => {
    const differ = isaProgramNames().flatMap((n) => PLATFORMS.filter((p) => imageDigest(buildIsaImage(n, p)) !== manifest.programs[n]?.images[p]).map((p) => `${n}.${p}.bin`));
    expect(differ, `a rebuild with ${toolchainVersion()} (committed: ${manifest.toolchain}) gives other bytes for ${differ.join(', ')}; ${REBUILD}`).toEqual([]);
  });
});

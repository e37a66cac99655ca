/**
 * Tests that need something the machine may lack (a reference tool such as
 * QEMU or dtc, Debian's firmware, the fetched Linux guest): they run when it
 * is there; without it they are skipped with one line naming what is missing
 * and the Debian package that provides it, except under CI=true, where that
 * line is a failing test instead, so CI never passes by skipping.
 */
import { describe, it } from 'vitest';

export { hostPath, lacking, type HostNeed } from './host-tools.js';

const IN_CI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';

/** `describe(title, body)` when nothing is `missing`; otherwise a skip (or, in CI, a failure) naming it. */
export function describeNeeding(title: string, missing: string | undefined, body: () => void): void {
  if (missing === undefined) describe(title, body);
  else if (IN_CI) describe(title, () => it(`needs ${missing}`, () => { throw new Error(`missing: ${missing}`); }));
  else {
    console.warn(`skipped "${title}": missing ${missing}`);
    describe.skip(title, body);
  }
}

/** `it(title, fn)` when nothing is `missing`; otherwise a skip (or, in CI, a failure) naming it. */
export function itNeeding(title: string, missing: string | undefined, fn: () => unknown, timeout?: number): void {
  if (missing === undefined) it(title, fn, timeout);
  else if (IN_CI) it(title, () => { throw new Error(`missing: ${missing}`); });
  else {
    console.warn(`skipped "${title}": missing ${missing}`);
    it.skip(title, fn);
  }
}

/** The first of `needs` that is missing, or undefined. */
export function firstMissing(...needs: Array<string | undefined>): string | undefined {
  return needs.find((n) => n !== undefined);
}

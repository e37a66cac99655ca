/**
 * Builds dist/vmledger.mjs before any test runs: the end-to-end tests spawn
 * the built program, and a stale build (vitest run without `npm test`'s
 * pretest) tests yesterday's code and fails in ways that point nowhere.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build.mjs', import.meta.url))], { stdio: 'inherit' });
}

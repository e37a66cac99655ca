// Bundles the program entry into one executable ES module, dist/vmledger.mjs.
// Dependencies stay in node_modules (better-sqlite3 is native; esbuild is used at run time to load .ts plugins).
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';

await build({
  entryPoints: ['main/vmledger.ts'],
  outfile: 'dist/vmledger.mjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
  banner: { js: '#!/usr/bin/env node' },
});
chmodSync('dist/vmledger.mjs', 0o755);

// Bundles the program entry into one executable ES module, dist/vmledger.mjs.
// Pure-JS dependencies are bundled in, which halves start-up time (loading many small CommonJS files is
// what dominated it); better-sqlite3 (native) and esbuild (used at run time to load .ts plugins) stay in
// node_modules. The banner gives bundled CommonJS code the `require` it expects inside an ES module.
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';

await build({
  entryPoints: ['main/vmledger.ts'],
  outfile: 'dist/vmledger.mjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external: ['better-sqlite3', 'esbuild', 'chokidar', 'fsevents'],
  sourcemap: 'linked',
  logLevel: 'warning',
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as __vmledgerCreateRequire } from 'node:module';\nconst require = __vmledgerCreateRequire(import.meta.url);" },
});
chmodSync('dist/vmledger.mjs', 0o755);

// Bundles the program entry into one executable ES module, dist/vmledger.mjs.
// Dependencies are bundled in, which halves start-up time (loading many small CommonJS files is what
// dominated it); better-sqlite3 (native) and esbuild (used at run time to load .ts plugins) stay in
// node_modules, and so do the config parsers and template engine, which transports/config loads on
// first use. The banner gives bundled CommonJS code the `require` it expects inside an ES module.
import { build } from 'esbuild';
import { chmodSync, copyFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';

// rxjs's package exports pick its CommonJS build for Node, which bundles whole;
// its ES module build lets esbuild keep only what the kernel uses (Subject, Observable).
const rxjsEsModules = {
  name: 'rxjs-es-modules',
  setup(b) {
    const entry = createRequire(import.meta.url).resolve('rxjs').replace(/dist[\\/]cjs[\\/]index\.js$/, 'dist/esm/index.js');
    b.onResolve({ filter: /^rxjs$/ }, () => ({ path: entry }));
  },
};

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
  plugins: [rxjsEsModules],
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as __vmledgerCreateRequire } from 'node:module';\nconst require = __vmledgerCreateRequire(import.meta.url);" },
});
chmodSync('dist/vmledger.mjs', 0o755);
// The command log's threads (kernel/log/*.mjs) are loaded by file, next to the bundle that starts them.
for (const file of readdirSync('kernel/log').filter((f) => f.endsWith('.mjs'))) copyFileSync(`kernel/log/${file}`, `dist/${file}`);

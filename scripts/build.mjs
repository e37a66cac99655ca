// Bundles the program entry into one CommonJS file, dist/vmledger.cjs, which the executable
// dist/vmledger.mjs (main/launcher.mjs) runs from V8's code cache. Dependencies are bundled in, which halves start-up time (loading many small CommonJS files is what
// dominated it); better-sqlite3 (native) and esbuild (used at run time to load .ts plugins) stay in
// node_modules, and so do the config parsers and template engine, which transports/config loads on
// first use. The banner gives bundled CommonJS code the `require` it expects inside an ES module.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
  outfile: 'dist/vmledger.cjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  charset: 'ascii',
  external: ['better-sqlite3', 'esbuild', 'chokidar', 'fsevents'],
  sourcemap: 'linked',
  logLevel: 'warning',
  plugins: [rxjsEsModules],
  // The sources are ES modules that find their neighbours (the log's threads, the demo firmware) from import.meta.url.
  define: { 'import.meta.url': '__vmledgerModuleUrl' },
  banner: { js: "const __vmledgerModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
});
// The launcher reads the bundle as latin1, which is only the same text when it is ASCII.
if (/[^\x00-\x7f]/.test(readFileSync('dist/vmledger.cjs', 'latin1'))) throw new Error('dist/vmledger.cjs is not ASCII');
copyFileSync('main/launcher.mjs', 'dist/vmledger.mjs');
chmodSync('dist/vmledger.mjs', 0o755);
// The command log's threads (kernel/log/*.mjs) are loaded by file, next to the bundle that starts them.
for (const file of readdirSync('kernel/log').filter((f) => f.endsWith('.mjs'))) copyFileSync(`kernel/log/${file}`, `dist/${file}`);

// The code cache, from a start that runs what most starts run (command line, kernel, board, QMP) and quits.
rmSync('dist/vmledger.cjs.cache', { force: true });
const warmUp = mkdtempSync(join(tmpdir(), 'vmledger-build-'));
try {
  const qmp = '{"execute":"qmp_capabilities"}\n{"execute":"query-status"}\n{"execute":"quit"}\n';
  const run = spawnSync(process.execPath, ['dist/vmledger.mjs', '-log', join(warmUp, 'warm-up.db'), '-M', 'virt', '-S', '-nographic', '-qmp', 'stdio', '-monitor', 'none', '-serial', 'none'], { input: qmp, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`the code cache's warm-up run failed (${run.status}): ${run.stderr}`);
} finally {
  rmSync(warmUp, { recursive: true, force: true });
}

// The `vmledger` executable (copied to dist/vmledger.mjs by scripts/build.mjs): runs the program's bundle,
// dist/vmledger.cjs, from V8's code cache when it has one. Compiling the 850 KB bundle was the largest
// single step of start-up (about 35 ms of the ~110 ms the program added to bare Node); deserializing
// the cache takes about a third of that. Node 20 has no compile cache for ES modules (Node 22's
// module.enableCompileCache() is that), so the bundle is CommonJS, compiled here through vm.Script,
// whose cachedData is V8's code cache. Why not a start-up snapshot: see docs/design-notes.md.
//
// The cache (dist/vmledger.cjs.cache) starts with the bundle's size and mtime: V8 itself checks only
// the source's length, so a cache from another build of the same length would run stale code.
// scripts/build.mjs writes the cache from a representative start; when V8 rejects it (another Node,
// other V8 flags) or it belongs to another build, this run writes a fresh one when it exits, if the
// folder is writable.
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import vm from 'node:vm';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

// V8 rejects a code cache made under other flags. The CPU core sets this flag when its module loads
// (plugins/cpu-rv64/block-compiler.ts says why); setting it before compiling makes the flags the same
// when the cache is made (at exit) and when it is used (here).
setFlagsFromString('--interrupt-budget=16384');

const bundle = fileURLToPath(new URL('./vmledger.cjs', import.meta.url));
const cacheFile = `${bundle}.cache`;
const { size, mtimeMs } = statSync(bundle);
const key = Buffer.from(`${size}:${mtimeMs}\n`);

function readCache() {
  try {
    const file = readFileSync(cacheFile);
    return file.subarray(0, key.length).equals(key) ? file.subarray(key.length) : undefined;
  } catch {
    return undefined;
  }
}

function writeCache(script) {
  const tmp = `${cacheFile}.${process.pid}`;
  try {
    writeFileSync(tmp, Buffer.concat([key, script.createCachedData()]));
    renameSync(tmp, cacheFile);
  } catch {
    // A read-only install runs without a cache: slower to start, otherwise the same.
  }
}

const cachedData = readCache();
// esbuild writes ASCII only (non-ASCII characters are escaped), so latin1 reads the same text, faster.
const source = readFileSync(bundle, 'latin1');
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __vmledgerImport) {${source}\n})`, {
  filename: bundle,
  cachedData,
});
if (cachedData === undefined || script.cachedDataRejected) process.once('exit', () => writeCache(script));
const module = { exports: {} };
// Code that runs from the cache cannot use import() (Node 20 loses its loader there): it gets this module's.
const importHere = (specifier) => import(specifier);
script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle), importHere);

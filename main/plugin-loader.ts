import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Plugin as EsbuildPlugin } from 'esbuild';
import type { Plugin } from '../kernel/index.js';

/** The public modules an external plugin may import by name, as the running program provides them. */
export type HostModules = Readonly<Record<string, Record<string, unknown>>>;

const GLOBAL = '__vmledgerHostModules';

/** Resolves `vmledger` and `vmledger/hw` imports to the running program's own modules, so a plugin shares its kernel. */
function hostModulesPlugin(modules: HostModules): EsbuildPlugin {
  const names = Object.keys(modules);
  return {
    name: 'vmledger-host-modules',
    setup(b) {
      b.onResolve({ filter: /^vmledger(\/.*)?$/ }, (args) =>
        names.includes(args.path) ? { path: args.path, namespace: 'vmledger-host' } : { errors: [{ text: `unknown vmledger module '${args.path}' (known: ${names.join(', ')})` }] },
      );
      b.onLoad({ filter: /.*/, namespace: 'vmledger-host' }, (args) => {
        // `default` cannot be a `const`; the host modules' named exports are their API.
        const exports = Object.keys(modules[args.path]).filter((k) => k !== 'default' && /^[A-Za-z_$][\w$]*$/.test(k));
        return {
          contents: `const m = globalThis[${JSON.stringify(GLOBAL)}][${JSON.stringify(args.path)}];\n${exports.map((k) => `export const ${k} = m.${k};`).join('\n')}`,
          loader: 'js',
        };
      });
    },
  };
}

function pickPlugin(mod: Record<string, unknown>, spec: string): Plugin {
  const candidate = (mod.default ?? mod.plugin) as Plugin | undefined;
  if (!candidate || typeof candidate !== 'object' || typeof candidate.name !== 'string' || typeof candidate.setup !== 'function')
    throw new Error(`--plugin ${spec}: the module's default export is not a plugin ({ name, version, setup })`);
  return candidate;
}

/** The first line of a plugin bundle made here: such a file is imported as it is, without esbuild. */
const BUNDLE_MARK = '// vmledger plugin bundle';

/** Whether `path` is a bundle `bundlePlugin` made (a confined process loads these, since it may start no esbuild). */
function isBundle(path: string): boolean {
  try {
    return readFileSync(path, 'utf8').startsWith(BUNDLE_MARK);
  } catch {
    return false;
  }
}

/** The entry file of a plugin named by a path (`.ts`, `.js`, `.mjs`, or a folder with an index) or an installed package. */
function entryOf(spec: string, cwd: string): string {
  const asPath = resolve(cwd, spec);
  if (existsSync(asPath)) {
    const entry = statSync(asPath).isDirectory() ? ['index.ts', 'index.js', 'index.mjs'].map((f) => join(asPath, f)).find(existsSync) : asPath;
    if (entry) return entry;
  }
  try {
    return createRequire(join(cwd, 'noop.js')).resolve(spec);
  } catch {
    throw new Error(`--plugin ${spec}: no such file, folder or installed package`);
  }
}

/**
 * The executable (main/launcher.mjs) runs the program from V8's code cache,
 * where Node 20 loses what `import()` needs ("A dynamic import callback was
 * not specified"), so it passes its own `import()` in as `__vmledgerImport`.
 * Run from source (tests, tsx) there is none, and `import()` works as is.
 */
declare const __vmledgerImport: ((specifier: string) => Promise<unknown>) | undefined;
const importModule = (specifier: string): Promise<unknown> =>
  typeof __vmledgerImport === 'function' ? __vmledgerImport(specifier) : import(specifier);

/**
 * Bundles a plugin into one ES module in a fresh temporary folder and
 * returns its path: TypeScript is compiled with esbuild, and imports of
 * `vmledger` resolve to the running program's modules.
 */
export async function bundlePlugin(spec: string, modules: HostModules, cwd = process.cwd()): Promise<string> {
  const entry = entryOf(spec, cwd);
  const outfile = join(mkdtempSync(join(tmpdir(), 'vmledger-plugin-')), 'plugin.mjs');
  // Loaded only when a plugin is: esbuild is large, and most runs load none.
  const { build } = (await importModule('esbuild')) as typeof import('esbuild');
  try {
    await build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'silent',
      banner: { js: BUNDLE_MARK },
      plugins: [hostModulesPlugin(modules)],
    });
  } catch (e) {
    const errors = (e as { errors?: Array<{ text: string; location?: { file: string; line: number } | null }> }).errors ?? [];
    const first = errors[0];
    const where = first?.location ? ` (${first.location.file}:${first.location.line})` : '';
    throw new Error(`--plugin ${spec}: could not be built: ${first ? first.text + where : (e as Error).message}`);
  }
  return outfile;
}

/**
 * Loads an external plugin from a path (`.ts`, `.js`, `.mjs`, or a folder
 * with an index) or an installed package name, bundling it first unless it
 * already is a bundle made by `bundlePlugin`.
 */
export async function loadPlugin(spec: string, modules: HostModules, cwd = process.cwd()): Promise<Plugin> {
  (globalThis as Record<string, unknown>)[GLOBAL] = modules;
  const asPath = resolve(cwd, spec);
  const bundle = isBundle(asPath) ? asPath : await bundlePlugin(spec, modules, cwd);
  return pickPlugin((await importModule(pathToFileURL(bundle).href)) as Record<string, unknown>, spec);
}

import { existsSync, mkdtempSync, statSync } from 'node:fs';
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

/**
 * Loads an external plugin from a path (`.ts`, `.js`, `.mjs`, or a folder
 * with an index) or an installed package name. TypeScript is bundled on
 * the fly with esbuild; imports of `vmledger` resolve to this program.
 */
export async function loadPlugin(spec: string, modules: HostModules, cwd = process.cwd()): Promise<Plugin> {
  (globalThis as Record<string, unknown>)[GLOBAL] = modules;
  const asPath = resolve(cwd, spec);
  let entry: string | undefined;
  if (existsSync(asPath))
    entry = statSync(asPath).isDirectory() ? ['index.ts', 'index.js', 'index.mjs'].map((f) => join(asPath, f)).find(existsSync) : asPath;
  if (!entry) {
    try {
      entry = createRequire(join(cwd, 'noop.js')).resolve(spec);
    } catch {
      throw new Error(`--plugin ${spec}: no such file, folder or installed package`);
    }
  }
  const outdir = mkdtempSync(join(tmpdir(), 'vmledger-plugin-'));
  const outfile = join(outdir, 'plugin.mjs');
  // Loaded only when a plugin is: esbuild is large, and most runs load none.
  const { build } = await import('esbuild');
  try {
    await build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'silent',
      plugins: [hostModulesPlugin(modules)],
    });
  } catch (e) {
    const errors = (e as { errors?: Array<{ text: string; location?: { file: string; line: number } | null }> }).errors ?? [];
    const first = errors[0];
    const where = first?.location ? ` (${first.location.file}:${first.location.line})` : '';
    throw new Error(`--plugin ${spec}: could not be built: ${first ? first.text + where : (e as Error).message}`);
  }
  return pickPlugin((await import(pathToFileURL(outfile).href)) as Record<string, unknown>, spec);
}

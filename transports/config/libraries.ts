import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

/** A value made on first use and kept. */
export function once<T>(get: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= get());
}

// The parsers and the template engine are loaded on first use: most runs read
// no config file, and together they were a large share of start-up time.

/** The `yaml` package. */
export const yaml = once(() => load('yaml') as typeof import('yaml'));
/** The `json5` package. */
export const json5 = once(() => load('json5') as typeof import('json5'));
/** The `nunjucks` package. */
export const nunjucks = once(() => load('nunjucks') as typeof import('nunjucks'));

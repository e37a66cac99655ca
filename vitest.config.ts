import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // External plugins import the public API by package name, as they would when installed.
    alias: {
      'vmledger/hw': fileURLToPath(new URL('./plugins/hw/index.ts', import.meta.url)),
      vmledger: fileURLToPath(new URL('./kernel/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.ci/report.json' }]] : ['default'],
  },
});

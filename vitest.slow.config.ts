import { defineConfig } from 'vitest/config';

// Slow suites (real process kills, Prometheus, long runs): excluded from `npm test`, each run by a
// script of its own with a path filter, e.g. `vitest run --config vitest.slow.config.ts apps/trainer`.
export default defineConfig({
  test: {
    include: ['libs/*/src/**/*.slow.test.ts', 'apps/*/src/**/*.slow.test.ts', 'tools/**/*.slow.test.ts'],
    exclude: ['**/node_modules/**'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});

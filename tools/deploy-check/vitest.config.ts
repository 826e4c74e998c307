import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The slow deployment tests (`npm run test:deploy`): they start the services, an S3 server and
// Prometheus as processes, and run a short training job. `npm test` leaves them out.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['tools/deploy-check/src/**/*.slow.test.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 900_000,
  },
});

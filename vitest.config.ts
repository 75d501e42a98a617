import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Real services are started per test file; two cores here, so keep the fan-out small.
    maxWorkers: 2,
    globalSetup: ['test/global-setup.ts'],
  },
});

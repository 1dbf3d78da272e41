import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    // Model runs are CPU-bound: two workers match the CI machine's two cores.
    pool: 'forks',
    maxWorkers: 2,
    // The state store checks that the domain never edits a stored object in place (platform/state/store.ts).
    env: { ANVIL_STORE_VERIFY: '1' },
  },
});

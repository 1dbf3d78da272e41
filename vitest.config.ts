import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A test's verdict never depends on the machine's speed: these bounds only stop a hung test, and hold on a
    // 2-core machine at load average 8 (a test or hook sets no tighter bound of its own).
    testTimeout: 900_000,
    hookTimeout: 300_000,
    // Model runs are CPU-bound: two workers match the CI machine's two cores.
    pool: 'forks',
    maxWorkers: 2,
    // The state store checks that the domain never edits a stored object in place (platform/state/change-rules.ts).
    env: { ANVIL_STORE_VERIFY: '1' },
  },
});

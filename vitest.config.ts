import { defineConfig } from 'vitest/config';

/**
 * End-to-end suites that spawn whole processes (sweeps across workers, shards and an S3 server, kill -9 of
 * the store and the server, the bench sections, the Containerfile's install steps, the documentation's examples, the dashboard in a
 * browser, the real kubectl against the server) or run every reference
 * scenario at full length: `npm run test:e2e` runs them after `npm test` (both in .ci/run), so `npm test`
 * stays near five minutes on two cores.
 */
export const END_TO_END_SUITES = [
  'test/platform/sweep-cli.test.ts',
  'test/platform/state-kill.test.ts',
  'test/platform/api/served.test.ts',
  'test/platform/reference-slas.test.ts',
  'test/bench/perf/cluster-section.test.ts',
  'test/bench/perf/sweep-section.test.ts',
  // Every example block of README.md and docs/ run and compared with its documented output.
  'test/docs/examples.test.ts',
  // The dashboard in headless Chromium (a browser per run, two logins, six page loads).
  'test/platform/dashboard/dashboard-browser.test.ts',
  // The Runs links for a tenant's container viewer (a browser, two logins).
  'test/platform/dashboard/dashboard-run-access-browser.test.ts',
  // Its Operate page and axe-core on every page; 5,000 nodes with 50,000 pods built in process.
  'test/platform/dashboard/dashboard-pages-browser.test.ts',
  'test/platform/dashboard/dashboard-scale-browser.test.ts',
  // Every page at two laptop widths, with no sideways scrolling of the page.
  'test/platform/dashboard/dashboard-widths-browser.test.ts',
  // A run started from the dashboard and followed live (three short model runs on worker threads).
  'test/platform/dashboard/dashboard-live-run.test.ts',
  'test/platform/containerfile-steps.test.ts',
  'test/platform/sweep-s3.test.ts',
  // The real kubectl against `anvil serve` as its own process (reads, writes, watches, TLS).
  'test/platform/api/kubectl.test.ts',
  'test/platform/api/kubectl-reads.test.ts',
  'test/platform/api/kubectl-writes.test.ts',
  'test/platform/api/kubectl-imperative.test.ts',
  // `anvil sweep` of scenarios across worker processes.
  'test/platform/sweep-scenario-cli.test.ts',
  // Scenarios realised on this host as root (namespaces, tc, cgroups, loop devices, fio and iperf3 inside).
  'test/platform/cluster/host/host-run.test.ts',
  'test/platform/cluster/host/check-confirm-host.test.ts',
  'test/platform/cluster/host/host-latency-compare.test.ts',
  'test/platform/cluster/host/host-pod-move-run.test.ts',
  'test/platform/cluster/host/host-multi-node-run.test.ts',
  'test/platform/cluster/host/host-device-run.test.ts',
  // iperf3 between network namespaces, and `anvil calibrate` then `anvil validate` with the real fio.
  'test/bench/net/net-run.test.ts',
  'test/bench/calibrate/calibrate.test.ts',
  // Every reference job through the CLI with every --out file; every route with every role on a fresh world.
  'test/bench/reference-outputs.test.ts',
  'test/platform/api/rbac-walk.test.ts',
];

export const sharedTestOptions = {
  // A test's verdict never depends on the machine's speed: these bounds only stop a hung test, and hold on a
  // 2-core machine at load average 8 (a test or hook sets no tighter bound of its own).
  testTimeout: 900_000,
  hookTimeout: 300_000,
  // Model runs are CPU-bound: two workers match the CI machine's two cores.
  pool: 'forks' as const,
  maxWorkers: 2,
  // The state store checks that the domain never edits a stored object in place (platform/state/change-rules.ts).
  env: { ANVIL_STORE_VERIFY: '1' },
};

export default defineConfig({
  test: { include: ['test/**/*.test.ts'], exclude: ['**/node_modules/**', ...END_TO_END_SUITES], ...sharedTestOptions },
});

/**
 * Which worker module the CLI starts: the compiled CLI (here its modules run from source, as
 * `node dist/platform/cli/main.js` runs them compiled) the compiled worker, so after a bare `tsc` the worker
 * is as new as its caller; the bundled bin its bundled worker (the bin's sweeps and live runs, run by the
 * tests that spawn it, find theirs there: test/platform/sweep-scenario-cli.test.ts, live-run-harness.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cliWorkerUrl } from '../../platform/cli/cli-modules.js';

describe('cliWorkerUrl', () => {
  it('gives the compiled CLI its compiled workers, not the bundle’s', () => {
    for (const worker of ['sweep-worker.js', 'live-run-worker.js']) {
      const path = fileURLToPath(cliWorkerUrl(worker));
      expect(path).toBe(join(process.cwd(), 'dist', 'platform', 'cli', worker));
      expect(existsSync(path), path).toBe(true);
      // The build made the bundled one too, beside the bin's chunks.
      expect(existsSync(join(process.cwd(), 'dist', 'platform', 'cli', 'bundle', worker))).toBe(true);
    }
  });
});

/**
 * Where the CLI's worker modules are: bundled in `dist/platform/cli/bundle/` by the build (`bundle-cli.ts`),
 * else the compiled files in `dist/platform/cli/` (after a bare `tsc`). Not beside the calling module
 * (`import.meta.url`): in the bundled bin the caller is a chunk, and under vitest a source file.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../../bench/package-root.js';

/** The URL of the CLI's worker module `file` (e.g. `sweep-worker.js`), for a worker thread to start from. */
export function cliWorkerUrl(file: string): URL {
  const cliDir = join(packageRoot(), 'dist', 'platform', 'cli');
  const bundled = join(cliDir, 'bundle', file);
  return pathToFileURL(existsSync(bundled) ? bundled : join(cliDir, file));
}

/**
 * Where the CLI's worker modules are: the bundled bin (`bundle-cli.ts`) starts the bundled workers beside its
 * chunks in `dist/platform/cli/bundle/`; the compiled CLI (`node dist/platform/cli/main.js`, or its modules
 * run from source under vitest) the compiled files in `dist/platform/cli/`, so that after a bare `tsc` a
 * worker is as new as the code that starts it. Not beside the calling module (`import.meta.url`): in the
 * bin the caller is a chunk, and under vitest a source file.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { packageRoot } from '../../bench/package-root.js';

/** The URL of the CLI's worker module `file` (e.g. `sweep-worker.js`), for a worker thread to start from. */
export function cliWorkerUrl(file: string): URL {
  const cliDir = join(packageRoot(), 'dist', 'platform', 'cli');
  const bundleDir = join(cliDir, 'bundle');
  const inBundle = dirname(fileURLToPath(import.meta.url)) === bundleDir;
  return pathToFileURL(join(inBundle ? bundleDir : cliDir, file));
}

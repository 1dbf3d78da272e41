/**
 * Where the CLI's worker modules are: the compiled files in `dist/platform/cli/`. Not beside the calling
 * module (`import.meta.url`): in the bundled bin (`bundle-cli.ts`) the caller is a chunk in `bundle/`.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../../bench/package-root.js';

/** The URL of the compiled CLI module `file` (e.g. `sweep-worker.js`), for a worker thread to start from. */
export function cliWorkerUrl(file: string): URL {
  return pathToFileURL(join(packageRoot(), 'dist', 'platform', 'cli', file));
}

/** Where the package is installed, found from this file whether it runs from `dist/` or from source. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The folder holding Anvil's package.json. */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate) && JSON.parse(readFileSync(candidate, 'utf8')).name === 'anvil') return (cached = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the anvil package root above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/** Anvil's version, from package.json. */
export function anvilVersion(): string {
  return JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')).version as string;
}

/** The `anvil` bin the build makes (the compiled CLI bundled: platform/cli/bundle-cli.ts), absolute. */
export function anvilBin(): string {
  return join(packageRoot(), 'dist', 'platform', 'cli', 'anvil.js');
}

/**
 * Run by the build after `tsc`: bundles the compiled CLI (`dist/platform/cli/main.js` and what it imports)
 * into `dist/platform/cli/anvil.js`, the `anvil` bin, with rolldown. Node loads ES modules one file at a
 * time (resolve, read, compile, link): the CLI's ~440 files (its own and typebox's) were a fifth of a
 * second of every command, and a tenth of the speed case of the cluster model. Each verb still loads only
 * its own code: the verbs imported on demand become chunks of their own (`bundle/`).
 *
 * Only the CLI's own code and small pure-JS packages are bundled. The other dependencies stay imports:
 * some find files beside their own (better-sqlite3's native addon, parquet-wasm's .wasm), the rest
 * gain little. The worker modules (a sweep's, a live run's) are entries too, `bundle/sweep-worker.js` and
 * `bundle/live-run-worker.js`: a run started through the API starts a worker, which loaded the same ~440 files.
 *
 * `bundle/modules.json` lists the modules each output file holds, relative to the package root, so a
 * test can tell which of the CLI's modules a command loaded.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'rolldown';
import { packageRoot } from '../../bench/package-root.js';

/** The CLI's worker-thread modules, bundled as entries of their own (a sweep's pool, each run started through the API). */
const WORKERS = ['sweep-worker', 'live-run-worker'];

/** Dependencies bundled into the bin: pure JavaScript, no files of their own to find at run time. */
const BUNDLED_PACKAGES = new Set(['@sinclair/typebox', 'yaml', 'commander']);

const root = packageRoot();
const cliDir = join(root, 'dist', 'platform', 'cli');
const chunksDir = join(cliDir, 'bundle');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
const external = Object.keys(pkg.dependencies).filter((name) => !BUNDLED_PACKAGES.has(name));

const missing = ['main', ...WORKERS].map((name) => join(cliDir, `${name}.js`)).filter((file) => !existsSync(file));
if (missing.length > 0) {
  process.stderr.write(`bundle-cli: ${missing.join(', ')} missing: compile first (tsc -p tsconfig.json), or run npm run build\n`);
  process.exit(1);
}
// Chunks of an earlier build have other hashes: they would stay behind, unused.
rmSync(chunksDir, { recursive: true, force: true });
mkdirSync(chunksDir, { recursive: true });
const result = await build({
  input: {
    anvil: join(cliDir, 'main.js'),
    // The workers' own entries, beside the chunks they share with the bin (`cli-modules.ts` finds them).
    ...Object.fromEntries(WORKERS.map((name) => [`bundle/${name}`, join(cliDir, `${name}.js`)])),
  },
  platform: 'node',
  external: (id) => id.startsWith('node:') || external.some((name) => id === name || id.startsWith(`${name}/`)),
  logLevel: 'warn',
  output: { dir: cliDir, format: 'esm', entryFileNames: '[name].js', chunkFileNames: 'bundle/[name]-[hash].js' },
});
const modules: Record<string, string[]> = {};
for (const file of result.output) {
  if (file.type === 'chunk') modules[file.fileName] = file.moduleIds.map((id) => relative(root, id).split('\\').join('/'));
}
writeFileSync(join(chunksDir, 'modules.json'), JSON.stringify(modules, null, 1) + '\n');
chmodSync(join(cliDir, 'anvil.js'), 0o755);

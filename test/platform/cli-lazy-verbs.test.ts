/**
 * `anvil run` loads the run's modules only: a verb that stands alone (run, net, host, calibrate, tco) is
 * imported when chosen, so the control plane, its SQLite store and the API server are never loaded for a
 * model run (start-up is mostly module loading). The built bin (`dist/platform/cli/anvil.js`, bundled by
 * `platform/cli/bundle-cli.ts`), with a module hook listing every file it loads, each chunk read back as
 * the modules it holds (`bundle/modules.json`); `anvil --help` still shows the whole tree.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI_DIR = join(process.cwd(), 'dist', 'platform', 'cli');
const BIN = join(CLI_DIR, 'anvil.js');

/** Per output file of the bundle (relative to CLI_DIR), the modules it holds (relative to the package root). */
function bundleModules(): Record<string, string[]> {
  return JSON.parse(readFileSync(join(CLI_DIR, 'bundle', 'modules.json'), 'utf8')) as Record<string, string[]>;
}

/**
 * Runs the CLI with `args`: the URLs of the files it loaded (modules, not node: builtins), each file of the
 * bundle given as the file URLs of the modules it holds; `files`, the URLs as loaded.
 */
function loadedBy(args: string[]): { status: number | null; stdout: string; loaded: string[]; files: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'anvil-lazy-'));
  const log = join(dir, 'loaded.txt');
  writeFileSync(log, '');
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(
    hooks,
    `import { appendFileSync } from 'node:fs';\n` +
      `export async function load(url, context, next) {\n` +
      `  if (url.startsWith('file:')) appendFileSync(${JSON.stringify(log)}, url + '\\n');\n` +
      `  return next(url, context);\n}\n`,
  );
  const register = join(dir, 'register.mjs');
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(register).href, BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  const files = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const modules = bundleModules();
  const cliDir = pathToFileURL(CLI_DIR).href + '/';
  const loaded = files.flatMap((url) => {
    const held = url.startsWith(cliDir) ? modules[url.slice(cliDir.length)] : undefined;
    return held === undefined ? [url] : held.map((id) => pathToFileURL(join(process.cwd(), id)).href);
  });
  return { status: r.status, stdout: r.stdout, loaded, files };
}

/** Files of the control plane and the server, which a model run has no use for. */
const NOT_FOR_A_RUN =
  /\/platform\/(domain\/control-plane|api|state|manifests)\/|\/platform\/cli\/(control-plane-commands|serve-command|server-mode)\.js|\/node_modules\/(fastify|better-sqlite3)\//;

describe("anvil loads a verb's modules when the verb is chosen", () => {
  it('anvil run loads neither the control plane nor the API server', () => {
    const dir = mkdtempSync(join(tmpdir(), 'anvil-lazy-run-'));
    writeFileSync(join(dir, 'j.fio'), '[j]\nrw=read\nbs=4k\nrate_iops=1000\nruntime=10ms\ntime_based\n');
    writeFileSync(join(dir, 'q.yaml'), 'kind: queue\nservers: 1\nservice: { dist: exponential, mean: 10us }\n');
    const run = loadedBy(['run', join(dir, 'j.fio'), '--profile', join(dir, 'q.yaml'), '--output-format', 'json']);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).jobs[0].read.total_ios).toBeGreaterThan(0);
    expect(run.loaded.some((url) => url.endsWith('/platform/cli/run-command.js'))).toBe(true);
    expect(run.loaded.filter((url) => NOT_FOR_A_RUN.test(url))).toEqual([]);
    // Every module of the CLI came from the bundle, none from tsc's files beside it (a missed import would).
    const ownFiles = run.files.filter((url) => url.includes('/dist/'));
    expect(ownFiles.length).toBeGreaterThan(1);
    for (const url of ownFiles) expect(url).toMatch(/\/dist\/platform\/cli\/(anvil\.js|bundle\/[^/]+\.js)$/);
  });

  it("anvil run --out writes its Arrow tables without apache-arrow's ES modules", () => {
    // arrow-ipc.ts takes apache-arrow's one-file build: its 148 ES modules were a tenth of a second of every such run.
    // The load hook sees ES modules only (not require on node 20): it shows none of those; jobs.arrow shows the tables written.
    const dir = mkdtempSync(join(tmpdir(), 'anvil-lazy-out-'));
    writeFileSync(join(dir, 'j.fio'), '[j]\nrw=read\nbs=4k\nrate_iops=1000\nruntime=10ms\ntime_based\n');
    writeFileSync(join(dir, 'q.yaml'), 'kind: queue\nservers: 1\nservice: { dist: exponential, mean: 10us }\n');
    const out = join(dir, 'out');
    const run = loadedBy(['run', join(dir, 'j.fio'), '--profile', join(dir, 'q.yaml'), '--output-format', 'json', '--out', out]);
    expect(run.status).toBe(0);
    expect(readFileSync(join(out, 'jobs.arrow')).subarray(0, 6).toString()).toBe('ARROW1');
    expect(run.loaded.filter((url) => url.includes('/node_modules/apache-arrow/'))).toEqual([]);
  });

  it('anvil --help still loads and lists every command', () => {
    const help = loadedBy(['--help']);
    expect(help.status).toBe(0);
    for (const verb of ['run', 'start', 'net', 'host', 'calibrate', 'profiles', 'devices', 'tco', 'serve'])
      expect(help.stdout).toMatch(new RegExp(`^ {2}${verb}\\b`, 'm'));
    expect(help.loaded.some((url) => url.endsWith('/platform/cli/control-plane-commands.js'))).toBe(true);
  });
});

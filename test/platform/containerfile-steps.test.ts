/**
 * The Containerfile's runtime stage run step by step the way the image build would, without a container
 * engine (none runs here): the build context (the repository less .dockerignore) copied into a folder
 * standing for WORKDIR, its RUN steps run there (`npm ci --omit=dev` for real), dist/ from the build
 * stage (the same `tsc -p tsconfig.json` and bundle), `anvil` linked onto a PATH folder; then the Kubernetes Job that
 * image's `anvil` emits is run as its pods would run it (the ConfigMap's files at the mount path, each
 * shard's command with JOB_COMPLETION_INDEX), and the merged table equals a local run's. End to end (in
 * vitest.e2e.config.ts): the install alone takes half a minute.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import dockerignoreModule from '@balena/dockerignore';
import { parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../cli-harness.js';
import { imageStages, readContainerfile } from '../containerfile.js';
import { queueDepthSweep, SWEEP_ENV as ENV } from './sweep-harness.js';
import { anvilBin } from '../../bench/package-root.js';

const ROOT = process.cwd();
const dockerignore = dockerignoreModule as unknown as (typeof dockerignoreModule)['default'];
const QD_SWEEP = queueDepthSweep('image-qd', [1, 16, 64]);

/** Copies the build context (ROOT less what .dockerignore leaves out) into `dest`. */
function copyContext(dest: string): void {
  const ignore = dockerignore().add(readFileSync(join(ROOT, '.dockerignore'), 'utf8'));
  const walk = (relative: string) => {
    for (const entry of readdirSync(join(ROOT, relative), { withFileTypes: true })) {
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (ignore.ignores(entry.isDirectory() ? `${path}/` : path)) continue;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) {
        mkdirSync(join(dest, relative), { recursive: true });
        copyFileSync(join(ROOT, path), join(dest, path));
      }
    }
  };
  walk('');
}

function expectOk(r: SpawnSyncReturns<string>, what: string): void {
  expect(r.status, `${what}: ${r.stderr}`).toBe(0);
}

describe('the Containerfile, run step by step', () => {
  const { runtime } = imageStages(readContainerfile());
  let root: string;
  let workdir: string;
  let imageEnv: NodeJS.ProcessEnv;
  const skipped: string[] = [];

  beforeAll(() => {
    root = tempDir('anvil-image-');
    workdir = join(root, 'anvil');
    const binDir = join(root, 'usr-local-bin');
    mkdirSync(workdir);
    mkdirSync(binDir);
    imageEnv = { ...ENV, ...Object.fromEntries(runtime.env), PATH: `${binDir}:${process.env.PATH ?? ''}` };
    for (const step of runtime.steps) {
      if (step.kind === 'COPY') {
        const { copy } = step;
        // The build stage's dist/ is `tsc -p tsconfig.json` and the bundle on the same sources: this worktree's (the tests run the built CLI).
        if (copy.from === 'build') cpSync(join(ROOT, 'dist'), join(workdir, copy.destination), { recursive: true });
        else if (copy.sources.length === 1 && copy.sources[0] === '.') copyContext(workdir);
        else for (const source of copy.sources) copyFileSync(join(ROOT, source), join(workdir, source));
        continue;
      }
      for (const part of step.command.split(' && ')) {
        // It would empty this machine's npm cache, not an image's; nothing after it reads the cache.
        if (part.startsWith('npm cache clean')) {
          skipped.push(part);
          continue;
        }
        // Built from source here (no prebuilt binary can be fetched; measured over six minutes on two cores),
        // the image fetches it: the same module, built for this Node.js, stands in.
        if (part === 'npm rebuild better-sqlite3') {
          cpSync(join(ROOT, 'node_modules', 'better-sqlite3', 'build'), join(workdir, 'node_modules', 'better-sqlite3', 'build'), {
            recursive: true,
          });
          skipped.push(part);
          continue;
        }
        const command = part.replaceAll('/usr/local/bin/', `${binDir}/`).replaceAll(`${runtime.workdir}/`, `${workdir}/`);
        expectOk(spawnSync('sh', ['-c', command], { cwd: workdir, encoding: 'utf8', env: imageEnv }), `RUN ${part}`);
      }
    }
  });

  it('installs the runtime dependencies alone and links the built CLI onto PATH', () => {
    expect(skipped).toEqual(['npm rebuild better-sqlite3', 'npm cache clean --force']);
    expect(existsSync(join(workdir, 'node_modules', 'yaml'))).toBe(true);
    expect(existsSync(join(workdir, 'node_modules', '@aws-sdk', 'client-s3'))).toBe(true);
    // No development dependency: the image runs without them.
    for (const dev of ['vitest', 'typescript', 'eslint', 'kubernetes-models'])
      expect(existsSync(join(workdir, 'node_modules', dev)), dev).toBe(false);
    const version = spawnSync('anvil', ['--version'], { cwd: root, encoding: 'utf8', env: imageEnv });
    expectOk(version, 'anvil --version');
    expect(version.stdout.trim()).toBe((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  });

  it("runs the emitted Job's shard command as its pods would, and the merged table equals a local run's", () => {
    const work = join(root, 'work');
    mkdirSync(work);
    writeFileSync(join(work, 'qd.yaml'), QD_SWEEP);
    const emitted = spawnSync('anvil', ['sweep', 'qd.yaml', '--emit', 'k8s-job', '--shards', '2'], {
      cwd: work,
      encoding: 'utf8',
      env: imageEnv,
    });
    expectOk(emitted, 'anvil sweep --emit k8s-job');
    const [configMap, job] = parseAllDocuments(emitted.stdout).map((d) => d.toJS()) as [
      { data: Record<string, string> },
      { spec: { template: { spec: { containers: { command: string[] }[] } } } },
    ];
    // The ConfigMap as mounted at /sweep, the claim at /results: folders of this machine instead.
    const sweepMount = join(root, 'sweep-mount');
    const resultsMount = join(root, 'results-mount');
    mkdirSync(sweepMount);
    for (const [name, text] of Object.entries(configMap.data)) writeFileSync(join(sweepMount, name), text);
    const command = job.spec.template.spec.containers[0]!.command.map((w) =>
      w.replace(/^\/sweep\//, `${sweepMount}/`).replace(/^\/results\//, `${resultsMount}/`),
    );
    expect(command[0]).toBe('anvil');
    for (const index of [0, 1]) {
      const r = spawnSync(command[0]!, command.slice(1), {
        cwd: root,
        encoding: 'utf8',
        env: { ...imageEnv, JOB_COMPLETION_INDEX: `${index}` },
      });
      expectOk(r, `shard ${index}`);
    }
    const out = command[command.indexOf('--out') + 1]!;
    const merged = spawnSync('anvil', ['sweep', 'merge', out, '--out', join(root, 'merged')], {
      cwd: root,
      encoding: 'utf8',
      env: imageEnv,
    });
    expectOk(merged, 'anvil sweep merge');
    expect(merged.stdout).toMatch(/merged 3 of 3 points/);
    const local = spawnSync(process.execPath, [anvilBin(), 'sweep', 'qd.yaml', '--out', 'local', '--jobs', '1'], {
      cwd: work,
      encoding: 'utf8',
      env: ENV,
    });
    expectOk(local, 'local sweep');
    expect(readFileSync(join(root, 'merged', 'sweep.arrow')).equals(readFileSync(join(work, 'local', 'sweep.arrow')))).toBe(true);
  });
});

/**
 * The Containerfile (issue 21), checked without a container engine (none runs here): parsed by a
 * Dockerfile parser (dockerfile-ast), each COPY's source is in the build context (the repository less its
 * ignore file, which both engines must read alike), the built dist/ comes from the build stage's tsc
 * output and bundle, and the image's command is the built CLI: `anvil` on PATH is the package's bin, which the
 * emitted Kubernetes Job runs. test/platform/containerfile-steps.test.ts (end to end) runs its steps.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import dockerignoreModule from '@balena/dockerignore';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';
import { imageStages, readContainerfile } from '../containerfile.js';

const ROOT = process.cwd();
// A CommonJS module whose types say `export default`: its module.exports is the function itself.
const dockerignore = dockerignoreModule as unknown as (typeof dockerignoreModule)['default'];

describe('Containerfile', () => {
  const { build, runtime } = imageStages(readContainerfile());

  it('builds in two stages from a Node.js base: every dependency, tsc and the bundled bin, then the runtime dependencies alone', () => {
    expect(build.from).toMatch(/^node:\d+/);
    expect(runtime.from).toBe(build.from);
    expect(build.runs.join('\n')).toMatch(/npm ci\b/);
    // The bin (package.json's, linked below) is the bundle made from tsc's output, in that order.
    expect(build.runs.join('\n')).toMatch(/tsc -p tsconfig\.json && node dist\/platform\/cli\/bundle-cli\.js/);
    expect(runtime.runs[0]).toMatch(/^npm ci --omit=dev\b/);
    expect(runtime.env.get('NODE_ENV')).toBe('production');
  });

  it("takes every COPY source from the build context, and the build stage's dist/ from where tsc writes it", () => {
    const ignore = dockerignore().add(readFileSync(join(ROOT, '.dockerignore'), 'utf8'));
    for (const stage of [build, runtime])
      for (const copy of stage.copies) {
        if (copy.from !== undefined) continue;
        for (const source of copy.sources) {
          expect(existsSync(join(ROOT, source)), `COPY ${source}`).toBe(true);
          if (source !== '.') expect(ignore.ignores(source), `COPY ${source} is left out of the context`).toBe(false);
        }
      }
    const fromBuild = runtime.copies.filter((c) => c.from !== undefined);
    expect(fromBuild.map((c) => c.from)).toEqual(['build']);
    const outDir = (JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: { outDir: string } })
      .compilerOptions.outDir;
    expect(fromBuild[0]!.sources).toEqual([posix.join(build.workdir, outDir)]);
    expect(posix.join(runtime.workdir, fromBuild[0]!.destination)).toBe(posix.join(runtime.workdir, outDir));
  });

  it("leaves this machine's node_modules and dist out of the context for Docker and Podman alike (COPY . . would overwrite the image's)", () => {
    // docker build reads .dockerignore, podman and buildah .containerignore: the same rules.
    expect(readFileSync(join(ROOT, '.dockerignore'), 'utf8')).toBe(readFileSync(join(ROOT, '.containerignore'), 'utf8'));
    const ignore = dockerignore().add(readFileSync(join(ROOT, '.dockerignore'), 'utf8'));
    for (const path of ['node_modules/yaml/package.json', 'dist/platform/cli/main.js', '.git/HEAD', 'sweeps/qd/sweep.arrow'])
      expect(ignore.ignores(path), path).toBe(true);
    // The data files the CLI reads at run time stay in.
    for (const path of [
      'package.json',
      'sim/profiles/intel-p4510-4tb.yaml',
      'platform/node-profiles/appliance-d10.yaml',
      'bench/scenarios/noisy-neighbour.yaml',
    ])
      expect(ignore.ignores(path), path).toBe(false);
  });

  it("runs the built CLI: `anvil` on PATH is the package's bin, the command the emitted Job's pods run", () => {
    const bin = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: { anvil: string } }).bin.anvil;
    const link = runtime.runs.map((r) => /ln -s (\S+) (\S+)/.exec(r)).find((m) => m !== null);
    expect(link?.[1]).toBe(posix.join(runtime.workdir, bin));
    expect(posix.dirname(link![2]!)).toBe('/usr/local/bin');
    expect(posix.basename(link![2]!)).toBe('anvil');
    expect(runtime.runs.join('\n')).toContain(`chmod +x ${bin}`);
    expect(readFileSync(join(ROOT, bin), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(runtime.cmd[0]).toBe('anvil');
    // The image runs as the base image's unprivileged user.
    expect(runtime.user).toBe('node');
  });

  it('is read by the parser as written: an instruction it does not know would be missed', () => {
    const keywords = DockerfileParser.parse(readContainerfile())
      .getInstructions()
      .map((i: Instruction) => i.getKeyword());
    expect(new Set(keywords)).toEqual(new Set(['FROM', 'WORKDIR', 'COPY', 'RUN', 'ENV', 'USER', 'CMD']));
  });
});

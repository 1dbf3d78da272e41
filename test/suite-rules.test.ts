/**
 * Rules of the test suite itself: corpus tests never skip silently in CI (.ci/run refuses to start without
 * ../shared/fixtures), and no verdict hangs on the machine's speed (generous bounds in vitest.config.ts, and
 * no test or hook sets a tighter one of its own).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import config from '../vitest.config.js';
import { tempDir } from './cli-harness.js';

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? testFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}

describe('the test suite', () => {
  it('.ci/run stops at once in CI when ../shared/fixtures is missing', () => {
    // A copy of the script in a folder with nothing beside it: the check comes before any install.
    const repo = join(tempDir('anvil-ci-'), 'repo');
    mkdirSync(join(repo, '.ci'), { recursive: true });
    copyFileSync('.ci/run', join(repo, '.ci', 'run'));
    const r = spawnSync('bash', [join(repo, '.ci', 'run')], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^\.ci\/run: \.\.\/shared\/fixtures \(beside .*repo\) is missing/);
    expect(r.stdout).toBe('');
  });

  it('bounds tests and hooks only against hangs, never tighter than a loaded 2-core machine needs', () => {
    expect(config.test?.testTimeout).toBeGreaterThanOrEqual(600_000);
    expect(config.test?.hookTimeout).toBeGreaterThanOrEqual(300_000);
    // A per-test or per-hook timeout is a number after the function given to it/test/beforeAll...
    const tight = testFiles('test').filter((f) => /\},\s*[\d_]+\s*\);/.test(readFileSync(f, 'utf8')));
    expect(tight).toEqual([]);
  });
});

/**
 * The reference jobs' outputs, held byte for byte: stdout (fio json+) and every file under --out (Arrow
 * tables, summary.json with the install path masked) of each job in bench/workloads/reference, seed 1,
 * SOURCE_DATE_EPOCH set, as the built bin writes them. Their SHA-256 digests are in
 * reference-outputs.sha256.json, first taken before the issue-12 refactoring (so that one is proven to
 * change no output). A change meant to alter the model's output updates them on purpose:
 * `UPDATE_REFERENCE_DIGESTS=1 npx vitest run test/bench/reference-outputs.test.ts`, and says why.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../cli-harness.js';
import { anvilBin } from '../../bench/package-root.js';

const ROOT = process.cwd();
const BIN = anvilBin();
const JOBS_DIR = join('bench', 'workloads', 'reference');
const DIGESTS = join(ROOT, 'test', 'bench', 'reference-outputs.sha256.json');
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** Digests of one job's outputs: stdout, then each file under --out by name. */
function digestsOf(jobFile: string): Record<string, string> {
  const out = join(tempDir('anvil-reference-'), 'out');
  const run = spawnSync(process.execPath, [BIN, 'run', join(JOBS_DIR, jobFile), '--output-format', 'json+', '--seed', '1', '--out', out], {
    cwd: ROOT,
    encoding: 'buffer',
    env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' },
    maxBuffer: 256 * 2 ** 20,
  });
  expect(run.status, run.stderr.toString()).toBe(0);
  const digests: Record<string, string> = { 'stdout.json': sha256(run.stdout) };
  for (const name of readdirSync(out).sort()) {
    const bytes = readFileSync(join(out, name));
    digests[name] = sha256(name === 'summary.json' ? bytes.toString('utf8').split(ROOT).join('<root>') : bytes);
  }
  return digests;
}

describe('reference jobs, byte for byte', () => {
  const jobs = readdirSync(JOBS_DIR)
    .filter((n) => n.endsWith('.fio'))
    .sort();
  const update = process.env.UPDATE_REFERENCE_DIGESTS === '1';
  const held = update ? {} : (JSON.parse(readFileSync(DIGESTS, 'utf8')) as Record<string, Record<string, string>>);
  const taken: Record<string, Record<string, string>> = {};

  it('holds a digest for every reference job and no other', () => {
    if (update) return;
    expect(Object.keys(held).sort()).toEqual(jobs.map((j) => j.replace(/\.fio$/, '')));
  });

  for (const job of jobs) {
    const name = job.replace(/\.fio$/, '');
    it(`${name}: stdout and every --out file as held`, () => {
      taken[name] = digestsOf(job);
      if (update) writeFileSync(DIGESTS, JSON.stringify(taken, null, 2) + '\n');
      else expect(taken[name]).toEqual(held[name]);
    });
  }
});

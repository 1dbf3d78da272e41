/**
 * Issue 11, point 8: a model run has a bound. Its I/Os are estimated before it starts and a run above
 * the limit is refused with the estimate and the flag that raises it; a file that is not a job file is
 * refused naming it; a job file has at most fio's 4096 jobs. The reference jobs run under the default.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../bench/package-root.js';
import { DEFAULT_PROFILE, loadProfile, profileCapacity } from '../../bench/profiles.js';
import { DEFAULT_MAX_IOS, estimateOnProfile } from '../../bench/targets/run-cost.js';
import { runOnModel } from '../../bench/targets/sim.js';
import { MAX_JOB_FILE_BYTES } from '../../bench/workloads/read-job-file.js';
import { loadWorkloads } from '../../bench/workloads/resolve.js';
import { AnvilError } from '../../platform/errors.js';
import { runJobFile } from '../../bench/run.js';
import { anvilRun, tempDir } from '../cli-harness.js';

async function refusal(promise: Promise<unknown>): Promise<AnvilError> {
  const e = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AnvilError);
  return e as AnvilError;
}

describe('the cost of a model run (issue 11, point 8)', () => {
  const unbounded: [string, string][] = [
    ['runtime=100d', '[a]\nrw=randread\niodepth=32\nruntime=100d\ntime_based\n'],
    ['runtime=1h', '[a]\nrw=randread\niodepth=32\nruntime=1h\ntime_based\n'],
    ['size=16E without time_based', '[a]\nrw=randread\niodepth=32\nsize=16E\n'],
    ['runtime=0 with time_based', '[a]\nrw=randread\niodepth=32\nruntime=0\ntime_based\n'],
  ];
  for (const [what, job] of unbounded) {
    it(`refuses ${what} before it starts, with the estimate and the flag that raises the limit`, async () => {
      const e = await refusal(anvilRun(job));
      expect(e.code).toBe('ANVIL_ERR_RUN_TOO_LARGE');
      expect(e.message).toMatch(
        /job\.fio: this run would simulate about [\d.e+]+( million| billion)? I\/Os .*above the limit of 50\.0 million \(--max-ios\)/,
      );
    });
  }

  it('refuses runtime=99999999999999 (past what the model keeps in whole nanoseconds) with the file and line', async () => {
    const e = await refusal(anvilRun('[a]\nrw=randread\nruntime=99999999999999\ntime_based\n'));
    expect(e.code).toBe('ANVIL_ERR_JOB_VALUE');
    expect(e.details).toEqual([expect.stringMatching(/job\.fio:3: runtime=99999999999999 is out of range; .*at most 104 days/)]);
  });

  it('refuses bs above 2g with the file and line', async () => {
    const e = await refusal(anvilRun('[a]\nrw=read\nbs=1t\n'));
    expect(e.details).toEqual([expect.stringMatching(/job\.fio:3: bs=1t is out of range; use 1 byte to 2g$/)]);
  });

  it('runs a refused job once the limit is raised to what the message says', async () => {
    const job = '[a]\nrw=randread\niodepth=32\nruntime=20ms\ntime_based\n';
    const e = await refusal(anvilRun(job, { maxIos: 1000 }));
    const raise = /--max-ios (\d+)/.exec(e.message);
    expect(raise).not.toBeNull();
    const { run } = await anvilRun(job, { maxIos: Number(raise![1]) });
    expect(run.jobs[0]!.measured.read.total_ios).toBeGreaterThan(1000);
    expect(run.jobs[0]!.measured.read.total_ios).toBeLessThanOrEqual(Number(raise![1]));
  });

  it('estimates at least the I/Os the reference jobs simulate, and they run under the default limit', () => {
    const profile = loadProfile(DEFAULT_PROFILE);
    const dir = join(packageRoot(), 'bench', 'workloads', 'reference');
    const files = readdirSync(dir).filter((f) => f.endsWith('.fio'));
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) {
      const { specs } = loadWorkloads(readFileSync(join(dir, file), 'utf8'), file, profileCapacity(profile));
      const estimate = estimateOnProfile(specs, profile).ios;
      const run = runOnModel({ jobs: specs, profile, seed: 1 });
      const measured = run.jobs.reduce((n, j) => n + j.measured.read.total_ios + j.measured.write.total_ios, 0);
      expect(estimate, file).toBeGreaterThanOrEqual(measured);
      expect(estimate, file).toBeLessThan(DEFAULT_MAX_IOS);
    }
  });
});

describe('a file that is not a job file (issue 11, point 8)', () => {
  const run = (path: string) =>
    runJobFile(
      path,
      { target: 'sim', profile: DEFAULT_PROFILE, seed: 1, outputFormat: 'json' },
      { stdout: { write: () => true }, stderr: process.stderr },
    );

  it('is refused with ANVIL_ERR_JOB_FILE naming it and why: a device, a directory, binary content, too large', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'folder.fio'));
    writeFileSync(join(dir, 'binary.fio'), Buffer.from([0x5b, 0x61, 0x5d, 0x0a, 0x00, 0x01, 0x02]));
    writeFileSync(join(dir, 'huge.fio'), `[a]\n${'; padding\n'.repeat(MAX_JOB_FILE_BYTES / 10 + 1)}`);
    const cases: [string, RegExp][] = [
      ['/dev/zero', /^\/dev\/zero is not a job file: it is a device, pipe or socket/],
      [join(dir, 'folder.fio'), /folder\.fio is not a job file: it is a directory/],
      [join(dir, 'binary.fio'), /binary\.fio is not a job file: it has binary content/],
      [join(dir, 'huge.fio'), /huge\.fio is not a job file: it is \d+ bytes, and a job file is at most 1048576 bytes/],
    ];
    for (const [path, message] of cases) {
      const e = await refusal(run(path));
      expect(e.code, path).toBe('ANVIL_ERR_JOB_FILE');
      expect(e.message, path).toMatch(message);
    }
  });

  it('has at most 4096 jobs, as fio: the section that passes it is named and the rest is not read', async () => {
    const sections = Array.from({ length: 45_000 }, (_, i) => `[j${i}]\nruntime=1ms\n`)
      .join('')
      .slice(0, MAX_JOB_FILE_BYTES - 1);
    const e = await refusal(anvilRun(sections));
    expect(e.code).toBe('ANVIL_ERR_JOB_VALUE');
    expect(e.details).toHaveLength(1);
    expect(e.details[0]).toMatch(/job\.fio:8193: job 'j4096' brings the jobs .* above 4096/);
  });
});

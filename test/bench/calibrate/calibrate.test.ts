/**
 * Calibration: the fit recovers a known queue device from a sweep run on the model itself (so the fit,
 * not the hardware, is under test), writes a profile the model loads, with its measurements; and on
 * this host, `anvil calibrate` then `anvil validate` run end to end (fio in CI, skipped only without it).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pl from 'nodejs-polars';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { fitQueue, fitServers, queueProfileYaml } from '../../../bench/calibrate/fit-queue.js';
import { medianRun, pointsOf, sweepJobText, sweepJobs, type SweepPoint } from '../../../bench/calibrate/sweep.js';
import { compareRuns } from '../../../bench/calibrate/validate.js';
import { parseProfile, profileCapacity } from '../../../bench/profiles.js';
import { runOnModel } from '../../../bench/targets/sim.js';
import { which } from '../../../bench/targets/host/bounded-process.js';
import { loadWorkloads } from '../../../bench/workloads/resolve.js';
import { calibrateCommand, validateCommand } from '../../../platform/cli/calibrate-commands.js';
import { tempDir } from '../../cli-harness.js';
import { needs } from '../../needs.js';

const needFio = needs('fio', which('fio') !== undefined);
const KNOWN = parseProfile('kind: queue\nservers: 4\nservice: { dist: lognormal, mean: 80us, stddev: 40us }\ncapacity: 1g\n', 'known.yaml');

function modelSweep(profile = KNOWN): SweepPoint[] {
  return sweepJobs().flatMap((job) => {
    const text = sweepJobText(job, { size_bytes: 1 << 28, runtime_s: 0.5 });
    const { specs } = loadWorkloads(text, job.name, profileCapacity(profile));
    return pointsOf(job, runOnModel({ jobs: specs, profile, seed: 3 }));
  });
}

describe('fitting a queue profile', () => {
  it('recovers the servers and mean service time of a known device from its sweep', () => {
    const points = modelSweep();
    expect(points.filter((p) => p.job.rw === 'randread' && p.job.bs_bytes === 4096)).toHaveLength(7);
    const fit = fitQueue(points);
    expect(fit.servers).toBe(4);
    expect(fit.service_mean_ns / 80_000).toBeCloseTo(1, 1);
  });

  it('writes a profile the model loads, carrying every measurement, that reproduces the sweep', () => {
    const points = modelSweep();
    const fit = fitQueue(points);
    const yaml = queueProfileYaml(fit, points, {
      filename: '/dev/x',
      host: 'h',
      date: '2026-11-30',
      fioVersion: 'fio-3.33',
      capacity_bytes: 1 << 30,
    });
    const doc = parse(yaml) as { sources: { measurements: unknown[]; method: string } };
    expect(doc.sources.measurements).toHaveLength(points.length);
    expect(doc.sources.method).toMatch(/^measured: anvil calibrate/);
    const fitted = parseProfile(yaml, 'fitted.yaml');
    const again = modelSweep(fitted);
    for (const qd of [1, 4, 64]) {
      const want = points.find((p) => p.job.name === `randread-4k-qd${qd}`)!;
      const got = again.find((p) => p.job.name === `randread-4k-qd${qd}`)!;
      expect(got.iops / want.iops, `QD${qd} IOPS`).toBeGreaterThan(0.9);
      expect(got.iops / want.iops, `QD${qd} IOPS`).toBeLessThan(1.1);
    }
  });

  it('finds servers and scale exactly from IOPS that follow min(N, c) / (k S1)', () => {
    const s1 = 50_000;
    const points = [1, 2, 4, 8, 16, 32, 64].map((depth) => ({ depth, iops: (Math.min(depth, 12) * 1e9) / (1.4 * s1) }));
    const fit = fitServers(points, s1);
    expect(fit.servers).toBe(12);
    expect(fit.scale).toBeCloseTo(1.4, 9);
    expect(fit.residual).toBeCloseTo(0, 12);
  });

  it('keeps the median-IOPS run of repeated runs', () => {
    const job = sweepJobs()[0]!;
    const run = (iops: number): SweepPoint[] => [{ job, direction: 'read', iops, clat_mean_ns: 1e9 / iops, clat_p99_ns: 0, bins: {} }];
    expect(medianRun([run(90), run(300), run(100)])[0]!.iops).toBe(100);
    expect(medianRun([run(90), run(100)])[0]!.iops).toBe(90);
  });

  it('refuses a sweep without a QD1 random read', () => {
    expect(() => fitQueue(modelSweep().filter((p) => p.job.iodepth !== 1))).toThrow(/queue depth 1/);
  });

  it('reports percent errors of predicted against measured', () => {
    const text = sweepJobText({ name: 'j', rw: 'randread', bs_bytes: 4096, iodepth: 2 }, { size_bytes: 1 << 20, runtime_s: 0.2 });
    const { specs } = loadWorkloads(text, 'j', 1 << 30);
    const a = runOnModel({ jobs: specs, profile: KNOWN, seed: 1 });
    const b = runOnModel({
      jobs: specs,
      profile: parseProfile('kind: queue\nservers: 4\nservice: { dist: deterministic, mean: 40us }\n', 'b.yaml'),
      seed: 1,
    });
    const [row] = compareRuns('j', a, b);
    expect(row!.iops_error_pct).toBeCloseTo(((row!.predicted_iops - row!.measured_iops) / row!.measured_iops) * 100, 9);
    expect(row!.iops_error_pct).toBeGreaterThan(50); // half the service time, about twice the IOPS
  });
});

describe('anvil calibrate and validate on this host', () => {
  needFio('fits a profile from a short sweep and validates a held-out job, with Arrow results', async () => {
    const dir = tempDir('anvil-calibrate-test-');
    const data = join(dir, 'data.bin');
    const out = join(dir, 'cal.yaml');
    let said = '';
    await calibrateCommand(
      { target: 'host', filename: data, out, runtime: 0.3, size: 32 << 20, repeat: 1, kind: 'fitted' },
      { stdout: { write: (t: string) => (said += t) } },
      () => {},
    );
    expect(said).toMatch(/fitted a profile of kind fitted: read and write paths at QD 1, 2, 4, 8, 16, 32, 64; 32 measurements/);
    expect(said).toMatch(/randwrite-4k-qd64\s+write/); // the fit error of every calibration job
    expect(said).toMatch(/cross-validated \(each inner depth left out .*, 10 jobs\): mean \|IOPS error\| [\d.]+%/);
    // The host's own drift, measured by the reference job across the sweep, beside the fit error.
    expect(said).toMatch(/host repeatability: randread-4k-qd8 run \d+ times across the calibration: IOPS spread [\d.]+%/);
    const profile = parseProfile(readFileSync(out, 'utf8'), out);
    expect(profile.kind.name).toBe('fitted');
    const job = join(dir, 'held-out.fio');
    writeFileSync(
      job,
      sweepJobText({ name: 'randread-4k-qd6', rw: 'randread', bs_bytes: 4096, iodepth: 6 }, { size_bytes: 32 << 20, runtime_s: 0.3 }),
    );
    let table = '';
    const rows = await validateCommand(
      out,
      [job],
      { filename: data, seed: 1, outputFormat: 'normal', out: join(dir, 'val') },
      { stdout: { write: (t: string) => (table += t) } },
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.measured_iops).toBeGreaterThan(0);
    expect(rows[0]!.predicted_iops).toBeGreaterThan(0);
    expect(Number.isFinite(rows[0]!.iops_error_pct)).toBe(true);
    expect(table).toMatch(/held-out\.fio\s+read/);
    const arrow = pl.readIPC(readFileSync(join(dir, 'val', 'validation.arrow')));
    expect(arrow.getColumn('measured_iops').toArray()).toEqual([rows[0]!.measured_iops]);
    expect(readFileSync(join(dir, 'val', 'validation.html'), 'utf8')).toMatch(/<svg[^>]*class="plot/);
    rmSync(dir, { recursive: true, force: true }); // the 32 MiB data file
  });
});

/**
 * Issue 12, "WorkloadSpec built by hand in four places": the job-file reader, the host converter, the TCO's
 * SLA search and the tests' factory all make specs with `workloadSpec`, so every spec has every field (the
 * host converter's and the SLA search's had no `percentilesOf`) in one order, and fio's defaults are
 * written once: a job file that sets nothing but its size gives the builder's defaults.
 */
import { describe, expect, it } from 'vitest';
import { loadWorkloads } from '../../../bench/workloads/resolve.js';
import { slaSearchSpec } from '../../../reports/tco/node-iops.js';
import { workloadSpec } from '../../../sim/workload/spec.js';
import { workload } from '../../bench/spec-factory.js';
import { loadFixture } from '../../bench/host/fixtures.js';

const FIELDS = Object.keys(workloadSpec({ name: 'x' }));

describe('one WorkloadSpec builder', () => {
  it('gives every spec every field, in one order, whoever makes it', () => {
    const made = {
      'job file': loadWorkloads('[a]\nrw=randrw\nbs=4k,16k\nsize=1m\nruntime=2\ntime_based\nnumjobs=2\n', 'a.fio', 2 ** 30).specs,
      'host converter': loadFixture('randrw-jsonplus').run.jobs.flatMap((j) => j.specs),
      'SLA search': [slaSearchSpec(0.7, 0, 0), slaSearchSpec(0.7, 1e5, 1)],
      'test factory': [workload(), workload({ iodepth: 8 })],
    };
    for (const [who, specs] of Object.entries(made)) {
      expect(specs.length, who).toBeGreaterThan(0);
      for (const spec of specs) expect(Object.keys(spec), who).toEqual(FIELDS);
    }
  });

  it("takes fio's defaults where a job file sets nothing", () => {
    const [spec] = loadWorkloads('[plain]\nsize=1m\n', 'plain.fio', 2 ** 30).specs;
    expect(spec).toEqual(workloadSpec({ name: 'plain', size_bytes: 2 ** 20 }));
  });

  it('keeps what the caller gives', () => {
    const given = {
      name: 'w',
      clone: 3,
      pattern: 'random',
      readFraction: 0.25,
      percentiles: [50],
      percentilesOf: { slat: true, clat: false, lat: true },
    } as const;
    expect(workloadSpec(given)).toMatchObject({ ...given, iodepth: 1, runtime_ns: 0 });
  });
});

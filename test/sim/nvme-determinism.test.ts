/** Same profile, jobs and seed: identical results, event for event. Another seed: other random offsets. */
import { expect, test } from 'vitest';
import { loadNvmeProfile, runClosedLoop, type HarnessJob, type RunResult } from './nvme-harness.js';

const JOBS: HarnessJob[] = [
  { op: 'read', pattern: 'random', bs: 4096, iodepth: 32 },
  { op: 'write', pattern: 'random', bs: 4096, iodepth: 16 },
  { op: 'read', pattern: 'sequential', bs: 131072, iodepth: 4 },
];

function fingerprint(r: RunResult) {
  return {
    events: r.events,
    completed: r.completed,
    counts: { ...r.device.backend.counts },
    jobs: r.jobs.map((j) => ({
      ios: j.ios,
      mean_ns: j.lat.mean_ns,
      stddev_ns: j.lat.stddev_ns,
      min_ns: j.lat.min_ns,
      max_ns: j.lat.max_ns,
      bins: Array.from(j.lat.counts),
    })),
  };
}

test('same seed, same results (mixed reads, writes, GC)', () => {
  const { params } = loadNvmeProfile('intel-p4510-4tb');
  const options = { seed: 42, ramp_ns: 20e6, runtime_ns: 200e6 };
  const a = fingerprint(runClosedLoop(params, JOBS, options));
  const b = fingerprint(runClosedLoop(params, JOBS, options));
  expect(a.counts.gcPrograms).toBeGreaterThan(0);
  expect(b).toEqual(a);
});

test('another seed draws other offsets', () => {
  const { params } = loadNvmeProfile('intel-p4510-4tb');
  const a = runClosedLoop(params, JOBS, { seed: 1, ramp_ns: 5e6, runtime_ns: 50e6 });
  const b = runClosedLoop(params, JOBS, { seed: 2, ramp_ns: 5e6, runtime_ns: 50e6 });
  expect(Array.from(b.jobs[0]!.lat.counts)).not.toEqual(Array.from(a.jobs[0]!.lat.counts));
});

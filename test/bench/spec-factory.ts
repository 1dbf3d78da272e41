/** Builds WorkloadSpecs for tests without going through a job file. */
import type { WorkloadSpec } from '../../sim/workload/spec.js';
import { FIO_DEFAULT_PERCENTILES } from '../../sim/measure/latency-histogram.js';

export function workload(overrides: Partial<WorkloadSpec> = {}): WorkloadSpec {
  return {
    name: 'job',
    clone: 0,
    group: 0,
    groupReporting: false,
    pattern: 'random',
    readFraction: 1,
    blockSize_bytes: { read: 4096, write: 4096 },
    iodepth: 1,
    rate_iops: { read: 0, write: 0 },
    rateProcess: 'linear',
    size_bytes: 0,
    offset_bytes: 0,
    runtime_ns: 1e9,
    timeBased: true,
    ramp_ns: 0,
    percentiles: FIO_DEFAULT_PERCENTILES,
    ...overrides,
  };
}

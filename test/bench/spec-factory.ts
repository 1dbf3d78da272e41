/** Builds WorkloadSpecs for tests without going through a job file: a random-read job of 1 s, time based. */
import { workloadSpec, type WorkloadSpec } from '../../sim/workload/spec.js';

export function workload(overrides: Partial<WorkloadSpec> = {}): WorkloadSpec {
  return workloadSpec({ name: 'job', pattern: 'random', runtime_ns: 1e9, timeBased: true, ...overrides });
}

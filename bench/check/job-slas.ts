/**
 * Each job (or pod) of a run compared on its own, as `anvil compare` and `anvil check --baseline` compare
 * them: an SLA that only a comparison reads, its IOPS and p99 latency over the steady state.
 */
import type { JudgedSla } from './evaluate.js';
import type { ResultsEvidence } from './results-evidence.js';

/** Default regression tolerance of a job compared on its own (a fraction): the SLAs' default. */
export const DEFAULT_JOB_TOLERANCE = 0.05;

/** Whose rows each job is: each pod in a cluster scenario's results, each job of a job file's. */
export function jobSubjects(e: ResultsEvidence): { label: 'pod' | 'job'; names: string[] } {
  const label = e.intervals.labels.has('pod') ? 'pod' : 'job';
  return { label, names: [...new Set(e.intervals.labels.get(label) ?? [])].sort() };
}

/**
 * Each job (or pod) as an SLA that only a comparison reads: its IOPS and p99 latency over the steady
 * state (from `from_ns`), `tolerance` the change it lets pass. The limits (0) are never judged.
 */
export function jobSlas(label: 'pod' | 'job', names: readonly string[], tolerance: number, from_ns: number): JudgedSla[] {
  return names.map((name) => ({
    sla: {
      name: `${label} ${name}`,
      ops: 'all',
      window: 'run',
      tolerance: 0,
      regression_tolerance: tolerance,
      min_iops: 0,
      max_latency_ns: { 99: 0 },
    },
    scope: `${label} ${name}`,
    subjects: [
      {
        name: `${label} ${name}`,
        label,
        values: new Set([name]),
        outagePods: new Set<string>(),
        outageVolumes: new Set<string>(),
        flowPods: new Set<string>(),
        pods: label === 'pod' ? new Set([name]) : new Set<string>(),
      },
    ],
    from_ns,
    until_ns: Number.POSITIVE_INFINITY,
  }));
}

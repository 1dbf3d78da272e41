/**
 * The summary's per tenant and per volume figures: every job of the tenant (or on the volume) together,
 * per direction, over the measurement window: I/Os and bytes a second, and the 99th percentile of
 * completion latency from the jobs' histograms added bucket by bucket (a percentile of the merged
 * histogram, never a mean of percentiles). Over time, the job tables hold the same figures per interval:
 * group `intervals.arrow` by its `tenant` or `volume` column and `time_ns` (summing `iops`, `bw_bytes`),
 * and merge `interval_histogram.arrow`'s counts likewise for percentiles.
 */
import type { JobMeasurement } from '../../bench/results/measurement.js';

/** What the roll-ups read of a run, on any target: its jobs with their labels. */
type LabelledRun = { readonly jobs: readonly JobMeasurement[] };
import { BUCKETS, bucketPercentile } from '../../sim/measure/latency-histogram.js';
import { formatByteRate, formatDuration, formatRate } from '../../sim/core/units.js';

/** One direction of a group of jobs in the window. */
export interface RollupDirection {
  /** I/Os a second: the jobs' I/Os over the union of their windows (a pod started again ran in spells). */
  readonly iops: number;
  /** Bytes a second, the same way. */
  readonly bw_bytes_per_s: number;
  /** 99th percentile completion latency of every I/O of the jobs, ns (absent where none ran). */
  readonly clat_p99_ns?: number;
}

/** A tenant's or a volume's jobs together. */
export interface Rollup {
  readonly read: RollupDirection;
  readonly write: RollupDirection;
}

export interface TenantRollup extends Rollup {
  readonly tenant: string;
}

export interface VolumeRollup extends Rollup {
  /** `TENANT/NAME`. */
  readonly volume: string;
  readonly tenant: string;
  /** The volume's perf tier, where the caller knows it (the platform's). */
  readonly tier?: string;
}

/** The length of the union of the jobs' windows, ns (jobs of a pod that ran in spells count each stretch once). */
export function unionWindow_ns(jobs: readonly JobMeasurement[]): number {
  const windows = jobs.map((j) => [j.measured.windowStart_ns, j.measured.windowEnd_ns] as const).sort((a, b) => a[0] - b[0]);
  let ran_ns = 0;
  let reach = -Infinity;
  for (const [start, end] of windows) {
    ran_ns += Math.max(0, end - Math.max(start, reach));
    reach = Math.max(reach, end);
  }
  return ran_ns;
}

function rollup(jobs: readonly JobMeasurement[]): Rollup {
  const window_ns = unionWindow_ns(jobs);
  const direction = (pick: (j: JobMeasurement) => JobMeasurement['measured']['read']): RollupDirection => {
    let ios = 0;
    let bytes = 0;
    for (const j of jobs) {
      const d = pick(j);
      ios += d.total_ios;
      bytes += d.io_bytes;
    }
    return {
      iops: window_ns > 0 ? Math.round((ios * 1e9) / window_ns) : 0,
      bw_bytes_per_s: window_ns > 0 ? Math.round((bytes * 1e9) / window_ns) : 0,
      ...(ios > 0 ? { clat_p99_ns: bucketPercentile(mergedCounts(jobs, pick), ios, 99) } : {}),
    };
  };
  return { read: direction((j) => j.measured.read), write: direction((j) => j.measured.write) };
}

/**
 * The jobs' completion-latency counts added bucket by bucket; one job's own counts as they are (adding them
 * to zeros gives the same numbers). Merged only where a percentile is asked for: a direction no job used
 * needs none, and a run's summary has a group per volume and per tenant, each with its read and write.
 */
function mergedCounts(jobs: readonly JobMeasurement[], pick: (j: JobMeasurement) => JobMeasurement['measured']['read']): ArrayLike<number> {
  if (jobs.length === 1) return pick(jobs[0]!).clat.counts;
  const counts = new Float64Array(BUCKETS);
  for (const j of jobs) {
    const c = pick(j).clat.counts;
    for (let i = 0; i < BUCKETS; i++) counts[i]! += c[i]!;
  }
  return counts;
}

/** Jobs grouped by the value of label `key`, groups sorted by that value (jobs without it left out). */
function groupBy(run: LabelledRun, key: string): [string, JobMeasurement[]][] {
  const groups = new Map<string, JobMeasurement[]>();
  for (const j of run.jobs) {
    const value = j.labels?.[key];
    if (value === undefined) continue;
    const group = groups.get(value);
    if (group) group.push(j);
    else groups.set(value, [j]);
  }
  return [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Per tenant with a workload that ran, its jobs together. */
export function tenantRollups(run: LabelledRun): TenantRollup[] {
  return groupBy(run, 'tenant').map(([tenant, jobs]) => ({ tenant, ...rollup(jobs) }));
}

/** Per volume with a workload that ran, its jobs together. */
export function volumeRollups(run: LabelledRun, tierOf?: (volume: string) => string | undefined): VolumeRollup[] {
  return groupBy(run, 'volume').map(([volume, jobs]) => {
    const tier = tierOf?.(volume);
    return { volume, tenant: jobs[0]!.labels?.tenant ?? '', ...(tier !== undefined ? { tier } : {}), ...rollup(jobs) };
  });
}

/** A roll-up's figures as text: each direction that ran. */
export function rollupFigures(r: Rollup): string {
  const parts: string[] = [];
  for (const [name, d] of [['read', r.read] as const, ['write', r.write] as const]) {
    if (d.clat_p99_ns === undefined) continue;
    parts.push(`${name} IOPS=${formatRate(d.iops)} BW=${formatByteRate(d.bw_bytes_per_s)} p99=${formatDuration(d.clat_p99_ns)}`);
  }
  return parts.length > 0 ? parts.join(', ') : 'no I/O';
}

/** The text summary's line per tenant. */
export function tenantLines(tenants: readonly TenantRollup[]): string[] {
  return tenants.map((t) => `tenant ${t.tenant}: ${rollupFigures(t)}`);
}

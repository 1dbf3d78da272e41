/**
 * The calibration sweep: a bounded set of fio jobs run on the host (4K random read and write at queue
 * depths 1..64; random read and write at 16K, 64K and 128K at two depths; 4K 50/50 mixes at three
 * depths), each reduced to the figures a fit and a report need. Every job is time-bound (ramp +
 * runtime), so the sweep's length is known up front. `runCalibration` (schedule.ts) runs it.
 */
import { BUCKETS, bucketValue } from '../../sim/measure/latency-histogram.js';
import type { RunMeasurement } from '../results/measurement.js';

export const SWEEP_DEPTHS = [1, 2, 4, 8, 16, 32, 64] as const;
/** Sizes above 4K the sweep measures (random, both directions), bytes: the grid of the size factors. */
export const SWEEP_SIZES = [16384, 65536, 131072] as const;
/** Depths of the size jobs: one where the host's time per I/O dominates, one where the drive's does. */
export const SWEEP_SIZE_DEPTHS = [1, 16] as const;
/** Depths of the 4K 50/50 mixes: the grid of the mix factors. */
export const SWEEP_MIX_DEPTHS = [2, 8, 32] as const;

/** One job of the sweep. */
export interface SweepJob {
  readonly name: string;
  readonly rw: 'randread' | 'randwrite' | 'read' | 'write' | 'randrw';
  readonly bs_bytes: number;
  readonly iodepth: number;
  readonly rwmixread?: number;
}

/** What one job measured, per direction with I/O. */
export interface SweepPoint {
  readonly job: SweepJob;
  readonly direction: 'read' | 'write';
  readonly iops: number;
  readonly clat_mean_ns: number;
  readonly clat_p99_ns: number;
  /** Completion-latency histogram: fio bucket value (ns) -> count. */
  readonly bins: Record<string, number>;
}

export function sweepJobs(): SweepJob[] {
  return [
    ...SWEEP_DEPTHS.map((qd): SweepJob => ({ name: `randread-4k-qd${qd}`, rw: 'randread', bs_bytes: 4096, iodepth: qd })),
    ...SWEEP_DEPTHS.map((qd): SweepJob => ({ name: `randwrite-4k-qd${qd}`, rw: 'randwrite', bs_bytes: 4096, iodepth: qd })),
    ...SWEEP_SIZES.flatMap((bs) =>
      (['randread', 'randwrite'] as const).flatMap((rw) =>
        SWEEP_SIZE_DEPTHS.map((qd): SweepJob => ({ name: `${rw}-${bs / 1024}k-qd${qd}`, rw, bs_bytes: bs, iodepth: qd })),
      ),
    ),
    ...SWEEP_MIX_DEPTHS.map((qd): SweepJob => ({ name: `mix-50-50-4k-qd${qd}`, rw: 'randrw', bs_bytes: 4096, iodepth: qd, rwmixread: 50 })),
  ];
}

export interface SweepOptions {
  /** The file or device the jobs do I/O on. */
  readonly filename: string;
  /** Region the jobs address, bytes. */
  readonly size_bytes: number;
  /** Measured time per job, s (after a ramp of a quarter of it). */
  readonly runtime_s: number;
  /** Runs per job; the run with the median IOPS is kept (a noisy machine's outliers do not set the fit). */
  readonly repeat?: number;
  readonly log?: (message: string) => void;
  /** Runs one job file (default: fio on the host, `--filename`); tests give a model with a known drift. */
  readonly runJob?: (job: SweepJob, text: string) => Promise<RunMeasurement>;
}

/** The job file text of one sweep job: libaio, O_DIRECT, time-bound. */
export function sweepJobText(job: SweepJob, o: Pick<SweepOptions, 'size_bytes' | 'runtime_s'>): string {
  const ramp = Math.max(0.1, o.runtime_s / 4);
  const lines = [
    '[global]',
    'ioengine=libaio',
    'direct=1',
    `size=${o.size_bytes}`,
    `runtime=${o.runtime_s}`,
    `ramp_time=${ramp}`,
    'time_based',
    '',
    `[${job.name}]`,
    `rw=${job.rw}`,
    `bs=${job.bs_bytes}`,
    `iodepth=${job.iodepth}`,
  ];
  if (job.rwmixread !== undefined) lines.push(`rwmixread=${job.rwmixread}`);
  return lines.join('\n') + '\n';
}

/** The points of one host (or model) run of a sweep job. */
export function pointsOf(job: SweepJob, run: RunMeasurement): SweepPoint[] {
  const m = run.jobs[0]!;
  const window = m.measured.window_ns;
  const out: SweepPoint[] = [];
  for (const direction of ['read', 'write'] as const) {
    const d = m.measured[direction];
    if (d.total_ios === 0) continue;
    const bins: Record<string, number> = {};
    for (let b = 0; b < BUCKETS; b++) if (d.clat.counts[b]! > 0) bins[`${bucketValue(b)}`] = d.clat.counts[b]!;
    out.push({
      job,
      direction,
      iops: (d.total_ios * 1e9) / window,
      clat_mean_ns: d.clat.mean_ns,
      clat_p99_ns: d.clat.percentile(99),
      bins,
    });
  }
  return out;
}

/** Of several runs of one job, the one whose total IOPS is the median (the lower middle for even counts). */
export function medianRun(runs: readonly SweepPoint[][]): SweepPoint[] {
  const total = (points: readonly SweepPoint[]) => points.reduce((a, p) => a + p.iops, 0);
  const sorted = [...runs].sort((a, b) => total(a) - total(b));
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? [];
}

/** What a calibrated profile was made from, with the host and fio that measured it. */
export interface SweepProvenance {
  readonly filename: string;
  readonly host: string;
  readonly date: string;
  readonly fioVersion: string;
}

/**
 * A fitted profile's `sources`: the fit's method, the host and fio that measured it, and every measurement of
 * the sweep (IOPS to 0.1, latencies in ns), so the file names what it was fitted to.
 */
export function sweepSources(method: string, meta: SweepProvenance, points: readonly SweepPoint[]) {
  return {
    method,
    host: meta.host,
    date: meta.date,
    fio: meta.fioVersion,
    filename: meta.filename,
    measurements: points.map((p) => ({
      job: p.job.name,
      rw: p.job.rw,
      bs: p.job.bs_bytes,
      iodepth: p.job.iodepth,
      direction: p.direction,
      iops: Math.round(p.iops * 10) / 10,
      clat_mean_ns: Math.round(p.clat_mean_ns),
      clat_p99_ns: p.clat_p99_ns,
    })),
  };
}

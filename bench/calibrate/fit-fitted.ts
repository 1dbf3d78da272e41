/**
 * Fitting a `fitted` device profile to a sweep: each direction's path is read off the 4K random jobs of
 * that direction, one row per queue depth; the random jobs at larger sizes give its size factors and
 * the 4K mixes its mix factors (fit-scales.ts).
 * - Completion latency: the depth's completion-latency histogram as a quantile function (fio's buckets,
 *   linear within a bucket) at `FITTED_PROBABILITIES`, its last few I/Os held at the value before them.
 * - Host time: a closed loop of depth N with no think time completes N / (host + mean latency) per second,
 *   so host = N / IOPS - mean latency: what fio and the kernel spend per I/O outside the completion latency.
 * - IOPS are made non-decreasing over depth first (`monotone`): a closed loop's throughput does not
 *   fall as its depth grows, so a dip is a noisy measurement, not the drive.
 * Both are closed forms of the measurements (the model reproduces every in-order training depth);
 * what a fit can get wrong is the depths between, the mixes and the sizes between, which `crossValidate`
 * (leave one depth out) and the held-out jobs (the bench's host-calibration, `anvil validate`) measure.
 */
import { Document, isScalar, visit } from 'yaml';
import { AnvilError } from '../../platform/errors.js';
import type { FittedParams, FittedPath } from '../../sim/devices/fitted/fitted-schema.js';
import { PathTable } from '../../sim/devices/fitted/path-table.js';
import { bucketLow, bucketOf, bucketWidth } from '../../sim/measure/latency-histogram.js';
import { fitMixScale, fitSizeScale } from './fit-scales.js';
import { sweepSources, type SweepPoint } from './sweep.js';

/** Probabilities of the quantile rows: dense in the tail, where p99 and beyond are read. */
export const FITTED_PROBABILITIES: readonly number[] = [
  0, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.92, 0.94, 0.95, 0.96,
  0.97, 0.98, 0.985, 0.99, 0.992, 0.994, 0.995, 0.996, 0.997, 0.998, 0.999, 0.9995, 0.9999, 1,
];

const REFERENCE_BYTES = 4096;

/** The histogram's value at each probability, ns: fio's buckets, the count spread evenly across a bucket's width. */
export function histogramQuantiles(bins: Record<string, number>, probabilities: readonly number[]): number[] {
  const entries = Object.entries(bins)
    .map(([v, n]) => [bucketOf(Number(v)), n] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => a[0] - b[0]);
  const total = entries.reduce((a, [, n]) => a + n, 0);
  if (total === 0) return probabilities.map(() => 0);
  return probabilities.map((p) => {
    const target = p * total;
    let cumulative = 0;
    for (const [bucket, n] of entries) {
      if (cumulative + n >= target) return Math.round(bucketLow(bucket) + (bucketWidth(bucket) * (target - cumulative)) / n);
      cumulative += n;
    }
    const [last] = entries[entries.length - 1]!;
    return bucketLow(last) + bucketWidth(last);
  });
}

/**
 * The non-decreasing sequence nearest `values` in least squares (pool adjacent violators): a run that
 * falls is replaced by its mean.
 */
export function monotone(values: readonly number[]): number[] {
  const means: number[] = [];
  const counts: number[] = [];
  for (const v of values) {
    let mean = v;
    let count = 1;
    while (means.length > 0 && means[means.length - 1]! > mean) {
      const n = counts.pop()!;
      mean = (means.pop()! * n + mean * count) / (n + count);
      count += n;
    }
    means.push(mean);
    counts.push(count);
  }
  return means.flatMap((m, i) => Array.from({ length: counts[i]! }, () => m));
}

/** Mean of the piecewise-linear quantile function through `row` at `FITTED_PROBABILITIES`, ns. */
function quantileMean(row: readonly number[]): number {
  let mean = 0;
  for (let j = 1; j < row.length; j++) mean += (FITTED_PROBABILITIES[j]! - FITTED_PROBABILITIES[j - 1]!) * (row[j]! + row[j - 1]!) * 0.5;
  return mean;
}

/**
 * The row with its quantiles above max(0.999, 1 - 10 / I/Os) held at the value there: beyond the last ten
 * I/Os of a run (or its last 0.1%) the histogram is a handful of events, such as one stall of the machine
 * of a second, whose share of the mean a short model run would almost never draw, and the host time would
 * then be short by it.
 */
function trimmedTail(row: number[], bins: Record<string, number>): number[] {
  const ios = Object.values(bins).reduce((a, n) => a + n, 0);
  const cut = Math.max(0.999, 1 - 10 / Math.max(1, ios));
  const at = FITTED_PROBABILITIES.findIndex((p) => p >= cut);
  return row.map((v, j) => (j > at ? row[at]! : v));
}

/** One direction's path from its 4K random jobs, with the size factors of its larger random jobs. */
function fitPath(points: readonly SweepPoint[], direction: 'read' | 'write'): FittedPath {
  const rw = direction === 'read' ? 'randread' : 'randwrite';
  const rows = points
    .filter((p) => p.job.rw === rw && p.direction === direction && p.job.bs_bytes === REFERENCE_BYTES && p.iops > 0)
    .sort((a, b) => a.job.iodepth - b.job.iodepth);
  if (rows.length === 0)
    throw new AnvilError(
      'ANVIL_ERR_CALIBRATION',
      `the sweep has no 4K ${rw} with completions; check that fio can ${direction} the --filename path`,
    );
  const unique = rows.filter((p, i) => i === 0 || rows[i - 1]!.job.iodepth !== p.job.iodepth); // one row per depth
  const depths = unique.map((p) => p.job.iodepth);
  // A closed loop's throughput and latency never fall as its depth grows; a measurement that does is
  // noise (another tenant of the machine), pooled with its neighbours rather than followed.
  // (Latency and IOPS of one run move together, so only the IOPS are pooled: the latency rows stay as
  // measured and the host time takes up the difference, so the model keeps N / IOPS per I/O exactly.)
  const iops = monotone(unique.map((p) => p.iops));
  const clat_ns: number[][] = [];
  const host_ns: number[] = [];
  unique.forEach((p, r) => {
    const cycle = (p.job.iodepth * 1e9) / iops[r]!;
    const row = trimmedTail(histogramQuantiles(p.bins, FITTED_PROBABILITIES), p.bins);
    const mean = quantileMean(row);
    // A latency above the whole time per I/O (a pooled depth) is scaled down to it: the host time is never negative.
    clat_ns.push(mean > cycle ? row.map((v) => Math.round((v * cycle) / mean)) : row);
    host_ns.push(Math.max(0, Math.round(cycle - mean)));
  });
  const path: FittedPath = { depths, host_ns, clat_ns, clat_ns_per_kib: 0, host_ns_per_kib: 0 };
  const size_scale = fitSizeScale(points, direction, path, FITTED_PROBABILITIES, REFERENCE_BYTES);
  return size_scale ? { ...path, size_scale } : path;
}

/** The `fitted` profile's parameters from a sweep. */
export function fitFitted(points: readonly SweepPoint[], capacity_bytes: number): FittedParams {
  const read = fitPath(points, 'read');
  const write = fitPath(points, 'write');
  const mix = fitMixScale(points, read, write, FITTED_PROBABILITIES, REFERENCE_BYTES);
  return {
    kind: 'fitted',
    capacity: `${capacity_bytes}`,
    reference_size: `${REFERENCE_BYTES}`,
    probabilities: [...FITTED_PROBABILITIES],
    read: mix ? { ...read, mix_scale: mix.read } : read,
    write: mix ? { ...write, mix_scale: mix.write } : write,
  };
}

/** What the fitted tables predict for a closed loop of one direction, without running the model. */
export function predictClosedLoop(
  params: FittedParams,
  direction: 'read' | 'write',
  depth: number,
  bytes = REFERENCE_BYTES,
): { iops: number; p99_ns: number } {
  const table = new PathTable(params[direction], params.probabilities, REFERENCE_BYTES);
  return { iops: (depth * 1e9) / table.meanCycle(depth, bytes), p99_ns: table.clatTime(depth, bytes, 0.99) };
}

/** One depth left out of the fit and predicted from the others. */
export interface CrossValidationRow {
  readonly job: string;
  readonly direction: 'read' | 'write';
  readonly iops_error_pct: number;
  readonly clat_p99_error_pct: number;
}

/**
 * Leave-one-depth-out: for every 4K random job between the shallowest and the deepest of its direction,
 * fit without it and predict it from the rows either side.
 */
export function crossValidate(points: readonly SweepPoint[], capacity_bytes: number): CrossValidationRow[] {
  const out: CrossValidationRow[] = [];
  for (const direction of ['read', 'write'] as const) {
    const rw = direction === 'read' ? 'randread' : 'randwrite';
    const own = points.filter((p) => p.job.rw === rw && p.direction === direction && p.job.bs_bytes === REFERENCE_BYTES);
    const depths = own.map((p) => p.job.iodepth);
    const [lo, hi] = [Math.min(...depths), Math.max(...depths)];
    for (const left of own) {
      if (left.job.iodepth === lo || left.job.iodepth === hi) continue;
      const params = fitFitted(
        points.filter((p) => p !== left),
        capacity_bytes,
      );
      const predicted = predictClosedLoop(params, direction, left.job.iodepth);
      out.push({
        job: left.job.name,
        direction,
        iops_error_pct: ((predicted.iops - left.iops) / left.iops) * 100,
        clat_p99_error_pct: ((predicted.p99_ns - left.clat_p99_ns) / left.clat_p99_ns) * 100,
      });
    }
  }
  return out;
}

/** The profile file: the tables, and under `sources` how they were made and every measurement of the sweep. */
export function fittedProfileYaml(
  params: FittedParams,
  points: readonly SweepPoint[],
  meta: { filename: string; host: string; date: string; fioVersion: string },
): string {
  const doc = {
    kind: 'fitted',
    name: `calibrated on ${meta.host}: ${meta.filename}`,
    description: `fitted device by anvil calibrate: read and write paths at QD ${params.read.depths.join(', ')}; per depth, host time per I/O and completion-latency quantiles`,
    capacity: params.capacity,
    reference_size: params.reference_size,
    probabilities: params.probabilities,
    read: { ...params.read, clat_ns: params.read.clat_ns.map((row) => row.map(Math.round)) },
    write: { ...params.write, clat_ns: params.write.clat_ns.map((row) => row.map(Math.round)) },
    sources: sweepSources(
      'measured: anvil calibrate --target host (libaio, direct=1, time_based); per direction and depth, clat quantiles from fio histogram, host time = depth / IOPS - mean clat; size factors from the 16K-128K random jobs, mix factors from the 50/50 mixes (latency ratio to the 4K row, host time the rest)',
      meta,
      points,
    ),
  };
  // Lists of numbers on one line each: a row of quantiles reads as a row.
  const yaml = new Document(doc);
  visit(yaml, {
    Seq(_, node) {
      if (node.items.every((item) => isScalar(item))) node.flow = true;
    },
  });
  return `# Device profile fitted by anvil calibrate; the figures under sources.measurements are what it was fitted to.\n${yaml.toString({ lineWidth: 0 })}`;
}

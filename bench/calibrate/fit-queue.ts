/**
 * Fitting a `queue` device profile (c servers, one FIFO, a service-time distribution) to a sweep.
 * With no think time, a closed loop of N I/Os on c servers completes min(N, c)/S per second exactly
 * (every I/O is in service or waiting, never idle), S the mean service time. So:
 * - the shape of the service-time distribution is the measured completion-latency histogram at queue
 *   depth 1 (empirical: fio's buckets and counts), scaled by a factor k;
 * - c and k are fitted to the 4K random-read IOPS of every depth, least squares on log IOPS: for each
 *   c the best k has a closed form, and the c with the smallest residual wins. k > 1 is the per-I/O
 *   time the host spends outside the device's completion latency (fio, the kernel), which a closed
 *   loop of the model otherwise lacks.
 * A `queue` device has one distribution for reads and writes and none of an SSD's internals: the fit
 * is to 4K random reads, and the other jobs of the sweep stay in the profile as measurements.
 */
import { stringify } from 'yaml';
import { AnvilError } from '../../platform/errors.js';
import { sweepSources, type SweepPoint } from './sweep.js';

/** The fitted parameters. */
export interface QueueFit {
  readonly servers: number;
  /** Factor applied to the QD1 latency histogram's values. */
  readonly scale: number;
  /** Mean service time, ns (the QD1 histogram's mean times `scale`). */
  readonly service_mean_ns: number;
  /** Mean completion latency measured at QD1, ns. */
  readonly qd1_clat_mean_ns: number;
  readonly values_ns: number[];
  readonly weights: number[];
  /** Random-read IOPS the fit was saturated on. */
  readonly saturation_iops: number;
}

/** Merges buckets beyond `max` entries into their neighbours (the schema takes a plain list; a profile stays readable). */
function coarsen(values: number[], weights: number[], max: number): { values: number[]; weights: number[] } {
  if (values.length <= max) return { values, weights };
  const step = Math.ceil(values.length / max);
  const v: number[] = [];
  const w: number[] = [];
  for (let i = 0; i < values.length; i += step) {
    let sw = 0;
    let sv = 0;
    for (let j = i; j < Math.min(i + step, values.length); j++) {
      sw += weights[j]!;
      sv += weights[j]! * values[j]!;
    }
    if (sw > 0) {
      v.push(Math.round(sv / sw));
      w.push(sw);
    }
  }
  return { values: v, weights: w };
}

/**
 * The servers c (1..256) and scale k minimizing sum over depths of (log predicted - log measured)^2,
 * predicted = min(N, c) / (k * S1). For fixed c the best log k is the mean of log(min(N, c) / (S1 * iops)).
 */
export function fitServers(
  points: readonly { depth: number; iops: number }[],
  s1_ns: number,
): { servers: number; scale: number; residual: number } {
  let best = { servers: 1, scale: 1, residual: Infinity };
  for (let c = 1; c <= 256; c++) {
    const logs = points.map((p) => Math.log((Math.min(p.depth, c) * 1e9) / (s1_ns * p.iops)));
    const logK = logs.reduce((a, b) => a + b, 0) / logs.length;
    const residual = logs.reduce((a, l) => a + (l - logK) ** 2, 0);
    if (residual < best.residual - 1e-12) best = { servers: c, scale: Math.exp(logK), residual };
  }
  return best;
}

export function fitQueue(points: readonly SweepPoint[]): QueueFit {
  const reads = points.filter((p) => p.job.rw === 'randread' && p.direction === 'read' && p.job.bs_bytes === 4096);
  const qd1 = reads.find((p) => p.job.iodepth === 1);
  if (!qd1 || Object.keys(qd1.bins).length === 0)
    throw new AnvilError(
      'ANVIL_ERR_CALIBRATION',
      'the sweep has no 4K random read at queue depth 1 with completions; check that fio can read the --filename path',
    );
  const entries = Object.entries(qd1.bins)
    .map(([v, n]) => [Number(v), n] as const)
    .sort((a, b) => a[0] - b[0]);
  const total = entries.reduce((a, [, n]) => a + n, 0);
  const mean = entries.reduce((a, [v, n]) => a + v * n, 0) / total;
  const { values, weights } = coarsen(
    entries.map(([v]) => v),
    entries.map(([, n]) => n),
    400,
  );
  const saturation = Math.max(...reads.map((p) => p.iops));
  const { servers, scale } = fitServers(
    reads.map((p) => ({ depth: p.job.iodepth, iops: p.iops })),
    mean,
  );
  return {
    servers,
    scale,
    service_mean_ns: mean * scale,
    values_ns: values.map((v) => Math.max(1, Math.round(v * scale))),
    weights,
    saturation_iops: saturation,
    qd1_clat_mean_ns: mean,
  };
}

/** The profile file: the fit, and under `sources` how it was made and every measurement of the sweep. */
export function queueProfileYaml(
  fit: QueueFit,
  points: readonly SweepPoint[],
  meta: { filename: string; host: string; date: string; fioVersion: string; capacity_bytes: number },
): string {
  const doc = {
    kind: 'queue',
    name: `calibrated on ${meta.host}: ${meta.filename}`,
    description: `queue device fitted by anvil calibrate to 4K random reads at QD 1-64: service time = the QD1 completion-latency histogram (mean ${(fit.qd1_clat_mean_ns / 1000).toFixed(1)} us) scaled by ${fit.scale.toFixed(3)} (mean ${(fit.service_mean_ns / 1000).toFixed(1)} us), ${fit.servers} servers; least squares on log IOPS`,
    servers: fit.servers,
    service: { dist: 'empirical', values: fit.values_ns.map((v) => `${v}ns`), weights: fit.weights },
    capacity: `${meta.capacity_bytes}`,
    sources: sweepSources(
      'measured: anvil calibrate --target host (libaio, direct=1, time_based); servers and scale by least squares on log 4K randread IOPS over QD 1-64',
      meta,
      points,
    ),
  };
  return `# Device profile fitted by anvil calibrate; the figures under sources.measurements are what it was fitted to.\n${stringify(doc, { lineWidth: 0 })}`;
}

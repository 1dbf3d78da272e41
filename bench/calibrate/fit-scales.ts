/**
 * The `fitted` profile's factors for other sizes and for mixes, read off the sweep's size and mix jobs
 * against the 4K pure-direction rows (fit-fitted.ts). Each grid point is a closed form of one
 * measurement, as the rows are: its p99 over the row's gives the tail factor, the body factor then makes
 * the mean latency the measured one, and the host time takes up the rest of the measured time per I/O
 * (depth / IOPS), so the model reproduces each size and mix job's IOPS, mean latency and p99. The host
 * time is stored as what it adds to the row's, over the row's whole time per I/O: a ratio to the row's
 * host time alone would blow up where that is near 0 (a depth whose pooled IOPS left it none).
 * - Sizes: random jobs of one direction at sizes above 4K, a grid of sizes x depths.
 * - Mixes: 4K random mixes, a grid of read fractions x depths; one extra host time for both directions
 *   (a mix's host time is not measured per direction), a latency factor per direction.
 * A grid point missing from the sweep (no completions) takes the nearest depth measured at that size or fraction.
 */
import type { FittedMixScale, FittedPath, FittedSizeScale } from '../../sim/devices/fitted/fitted-schema.js';
import { PathTable } from '../../sim/devices/fitted/path-table.js';
import type { SweepPoint } from './sweep.js';

const round = (factor: number) => Math.round(factor * 10_000) / 10_000;
const ascending = (values: number[]) => [...new Set(values)].sort((a, b) => a - b);

/** Of `points` (one axis value), the one at `depth`, else the nearest on log depth. */
function nearest<T extends { job: { iodepth: number } }>(points: readonly T[], depth: number): T | undefined {
  let best: T | undefined;
  for (const p of points) if (!best || Math.abs(Math.log(p.job.iodepth / depth)) < Math.abs(Math.log(best.job.iodepth / depth))) best = p;
  return best;
}

/** Size factors of one direction's path, or undefined when the sweep has no random job of it above `reference_bytes`. */
export function fitSizeScale(
  points: readonly SweepPoint[],
  direction: 'read' | 'write',
  base: FittedPath,
  probabilities: readonly number[],
  reference_bytes: number,
): FittedSizeScale | undefined {
  const rw = direction === 'read' ? 'randread' : 'randwrite';
  const own = points.filter((p) => p.job.rw === rw && p.direction === direction && p.job.bs_bytes > reference_bytes && p.iops > 0);
  if (own.length === 0) return undefined;
  const table = new PathTable(base, probabilities, reference_bytes);
  const sizes = ascending(own.map((p) => p.job.bs_bytes));
  const depths = ascending(own.map((p) => p.job.iodepth));
  const host: number[][] = [];
  const clat: number[][] = [];
  const clat_tail: number[][] = [];
  for (const size of sizes) {
    const atSize = own.filter((p) => p.job.bs_bytes === size);
    const row = depths.map((depth) => {
      const p = nearest(atSize, depth)!;
      const n = p.job.iodepth;
      const latency = latencyFactors(p, table, n, reference_bytes);
      const cycle = (n * 1e9) / p.iops;
      const refHost = table.hostTime(n, reference_bytes);
      const host = Math.max(0, cycle - latency.mean);
      // The latency alone longer than the time per I/O: scaled to fit it (the host time is never negative).
      const fit = latency.mean > cycle ? cycle / latency.mean : 1;
      return { host: (host - refHost) / table.meanCycle(n, reference_bytes), clat: latency.body * fit, tail: latency.tail * fit };
    });
    host.push(row.map((f) => round(f.host)));
    clat.push(row.map((f) => round(f.clat)));
    clat_tail.push(row.map((f) => round(f.tail)));
  }
  return { sizes, depths, host, clat, clat_tail };
}

/**
 * The body and tail factors that take the reference row at `depth` to measurement `p`: the tail to its
 * p99, the body to its mean latency (never negative: a tail that alone exceeds the mean leaves the body
 * at 0); `mean` is the model's mean latency with them.
 */
function latencyFactors(p: SweepPoint, table: PathTable, depth: number, reference_bytes: number) {
  const refP99 = table.clatTime(depth, reference_bytes, 0.99);
  const [refBody, refTail] = table.referenceMeanParts(depth);
  const tail = refP99 > 0 ? p.clat_p99_ns / refP99 : 1;
  const body = refBody > 0 ? Math.max(0, (p.clat_mean_ns - tail * refTail) / refBody) : tail;
  return { body, tail, mean: body * refBody + tail * refTail };
}

/** Mix factors of the read and the write path, or undefined when the sweep has no 4K random mix. */
export function fitMixScale(
  points: readonly SweepPoint[],
  read: FittedPath,
  write: FittedPath,
  probabilities: readonly number[],
  reference_bytes: number,
): { read: FittedMixScale; write: FittedMixScale } | undefined {
  const mixes = points.filter(
    (p) =>
      p.job.rw === 'randrw' &&
      p.job.bs_bytes === reference_bytes &&
      p.job.rwmixread !== undefined &&
      p.job.rwmixread > 0 &&
      p.job.rwmixread < 100,
  );
  // A mix point needs both directions measured.
  const jobs = [...new Set(mixes.map((p) => p.job))].flatMap((job) => {
    const r = mixes.find((p) => p.job === job && p.direction === 'read' && p.iops > 0);
    const w = mixes.find((p) => p.job === job && p.direction === 'write' && p.iops > 0);
    return r && w ? [{ job, r, w }] : [];
  });
  if (jobs.length === 0) return undefined;
  const tables = { read: new PathTable(read, probabilities, reference_bytes), write: new PathTable(write, probabilities, reference_bytes) };
  const fractions = ascending(jobs.map((j) => j.job.rwmixread!));
  const depths = ascending(jobs.map((j) => j.job.iodepth));
  const grid = {
    host: [] as number[][],
    read: [] as number[][],
    readTail: [] as number[][],
    write: [] as number[][],
    writeTail: [] as number[][],
  };
  for (const fraction of fractions) {
    const atFraction = jobs.filter((j) => j.job.rwmixread === fraction);
    const row = depths.map((depth) => {
      const { job, r, w } = nearest(atFraction, depth)!;
      const n = job.iodepth;
      const total = r.iops + w.iops;
      const f = r.iops / total; // the measured share: the weights of the mean time per I/O
      const cycle = (n * 1e9) / total;
      const readLatency = latencyFactors(r, tables.read, n, reference_bytes);
      const writeLatency = latencyFactors(w, tables.write, n, reference_bytes);
      const latency = f * readLatency.mean + (1 - f) * writeLatency.mean;
      const refHost = f * tables.read.hostTime(n, reference_bytes) + (1 - f) * tables.write.hostTime(n, reference_bytes);
      const refCycle = f * tables.read.meanCycle(n, reference_bytes) + (1 - f) * tables.write.meanCycle(n, reference_bytes);
      // The latencies alone longer than the time per I/O: scaled to fit it (the host time is never negative).
      const fit = latency > cycle ? cycle / latency : 1;
      // One extra host time for both directions, as a fraction of each one's 4K time per I/O: their mix is what was measured.
      return { host: (Math.max(0, cycle - latency) - refHost) / refCycle, read: readLatency, write: writeLatency, fit };
    });
    grid.host.push(row.map((x) => round(x.host)));
    grid.read.push(row.map((x) => round(x.read.body * x.fit)));
    grid.readTail.push(row.map((x) => round(x.read.tail * x.fit)));
    grid.write.push(row.map((x) => round(x.write.body * x.fit)));
    grid.writeTail.push(row.map((x) => round(x.write.tail * x.fit)));
  }
  const read_fractions = fractions.map((f) => f / 100);
  return {
    read: { read_fractions, depths, host: grid.host, clat: grid.read, clat_tail: grid.readTail },
    write: { read_fractions, depths, host: grid.host.map((row) => [...row]), clat: grid.write, clat_tail: grid.writeTail },
  };
}

/**
 * The `fitted` profile's factors for other sizes and for mixes, read off the sweep's size and mix jobs
 * against the 4K pure-direction rows (fit-fitted.ts). Each grid point is a closed form of one
 * measurement, as the rows are: its completion latency over the row's at that depth gives the latency
 * factor, and the host time takes up the rest of the measured time per I/O (depth / IOPS), so the model
 * reproduces each size and mix job's IOPS exactly and its latency by the 4K row's shape.
 * - Sizes: random jobs of one direction at sizes above 4K, a grid of sizes x depths.
 * - Mixes: 4K random mixes, a grid of read fractions x depths; one host factor for both directions
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
  for (const size of sizes) {
    const atSize = own.filter((p) => p.job.bs_bytes === size);
    const row = depths.map((depth) => {
      const p = nearest(atSize, depth)!;
      const n = p.job.iodepth;
      return split((n * 1e9) / p.iops, p.clat_mean_ns, table.hostTime(n, reference_bytes), table.meanClat(n, reference_bytes));
    });
    host.push(row.map((f) => round(f.host)));
    clat.push(row.map((f) => round(f.clat)));
  }
  return { sizes, depths, host, clat };
}

/**
 * Factors that take a reference I/O (host time `refHost`, mean latency `refClat`) to a measured one
 * (time per I/O `cycle`, mean latency `clat`): the latency's ratio, the host time the rest (never
 * negative: then the latency is scaled down so the two still add to the cycle).
 */
function split(cycle: number, clat: number, refHost: number, refClat: number): { host: number; clat: number } {
  if (!(refClat > 0)) return { host: refHost > 0 ? cycle / refHost : 1, clat: 1 };
  if (!(refHost > 0)) return { host: 1, clat: Math.max(0, cycle - refHost) / refClat };
  const host = Math.max(0, cycle - clat) / refHost;
  return { host, clat: (cycle - host * refHost) / refClat };
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
  const grid = { host: [] as number[][], readClat: [] as number[][], writeClat: [] as number[][] };
  for (const fraction of fractions) {
    const atFraction = jobs.filter((j) => j.job.rwmixread === fraction);
    const row = depths.map((depth) => {
      const { job, r, w } = nearest(atFraction, depth)!;
      const n = job.iodepth;
      const total = r.iops + w.iops;
      const f = r.iops / total; // the measured share: the weights of the mean time per I/O
      const cycle = (n * 1e9) / total;
      const ref = {
        readHost: tables.read.hostTime(n, reference_bytes),
        writeHost: tables.write.hostTime(n, reference_bytes),
        readClat: tables.read.meanClat(n, reference_bytes),
        writeClat: tables.write.meanClat(n, reference_bytes),
      };
      let readClat = ref.readClat > 0 ? r.clat_mean_ns / ref.readClat : 1;
      let writeClat = ref.writeClat > 0 ? w.clat_mean_ns / ref.writeClat : 1;
      const latency = f * readClat * ref.readClat + (1 - f) * writeClat * ref.writeClat;
      const refHost = f * ref.readHost + (1 - f) * ref.writeHost;
      const host = refHost > 0 ? Math.max(0, cycle - latency) / refHost : 1;
      // The latencies alone longer than the cycle (or no host time to scale): they are scaled to fit it.
      const rest = cycle - host * refHost;
      if (latency > 0 && Math.abs(rest - latency) > 1e-6 * cycle) {
        readClat *= Math.max(0, rest) / latency;
        writeClat *= Math.max(0, rest) / latency;
      }
      return { host, readClat, writeClat };
    });
    grid.host.push(row.map((x) => round(x.host)));
    grid.readClat.push(row.map((x) => round(x.readClat)));
    grid.writeClat.push(row.map((x) => round(x.writeClat)));
  }
  const read_fractions = fractions.map((f) => f / 100);
  return {
    read: { read_fractions, depths, host: grid.host, clat: grid.readClat },
    write: { read_fractions, depths, host: grid.host.map((row) => [...row]), clat: grid.writeClat },
  };
}

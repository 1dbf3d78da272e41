/**
 * What a sweep's summary page draws, read from its merged table (sweep.arrow): each point's IOPS (every
 * job and direction that did I/O, summed) and p99 completion latency (the worst of them), then for each
 * axis one series per combination of the other axes (seeds averaged), and each series' knee: the point of
 * most IOPS per p99 latency (Kleinrock's power, throughput over delay), past which more load buys latency
 * faster than throughput.
 */
import { readFileSync } from 'node:fs';
import { tableFromIPC } from 'apache-arrow';

export type AxisValue = string | number;

export interface PointSummary {
  readonly point: number;
  /** One value per axis, in the table's order. */
  readonly values: readonly AxisValue[];
  readonly seed: number;
  readonly iops: number;
  readonly p99_ns: number;
}

export interface SweepSummary {
  readonly name: string;
  readonly axes: readonly string[];
  readonly points: readonly PointSummary[];
}

export interface SeriesPoint {
  /** The other axes' values, e.g. "bs=4k, numjobs=1", or "all" when there are none. */
  readonly series: string;
  readonly x: AxisValue;
  readonly iops: number;
  readonly p99_ms: number;
}

/** The points of a merged table (the bytes of sweep.arrow). */
export function sweepSummary(bytes: Uint8Array): SweepSummary {
  const table = tableFromIPC(bytes);
  const names = table.schema.fields.map((f) => f.name);
  // A scenario sweep's points ran on each stack of the scenario: the stack is one more axis, never summed over.
  const axes = [...names.slice(1, names.indexOf('seed')), ...(names.includes('stack') ? ['stack'] : [])];
  const byPoint = new Map<string, { point: number; values: AxisValue[]; seed: number; iops: number; p99_ns: number }>();
  for (const row of table.toArray() as Record<string, unknown>[]) {
    const point = Number(row.point);
    const key = `${point}\u0000${String(row.stack ?? '')}`;
    let p = byPoint.get(key);
    if (!p) {
      p = { point, values: axes.map((a) => row[a] as AxisValue), seed: Number(row.seed), iops: 0, p99_ns: 0 };
      byPoint.set(key, p);
    }
    if (Number(row.total_ios) <= 0) continue;
    p.iops += Number(row.iops);
    p.p99_ns = Math.max(p.p99_ns, Number(row.clat_p99_ns));
  }
  // Rows come in point order (merge.ts), so the map's order is the sweep's.
  const points = [...byPoint.values()];
  return { name: table.schema.metadata.get('sweep') ?? 'sweep', axes, points };
}

/** The readings along axis `axis`: one series per combination of the other axes, seeds averaged, in sweep order. */
export function axisSeries(summary: SweepSummary, axis: number): SeriesPoint[] {
  const groups = new Map<string, { series: string; x: AxisValue; iops: number[]; p99: number[] }>();
  // An axis of one value tells no series apart.
  const varies = summary.axes.map((_, i) => new Set(summary.points.map((p) => String(p.values[i]))).size > 1);
  for (const p of summary.points) {
    const others = summary.axes.map((a, i) => (i === axis || !varies[i] ? '' : `${a}=${p.values[i]}`)).filter((s) => s !== '');
    const series = others.length > 0 ? others.join(', ') : 'all';
    const key = `${series}\u0000${p.values[axis]}`;
    const g = groups.get(key) ?? { series, x: p.values[axis]!, iops: [], p99: [] };
    g.iops.push(p.iops);
    g.p99.push(p.p99_ns);
    groups.set(key, g);
  }
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  return [...groups.values()].map((g) => ({ series: g.series, x: g.x, iops: mean(g.iops), p99_ms: mean(g.p99) / 1e6 }));
}

/** Each series' knee (at least three readings, latency above zero): the reading of most IOPS per p99. */
export function knees(series: readonly SeriesPoint[]): SeriesPoint[] {
  const bySeries = new Map<string, SeriesPoint[]>();
  for (const s of series) bySeries.set(s.series, [...(bySeries.get(s.series) ?? []), s]);
  const out: SeriesPoint[] = [];
  for (const readings of bySeries.values()) {
    const usable = readings.filter((r) => r.p99_ms > 0);
    if (usable.length < 3) continue;
    out.push(usable.reduce((best, r) => (r.iops / r.p99_ms > best.iops / best.p99_ms ? r : best)));
  }
  return out;
}

/** The summary of the merged table at `file`. */
export function readSweepSummary(file: string): SweepSummary {
  return sweepSummary(readFileSync(file));
}

/**
 * The merged table's columns other than the axes: its own (point, seed), the columns of a point's
 * jobs.arrow, and a scenario run's label columns (stack, pod, volume, tenant, node). An axis by one of these names would write a second column of that name
 * (and readers find the axes between `point` and `seed`), so plan.ts refuses them as axis names.
 * Apart from merge.ts so plan.ts need not import the merge (no import cycle).
 */
export const MERGED_TABLE_COLUMNS: readonly string[] = [
  'point',
  'seed',
  'stack',
  'pod',
  'volume',
  'tenant',
  'node',
  'job',
  'clones',
  'direction',
  'runtime_ns',
  'total_ios',
  'io_bytes',
  'iops',
  'bw_bytes',
  'clat_mean_ns',
  'clat_stddev_ns',
  'clat_p50_ns',
  'clat_p99_ns',
  'clat_p999_ns',
  'clat_p9999_ns',
  'lat_mean_ns',
];

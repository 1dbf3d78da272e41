/**
 * A network measurement as results: one JSON document (the figures, the lab, and iperf3's own JSON)
 * and Arrow tables in the style of the storage results: `net_intervals.arrow` (one row per interval and
 * client: bits per second, bytes, retransmits) and `rtt_histogram.arrow` (fio's latency buckets).
 */
import { columnTableIpc, type ColumnSpec } from '../results/column-table.js';
import { FIO_DEFAULT_PERCENTILES, BUCKETS, bucketLow, bucketValue, bucketWidth } from '../../sim/measure/latency-histogram.js';
import { percentileKey } from '../results/fio-json.js';
import { RESULT_SCHEMA_VERSION } from '../results/arrow-tables.js';
import { formatDuration } from '../../sim/core/units.js';
import type { NetMeasurement } from './run-net.js';
import type { RttResult } from './rtt.js';

/** The result document, JSON-ready. */
/** RTT figures in fio's style: ns, N, min, max, mean, stddev and percentiles. */
function rttJson(r: RttResult): Record<string, unknown> {
  const h = r.histogram;
  return {
    from: r.from,
    to: r.to,
    sent: r.sent,
    N: h.n,
    min: h.n > 0 ? h.min_ns : 0,
    max: h.max_ns,
    mean: h.mean_ns,
    stddev: h.stddev_ns,
    percentile: Object.fromEntries(FIO_DEFAULT_PERCENTILES.map((p) => [percentileKey(p), h.percentile(p)])),
  };
}

export function netDocument(m: NetMeasurement, meta: { version: string; timestamp_s: number }): Record<string, unknown> {
  return {
    anvil: { version: meta.version, schema_version: RESULT_SCHEMA_VERSION, target: 'host', kind: 'net', timestamp: meta.timestamp_s },
    spec: m.spec,
    lab: m.lab,
    throughput: {
      protocol: m.spec.protocol,
      streams_per_client: m.spec.parallel,
      received_bps: m.throughput.reduce((a, t) => a + t.received_bps, 0),
      retransmits: m.throughput.reduce((a, t) => a + t.retransmits, 0),
      clients: m.throughput.map((t) => ({
        endpoint: t.endpoint,
        received_bps: t.received_bps,
        sent_bps: t.sent_bps,
        retransmits: t.retransmits,
        lost_percent: t.lost_percent,
        intervals: t.rows,
      })),
    },
    ...(m.rtt ? { rtt_ns: rttJson(m.rtt) } : {}),
    ...(m.rttPairs && m.rttPairs.length > 0 ? { rtt_pairs_ns: m.rttPairs.map(rttJson) } : {}),
    ...(m.rttLoaded ? { rtt_loaded_ns: rttJson(m.rttLoaded) } : {}),
    iperf3: m.throughput.map((t) => t.iperf3),
  };
}

/** The text summary. */
export function netText(m: NetMeasurement): string {
  const lines = [
    `anvil net run: ${m.lab.endpoints.length} endpoints on a ${m.lab.topology}${m.spec.rate_bps ? `, each limited to ${(m.spec.rate_bps / 1e6).toFixed(0)} Mbit/s (tc ${m.spec.rateQdisc})` : ''}`,
  ];
  const otherPairs = (m.rttPairs ?? []).filter((r) => r !== m.rtt);
  for (const [label, r] of [['rtt', m.rtt], ...otherPairs.map((p) => ['rtt', p] as const), ['rtt under load', m.rttLoaded]] as const) {
    if (!r) continue;
    const h = r.histogram;
    lines.push(
      `  ${label} ${r.from}->${r.to}: ${h.n}/${r.sent} replies, min ${formatDuration(h.min_ns)}, mean ${formatDuration(h.mean_ns)}, p50 ${formatDuration(h.percentile(50))}, p99 ${formatDuration(h.percentile(99))}, max ${formatDuration(h.max_ns)}`,
    );
  }
  for (const t of m.throughput) {
    const extra = m.spec.protocol === 'tcp' ? `${t.retransmits} retransmits` : `${t.lost_percent.toFixed(2)}% lost`;
    lines.push(
      `  ${m.spec.protocol} ${t.endpoint}->0, ${m.spec.parallel} stream${m.spec.parallel > 1 ? 's' : ''}: ${(t.received_bps / 1e6).toFixed(1)} Mbit/s received, ${extra}`,
    );
  }
  return lines.join('\n') + '\n';
}

export function netArrowTables(m: NetMeasurement, meta: { version: string }): Map<string, Uint8Array> {
  const metadata = new Map([
    ['anvil_schema_version', `${RESULT_SCHEMA_VERSION}`],
    ['anvil_version', meta.version],
    ['target', 'host'],
    ['kind', 'net'],
    ['protocol', m.spec.protocol],
    ['rate_bps', `${m.spec.rate_bps ?? 0}`],
    ['rate_qdisc', m.spec.rate_bps !== undefined ? m.spec.rateQdisc : ''],
  ]);
  const rows = m.throughput.flatMap((t) => t.rows);
  const intervals: ColumnSpec[] = [
    { name: 'endpoint', doc: 'client endpoint index (the server is endpoint 0)', values: rows.map((r) => r.endpoint), type: 'i32' },
    { name: 'time_ns', doc: 'end of the interval, ns since the test began', values: rows.map((r) => r.time_ns), type: 'i64' },
    { name: 'interval_ns', doc: 'length of the interval, ns', values: rows.map((r) => r.interval_ns), type: 'i64' },
    { name: 'bytes', doc: 'bytes sent in the interval, all streams', values: rows.map((r) => r.bytes), type: 'i64' },
    { name: 'bits_per_second', doc: 'bits per second over the interval, all streams', values: rows.map((r) => r.bits_per_second) },
    { name: 'retransmits', doc: 'TCP retransmits in the interval (0 for UDP)', values: rows.map((r) => r.retransmits), type: 'i64' },
    { name: 'packets', doc: 'UDP datagrams in the interval (0 for TCP)', values: rows.map((r) => r.packets), type: 'i64' },
  ];
  const measured: [string, RttResult][] = [
    ...(m.rttPairs ?? (m.rtt ? [m.rtt] : [])).map((r) => ['idle', r] as [string, RttResult]),
    ...(m.rttLoaded ? [['loaded', m.rttLoaded] as [string, RttResult]] : []),
  ];
  const rttRows = measured.flatMap(([load, r]) => {
    const h = r.histogram;
    return Array.from({ length: BUCKETS }, (_, i) => i)
      .filter((i) => h.counts[i]! > 0)
      .map((i) => ({ load, from: r.from, to: r.to, i, count: h.counts[i]! }));
  });
  const rtt: ColumnSpec[] = [
    { name: 'load', doc: 'idle (before the throughput test) or loaded (during it)', values: rttRows.map((r) => r.load), utf8: true },
    { name: 'from', doc: 'endpoint index that sent the echoes', values: rttRows.map((r) => r.from), type: 'i32' },
    { name: 'to', doc: 'endpoint index that answered', values: rttRows.map((r) => r.to), type: 'i32' },
    { name: 'bucket_low_ns', doc: 'lowest round-trip time in the bucket, ns', values: rttRows.map((r) => bucketLow(r.i)), type: 'i64' },
    {
      name: 'bucket_high_ns',
      doc: 'first round-trip time above the bucket, ns',
      values: rttRows.map((r) => bucketLow(r.i) + bucketWidth(r.i)),
      type: 'i64',
    },
    {
      name: 'bucket_value_ns',
      doc: "the bucket's value as fio reports bins (midpoint), ns",
      values: rttRows.map((r) => bucketValue(r.i)),
      type: 'i64',
    },
    { name: 'count', doc: 'round trips whose time fell in the bucket', values: rttRows.map((r) => r.count), type: 'i64' },
  ];
  return new Map([
    ['net_intervals.arrow', columnTableIpc(intervals, metadata)],
    ['rtt_histogram.arrow', columnTableIpc(rtt, metadata)],
  ]);
}

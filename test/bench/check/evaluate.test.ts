/**
 * Issue 14, SLA evaluation on results: each limit judged per window on evidence made here row by row, so
 * every figure is known beforehand: IOPS over the run and in the worst interval, tolerance, latency
 * percentiles from merged histograms (and skipped below the samples a percentile needs), outages reported
 * and unreported, tier members judged one by one, ops and the time span of an SLA.
 */
import { describe, expect, it } from 'vitest';
import { evaluateSlas, minSamplesForPercentile, percentileOf, type JudgedSla, type SlaSubject } from '../../../bench/check/evaluate.js';
import type { ResultsEvidence } from '../../../bench/check/results-evidence.js';
import type { ScenarioSla } from '../../../bench/scenario/load.js';

const S = 1e9;

/** An interval row: end (s), pod, direction, I/Os, bytes per I/O. */
type Row = { end: number; pod: string; dir?: 'read' | 'write'; ios: number; bs?: number };
/** A histogram row: end (s), pod, direction, bucket value (ns), count. */
type Bucket = { end: number; pod: string; dir?: 'read' | 'write'; value: number; count: number };

function evidence(rows: readonly Row[], buckets: readonly Bucket[] = [], outages: ResultsEvidence['outages'] = []): ResultsEvidence {
  const tenant = (pod: string) => pod.split('/')[0]!;
  return {
    dir: 'made-here',
    target: 'sim',
    seed: 1,
    intervals: {
      time_ns: Float64Array.from(rows, (r) => r.end * S),
      interval_ns: Float64Array.from(rows, () => S),
      direction: rows.map((r) => r.dir ?? 'read'),
      ios: Float64Array.from(rows, (r) => r.ios),
      bw_bytes: Float64Array.from(rows, (r) => r.ios * (r.bs ?? 4096)),
      labels: new Map([
        ['pod', rows.map((r) => r.pod)],
        ['tenant', rows.map((r) => tenant(r.pod))],
        ['volume', rows.map((r) => `${r.pod}-vol`)],
      ]),
      rows: rows.length,
    },
    histograms: {
      time_ns: Float64Array.from(buckets, (b) => b.end * S),
      interval_ns: Float64Array.from(buckets, () => S),
      direction: buckets.map((b) => b.dir ?? 'read'),
      bucket_value_ns: Float64Array.from(buckets, (b) => b.value),
      count: Float64Array.from(buckets, (b) => b.count),
      labels: new Map([
        ['pod', buckets.map((b) => b.pod)],
        ['tenant', buckets.map((b) => tenant(b.pod))],
        ['volume', buckets.map((b) => `${b.pod}-vol`)],
      ]),
      rows: buckets.length,
    },
    outages,
    flows: [],
  };
}

const pod = (name: string): SlaSubject => ({
  name: `pod ${name}`,
  label: 'pod',
  values: new Set([name]),
  outagePods: new Set([name]),
  outageVolumes: new Set([`${name}-vol`]),
  flowPods: new Set([name]),
  pods: new Set([name]),
});

function judged(sla: Partial<ScenarioSla> & { name: string }, subjects: SlaSubject[], span: [number, number] = [0, 100]): JudgedSla {
  return {
    sla: { ops: 'all', window: 'run', tolerance: 0, ...sla } as ScenarioSla,
    scope: subjects.length === 1 ? subjects[0]!.name : `tier t (${subjects.length} members)`,
    subjects,
    from_ns: span[0] * S,
    until_ns: span[1] * S,
  };
}

/** Pod a/db: 1000, 400, 1000 I/Os in three 1 s intervals; pod a/web: 900 each. */
const threeIntervals = [
  { end: 1, pod: 'a/db', ios: 1000 },
  { end: 2, pod: 'a/db', ios: 400 },
  { end: 3, pod: 'a/db', ios: 1000 },
  { end: 1, pod: 'a/web', ios: 900 },
  { end: 2, pod: 'a/web', ios: 900 },
  { end: 3, pod: 'a/web', ios: 900 },
];

describe('SLA evaluation on results', () => {
  it('judges IOPS over the run and in the worst interval, with the margin and the interval named', () => {
    const sla = judged({ name: 'db-iops', min_iops: 700, window: 'both' }, [pod('a/db')]);
    const [run, interval] = evaluateSlas([sla], evidence(threeIntervals));
    expect(run).toMatchObject({ check: 'min_iops', window: 'run', measured: 800, limit: 700, margin: 100, status: 'pass' });
    expect(run!.margin_fraction).toBeCloseTo(100 / 700, 12);
    expect(interval).toMatchObject({ window: 'interval', measured: 400, margin: -300, status: 'fail' });
    expect(interval!.where).toBe('pod a/db, interval ending at 2.00 s');
  });

  it('lets a figure miss by the tolerance and no more', () => {
    const within = judged({ name: 'x', min_iops: 1000, tolerance: 0.1 }, [pod('a/web')]);
    const beyond = judged({ name: 'y', min_iops: 1000, tolerance: 0.09 }, [pod('a/web')]);
    const [a, b] = evaluateSlas([within, beyond], evidence(threeIntervals));
    expect(a).toMatchObject({ measured: 900, allowed: 900, status: 'pass' });
    expect(b).toMatchObject({ measured: 900, status: 'fail' });
    expect(b!.allowed).toBeCloseTo(910, 9);
  });

  it('judges a tier member by member and reports the worst', () => {
    const sla = judged({ name: 'tier-floor', min_iops: 850, window: 'interval' }, [pod('a/web'), pod('a/db')]);
    const [v] = evaluateSlas([sla], evidence(threeIntervals));
    expect(v).toMatchObject({ measured: 400, status: 'fail', where: 'pod a/db, interval ending at 2.00 s' });
  });

  it('judges only the time span of the SLA', () => {
    const after = judged({ name: 'late', min_iops: 900, window: 'interval' }, [pod('a/db')], [2, 3]);
    const [v] = evaluateSlas([after], evidence(threeIntervals));
    expect(v).toMatchObject({ measured: 1000, status: 'pass' });
  });

  it('counts the I/Os the SLA names: reads, writes or all', () => {
    const rows: Row[] = [
      { end: 1, pod: 'a/db', dir: 'read', ios: 700 },
      { end: 1, pod: 'a/db', dir: 'write', ios: 300 },
    ];
    const [all, reads, writes] = evaluateSlas(
      [
        judged({ name: 'all', min_iops: 1 }, [pod('a/db')]),
        judged({ name: 'r', min_iops: 1, ops: 'read' }, [pod('a/db')]),
        judged({ name: 'w', min_iops: 1, ops: 'write' }, [pod('a/db')]),
      ],
      evidence(rows),
    );
    expect([all!.measured, reads!.measured, writes!.measured]).toEqual([1000, 700, 300]);
  });

  it('takes a percentile from the merged histograms and skips it below the samples it needs', () => {
    // 368 I/Os at 100 us and 4 at 900 us: p99 falls in the slow ones (368 * 0.99 = 368.3 > 368).
    const buckets: Bucket[] = [
      { end: 1, pod: 'a/db', value: 100_000, count: 200 },
      { end: 2, pod: 'a/db', value: 100_000, count: 168 },
      { end: 2, pod: 'a/db', value: 900_000, count: 4 },
    ];
    const sla = judged({ name: 'lat', max_latency_ns: { '99': 500_000, '99.9': 1_000_000 }, window: 'both' }, [pod('a/db')]);
    const verdicts = evaluateSlas([sla], evidence(threeIntervals, buckets));
    const byCheck = Object.fromEntries(verdicts.map((v) => [`${v.check}/${v.window}`, v]));
    expect(byCheck['max_latency_p99/run']).toMatchObject({ measured: 900_000, samples: 372, status: 'fail', margin: -400_000 });
    // Judged, with a word that 3 I/Os above p99 make a loose figure.
    expect(byCheck['max_latency_p99/run']!.note).toBe('only 3 I/Os above p99; 100 or more make the figure firm');
    // p99.9 needs 3,688 I/Os; 372 cannot support it.
    expect(byCheck['max_latency_p99.9/run']).toMatchObject({ measured: null, status: 'skipped' });
    // The note says what gives the run the I/Os: a longer run (each seed's run is judged on its own).
    expect(byCheck['max_latency_p99.9/run']!.note).toBe('p99.9 needs at least 3688 I/Os; 372 completed: run longer to judge it');
    // No single interval holds the 368 I/Os p99 needs: longer intervals would.
    expect(byCheck['max_latency_p99/interval']).toMatchObject({ status: 'skipped' });
    expect(byCheck['max_latency_p99/interval']!.note).toBe(
      'no interval has the 368 I/Os p99 needs: make the intervals longer (or judge the whole run) to judge it',
    );
  });

  it('gives an outage from the run report and from intervals without a completed I/O', () => {
    const stalled: Row[] = [
      { end: 1, pod: 'a/db', ios: 10 },
      { end: 2, pod: 'a/db', ios: 0 },
      { end: 3, pod: 'a/db', ios: 0 },
      { end: 4, pod: 'a/db', ios: 10 },
    ];
    const sla = judged({ name: 'up', max_outage_ns: 0.5 * S }, [pod('a/db')]);
    const [fromIntervals] = evaluateSlas([sla], evidence(stalled));
    expect(fromIntervals).toMatchObject({ measured: 2 * S, status: 'fail', where: 'pod a/db, no I/O completed from 1.00 s' });
    const reported = evidence(threeIntervals, [], [{ kind: 'volume', name: 'a/db-vol', from_ns: 0.5 * S, to_ns: 0.8 * S }]);
    const [fromReport] = evaluateSlas([sla], reported);
    expect(fromReport).toMatchObject({ status: 'pass', where: 'volume a/db-vol, out from 500 ms' });
    expect(fromReport!.measured).toBeCloseTo(0.3 * S, 3);
  });

  it('counts admitted pods over the whole scope: a refusal owed is a check that fails when the pod was admitted', () => {
    const placed: ResultsEvidence = {
      ...evidence(threeIntervals),
      pods: [
        { name: 'a/db', state: 'running' },
        { name: 'a/web', state: 'pending', reason: 'perf-tier admission (storage IOPS): 10 of 100 guaranteeable IOPS free' },
      ],
    };
    const refused = judged({ name: 'web-refused', max_admitted_pods: 0 }, [pod('a/web')]);
    const wronglyRefused = judged({ name: 'db-refused', max_admitted_pods: 0 }, [pod('a/db')]);
    const both = judged({ name: 'both-admitted', min_admitted_pods: 2 }, [pod('a/web'), pod('a/db')]);
    const [a, b, c] = evaluateSlas([refused, wronglyRefused, both], placed);
    expect(a).toMatchObject({ check: 'max_admitted_pods', unit: 'pods', measured: 0, limit: 0, status: 'pass' });
    expect(a!.where).toBe('none admitted; pending a/web (perf-tier admission (storage IOPS): 10 of 100 guaranteeable IOPS free)');
    expect(b).toMatchObject({ measured: 1, margin: -1, status: 'fail', where: 'admitted a/db' });
    expect(c).toMatchObject({ check: 'min_admitted_pods', measured: 1, limit: 2, status: 'fail' });
    // Results that say nothing of placement (a hardware run) leave the check unjudged.
    const [d] = evaluateSlas([refused], evidence(threeIntervals));
    expect(d).toMatchObject({ status: 'skipped', measured: null });
  });

  it('finds the minimum samples of a percentile from p^n <= 0.025, and percentiles the way fio reports them', () => {
    expect([minSamplesForPercentile(99), minSamplesForPercentile(99.9), minSamplesForPercentile(50)]).toEqual([368, 3688, 6]);
    const counts = new Map([
      [300, 1],
      [100, 98],
      [200, 1],
    ]);
    expect(percentileOf(counts, 98)).toEqual({ value: 100, n: 100 });
    expect(percentileOf(counts, 99)).toEqual({ value: 200, n: 100 });
    expect(percentileOf(counts, 99.5)).toEqual({ value: 300, n: 100 });
  });
});

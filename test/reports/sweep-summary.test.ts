/** A sweep's summary page (issue 21): IOPS and p99 against each axis, one series per other axes' values, the knee marked. */
import { describe, expect, it } from 'vitest';
import { summaryPageHtml } from '../../reports/sweep/summary-page.js';
import { axisSeries, knees, type SweepSummary } from '../../reports/sweep/sweep-series.js';

/** Queue depth against a drive that saturates at 600k 4k IOPS (300k 8k): latency flat, then rising with the queue. */
function saturating(qd: number, bs: string): { iops: number; p99_ns: number } {
  const iops = Math.min(qd * 10_000, bs === '8k' ? 300_000 : 600_000);
  return { iops, p99_ns: Math.max(100_000, (qd / iops) * 1e9 * 1.5) };
}

const QDS = [1, 4, 16, 64, 256];
const SUMMARY: SweepSummary = {
  name: 'qd<&>',
  axes: ['iodepth', 'bs', 'numjobs'],
  points: QDS.flatMap((qd) => ['4k', '8k'].map((bs) => [qd, bs] as const)).flatMap(([qd, bs], i) =>
    [1, 2].map((seed, j) => ({ point: i * 2 + j, values: [qd, bs, 1], seed, ...saturating(qd, bs) })),
  ),
};

describe('sweep summary', () => {
  it('draws one series per value of the axes that vary, seeds averaged', () => {
    const series = axisSeries(SUMMARY, 0);
    expect([...new Set(series.map((s) => s.series))]).toEqual(['bs=4k', 'bs=8k']);
    expect(series.filter((s) => s.series === 'bs=4k').map((s) => s.x)).toEqual(QDS);
    expect(series.find((s) => s.series === 'bs=4k' && s.x === 16)!.iops).toBe(160_000);
  });

  it('marks as knee the reading of most IOPS per p99 latency', () => {
    const series = axisSeries(SUMMARY, 0);
    const found = knees(series);
    for (const k of found) {
      const same = series.filter((s) => s.series === k.series);
      for (const s of same) expect(k.iops / k.p99_ms).toBeGreaterThanOrEqual(s.iops / s.p99_ms);
    }
    // 4k saturates at queue depth 60, 8k at 30: the knee is the last reading before latency climbs fast.
    expect(found.map((k) => [k.series, k.x])).toEqual([
      ['bs=4k', 64],
      ['bs=8k', 16],
    ]);
    expect(knees(series.slice(0, 4))).toEqual([]); // two readings a series: no knee
  });

  it('renders a chart of IOPS and one of p99 for each axis with more than one value, names escaped', () => {
    const html = summaryPageHtml(SUMMARY);
    expect(html.match(/<h2>[^<]*<\/h2>/g)).toEqual(['<h2>iodepth</h2>', '<h2>bs</h2>', '<h2>Points</h2>']);
    expect(html.match(/<svg/g)?.length).toBeGreaterThanOrEqual(4);
    expect(html).toContain('knee iodepth=64');
    expect(html).toContain('Sweep qd&#60;&#38;&#62;');
    expect(html).not.toContain('qd<&>');
  });
});

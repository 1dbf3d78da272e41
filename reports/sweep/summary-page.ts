/**
 * A sweep's summary page (summary.html beside sweep.arrow): for each axis with more than one value, IOPS
 * and p99 latency against it (Observable Plot, SVG rendered here, the knee of each series marked), then the
 * points as a table. Self-contained and the same for the same merged table, so a local run and a merge of
 * its shards write the same page.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Plot, renderPlot } from '../charts/plot-svg.js';
import { axisSeries, knees, readSweepSummary, type SeriesPoint, type SweepSummary } from './sweep-series.js';

/** The page's file name in a sweep's folder. */
export const SUMMARY_PAGE = 'summary.html';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** One chart of `y` against the axis, a line per series, the knees ringed and labelled. */
function axisChart(axis: string, series: readonly SeriesPoint[], y: 'iops' | 'p99_ms'): string {
  const numeric = series.every((s) => typeof s.x === 'number');
  const xs = series.map((s) => Number(s.x));
  const log = numeric && Math.min(...xs) > 0 && Math.max(...xs) / Math.min(...xs) >= 16;
  const kneePoints = knees(series);
  const many = new Set(series.map((s) => s.series)).size > 1;
  return renderPlot({
    width: 520,
    height: 300,
    marginLeft: 64,
    x: numeric ? { label: axis, type: log ? 'log' : 'linear' } : { label: axis, type: 'point' },
    y: { grid: true, zero: y === 'iops', label: y === 'iops' ? 'IOPS' : 'p99 completion latency (ms)' },
    ...(many ? { color: { legend: true, scheme: 'tableau10' as const } } : {}),
    marks: [
      // z named: a zipped sweep's series may hold one reading each, which Plot would otherwise warn of.
      Plot.line(series as SeriesPoint[], { x: 'x', y, z: many ? 'series' : null, stroke: many ? 'series' : 'steelblue', strokeWidth: 2 }),
      Plot.dot(series as SeriesPoint[], { x: 'x', y, fill: many ? 'series' : 'steelblue', r: 3 }),
      Plot.dot(kneePoints, { x: 'x', y, r: 8, stroke: 'black', strokeWidth: 1.5, fill: 'none' }),
      Plot.text(kneePoints, { x: 'x', y, text: (d: SeriesPoint) => `knee ${axis}=${d.x}`, dy: -16, fontWeight: 'bold' }),
    ],
  });
}

function pointsTable(summary: SweepSummary): string {
  const head = [...summary.axes, 'seed', 'IOPS', 'p99 (ms)'].map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const rows = summary.points
    .map((p) => {
      const cells = [...p.values.map(String), String(p.seed), p.iops.toFixed(0), (p.p99_ns / 1e6).toFixed(3)];
      return `<tr>${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`;
    })
    .join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

/** The page's HTML for `summary`. */
export function summaryPageHtml(summary: SweepSummary): string {
  const sections = summary.axes
    .map((axis, i) => ({ axis, series: axisSeries(summary, i) }))
    .filter(({ series }) => new Set(series.map((s) => String(s.x))).size > 1)
    .map(({ axis, series }) => {
      const kneeText = knees(series)
        .map((k) => `${escapeHtml(k.series)}: ${escapeHtml(axis)}=${escapeHtml(String(k.x))}`)
        .join('; ');
      return `<section><h2>${escapeHtml(axis)}</h2><p>Knee (most IOPS per p99): ${kneeText || 'fewer than three readings'}</p><div class="charts">${axisChart(axis, series, 'iops')}${axisChart(axis, series, 'p99_ms')}</div></section>`;
    });
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sweep ${escapeHtml(summary.name)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px}.charts{display:flex;flex-wrap:wrap;gap:1em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}</style>
</head><body>
<h1>Sweep ${escapeHtml(summary.name)}</h1>
<p>${summary.points.length} points; IOPS is every job and direction summed, p99 the worst direction's completion latency.</p>
${sections.join('\n')}
<h2>Points</h2>
${pointsTable(summary)}
</body></html>
`;
}

/** Writes summary.html beside the merged table `table` in `dir`. */
export function writeSummaryPage(dir: string, table: string): string {
  const file = join(dir, SUMMARY_PAGE);
  writeFileSync(file, summaryPageHtml(readSweepSummary(table)));
  return file;
}

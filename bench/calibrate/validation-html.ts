/**
 * The validation report as one self-contained HTML page: measured against predicted IOPS and p99
 * latency per job (Observable Plot, rendered to SVG on the server with jsdom), the error of each
 * figure, and the table of every number. No script runs in the page.
 */
import * as Plot from '@observablehq/plot';
import { JSDOM } from 'jsdom';
import type { ValidationRow } from './validate.js';

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export function validationHtml(rows: readonly ValidationRow[], meta: { profile: string; filename: string; version: string }): string {
  const { document } = new JSDOM('').window;
  const label = (r: ValidationRow) => `${r.job}${r.direction === 'write' ? ' (write)' : ''}`;
  const long = rows.flatMap((r) => [
    { job: label(r), source: 'measured', iops: r.measured_iops, p99_us: r.measured_clat_p99_ns / 1000 },
    { job: label(r), source: 'predicted', iops: r.predicted_iops, p99_us: r.predicted_clat_p99_ns / 1000 },
  ]);
  const bars = (y: 'iops' | 'p99_us', title: string) =>
    Plot.plot({
      document,
      title,
      marginBottom: 80,
      // SI ticks ("1.2M", "400k") keep the axis narrow whatever the drive does.
      marginLeft: 50,
      x: { label: null, tickRotate: -20 },
      fx: { label: null },
      y: { grid: true, nice: true, label: title, tickFormat: '~s' },
      color: { legend: true, domain: ['measured', 'predicted'] },
      marks: [Plot.barY(long, { fx: 'job', x: 'source', y, fill: 'source' }), Plot.ruleY([0])],
    }).outerHTML;
  const errors = rows.flatMap((r) => [
    { job: label(r), figure: 'IOPS', error: r.iops_error_pct },
    { job: label(r), figure: 'mean latency', error: r.clat_mean_error_pct },
    { job: label(r), figure: 'p99 latency', error: r.clat_p99_error_pct },
  ]);
  const errorChart = Plot.plot({
    document,
    title: 'error, percent ((predicted - measured) / measured)',
    // Room for the longest job name at Plot's 10 px font (about 6.5 px a character), at least what short names need.
    marginLeft: Math.max(80, Math.ceil(6.5 * Math.max(0, ...errors.map((e) => e.job.length))) + 12),
    x: { grid: true, label: 'error (%)' },
    y: { label: null },
    color: { legend: true },
    marks: [Plot.dot(errors, { x: 'error', y: 'job', fill: 'figure', r: 5 }), Plot.ruleX([0])],
  }).outerHTML;
  const cells = (r: ValidationRow) =>
    [
      label(r),
      r.measured_iops.toFixed(0),
      r.predicted_iops.toFixed(0),
      r.iops_error_pct.toFixed(1),
      (r.measured_clat_mean_ns / 1000).toFixed(1),
      (r.predicted_clat_mean_ns / 1000).toFixed(1),
      r.clat_mean_error_pct.toFixed(1),
      (r.measured_clat_p99_ns / 1000).toFixed(1),
      (r.predicted_clat_p99_ns / 1000).toFixed(1),
      r.clat_p99_error_pct.toFixed(1),
    ]
      .map((c) => `<td>${escape(c)}</td>`)
      .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Anvil validation: ${escape(meta.profile)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}td,th{padding:.2em .6em;border-bottom:1px solid #ddd;text-align:right}td:first-child,th:first-child{text-align:left}.chart{margin:1.5em 0}</style>
</head><body>
<h1>Model against hardware</h1>
<p>Profile <code>${escape(meta.profile)}</code> against fio on <code>${escape(meta.filename)}</code> (anvil ${escape(meta.version)}). MQSim's published accuracy: 3-5% error at QD1 on synthetic workloads, 6-18% on traces.</p>
<div class="chart">${bars('iops', 'IOPS')}</div>
<div class="chart">${bars('p99_us', 'p99 completion latency (us)')}</div>
<div class="chart">${errorChart}</div>
<table><thead><tr><th>job</th><th>IOPS measured</th><th>predicted</th><th>error %</th><th>mean us measured</th><th>predicted</th><th>error %</th><th>p99 us measured</th><th>predicted</th><th>error %</th></tr></thead>
<tbody>${rows.map((r) => `<tr>${cells(r)}</tr>`).join('\n')}</tbody></table>
</body></html>
`;
}

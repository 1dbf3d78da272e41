/**
 * The validation report as one self-contained HTML page: measured against predicted IOPS and p99
 * latency per job (the chart functions of reports/charts/validation.ts, rendered to SVG by the reports' renderPlot), the error of each
 * figure, and the table of every number. No script runs in the page.
 */
import { renderPlot } from '../charts/plot-svg.js';
import { validationBarsChart, validationErrorChart, validationLabel as label } from '../charts/validation.js';
import type { ValidationRow } from '../../bench/calibrate/validate.js';

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export function validationHtml(rows: readonly ValidationRow[], meta: { profile: string; filename: string; version: string }): string {
  const bars = (y: 'iops' | 'p99_us', title: string) => renderPlot(validationBarsChart(rows, y, title));
  const errorChart = renderPlot(validationErrorChart(rows));
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

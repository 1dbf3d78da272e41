/**
 * A comparison with a baseline as one self-contained HTML page (anvil compare --out, anvil check
 * --baseline --out): what was compared, the verdict table, and three charts rendered to SVG on the
 * server (reports/charts/comparison.ts). No script runs in the page, and nothing in it depends on when
 * it was written: the same inputs give the same bytes.
 */
import type { StackComparison } from '../../bench/check/baseline-report.js';
import { changeText } from '../../bench/check/baseline-report.js';
import type { CompareFigures } from '../../bench/check/compare-figures.js';
import { formatFigure } from '../../bench/check/verdict-report.js';
import { changeForestChart, intervalP99Chart, latencyCdfChart } from '../charts/comparison.js';
import { renderPlot } from '../charts/plot-svg.js';

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export interface ComparePage {
  readonly baseline: string;
  readonly current: string;
  readonly version: string;
  readonly compared: readonly StackComparison[];
  readonly figures: CompareFigures;
}

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 24px; color: #222; max-width: 1100px; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.regression { color: #b00; font-weight: bold; } td.inconclusive { color: #b60; }
div.chart { margin: 12px 0 24px; overflow-x: auto; }
p.empty { color: #666; }
`;

function table(compared: readonly StackComparison[]): string {
  const rows = compared.flatMap((s) =>
    s.comparisons.map((c) => {
      const cells = [
        escape(s.stack === '-' ? s.key : `${s.key} ${s.stack}`),
        escape(c.sla),
        escape(c.check),
        c.baseline === null ? '-' : escape(formatFigure(c.baseline, c.unit)),
        c.current === null ? '-' : escape(formatFigure(c.current, c.unit)),
        escape(changeText(c)),
        `${c.check.startsWith('min_') ? '-' : '+'}${(c.tolerance * 100).toFixed(0)}%`,
        c.p_holm === null ? '-' : c.p_holm.toPrecision(2),
      ];
      const numeric = new Set([3, 4, 5, 6, 7]);
      const tds = cells.map((x, i) => `<td${numeric.has(i) ? ' class="num"' : ''}>${x}</td>`).join('');
      const note = c.note === undefined ? '' : ` title="${escape(c.note)}"`;
      return `<tr>${tds}<td class="${c.verdict}"${note}>${c.verdict}</td></tr>`;
    }),
  );
  const head = ['scenario', 'SLA or job', 'statistic', 'baseline', 'current', 'change [CI]', 'tolerance', 'p (Holm)', 'verdict'];
  return `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function chart(title: string, draw: () => string, empty: boolean): string {
  return `<h2>${escape(title)}</h2>\n<div class="chart">${empty ? '<p class="empty">nothing to draw: no check of this kind was compared</p>' : draw()}</div>`;
}

/** The page, as a string. */
export function compareHtml(page: ComparePage): string {
  const f = page.figures;
  const counts = new Map<string, number>();
  for (const c of page.compared.flatMap((s) => s.comparisons)) counts.set(c.verdict, (counts.get(c.verdict) ?? 0) + 1);
  const summary = [...counts].map(([v, n]) => `${n} ${v}`).join(', ');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Anvil comparison</title><style>${STYLE}</style></head>
<body>
<h1>Comparison against the baseline</h1>
<p>baseline <code>${escape(page.baseline)}</code>, current <code>${escape(page.current)}</code>; anvil ${escape(page.version)}.
Paired block bootstrap over seeds and intervals, Holm across each scenario's checks: ${escape(summary || 'nothing compared')}.</p>
${table(page.compared)}
${chart('Latency CDFs', () => renderPlot(latencyCdfChart(f.cdf)), f.cdf.length === 0)}
${chart('p99 per interval', () => renderPlot(intervalP99Chart(f.intervals, f.bands)), f.intervals.length === 0)}
${chart('Changes with their confidence intervals', () => renderPlot(changeForestChart(f.forest, f.confidence)), f.forest.length === 0)}
</body></html>
`;
}

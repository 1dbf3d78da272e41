/**
 * The report as one self-contained HTML file: inline CSS, charts as inline SVG, no script, no font, no
 * image or link outside the file. Deterministic: the same analysis gives the same bytes.
 */
import { costBarsChart } from '../charts/cost-bars.js';
import { cumulativeCostChart } from '../charts/cumulative-cost.js';
import { npvHeadline, npvHeadlines } from './npv-headline.js';
import { formatUsd, renderPlot } from '../charts/plot-svg.js';
import { tornadoChart } from '../charts/tornado.js';
import { CATEGORIES, CATEGORY_LABELS } from '../tco/cashflow.js';
import { costByYearAndCategory_usd } from '../tco/finance.js';
import { CONSTRAINTS } from '../tco/sizing.js';
import type { TcoAnalysis } from '../tco/tco.js';
import { serverConfig } from '../tco/scenario-schema.js';
import { CONSTRAINT_LABELS, categoryTotals, stackLabel } from './report-data.js';
import { firstPageHtml, type HtmlMeta } from './first-page.js';
import { REPORT_CSS } from './report-style.js';

export type { HtmlMeta } from './first-page.js';

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function num(x: number, digits = 1): string {
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A figure id with a line-break opportunity after each underscore or dot, so a long id wraps between its parts. */
function breakableId(id: string): string {
  return escapeHtml(id).replace(/([_.])/g, '$1<wbr>');
}

/** Text with a line-break opportunity after each slash of a web address, so a long address wraps between its parts. */
function breakableAddresses(text: string): string {
  return escapeHtml(text).replace(/\S+\.\S+\/\S+/g, (address) => address.replace(/\//g, '/<wbr>'));
}

function table(head: string[], rows: string[][], numeric: Set<number> = new Set(), className?: string, widths?: string[]): string {
  const th = head
    .map((h, i) => `<th${numeric.has(i) ? ' class="n"' : ''}${widths?.[i] ? ` style="width: ${widths[i]}"` : ''}>${h}</th>`)
    .join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td${numeric.has(i) ? ' class="n"' : ''}>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table${className ? ` class="${className}"` : ''}><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** The estimate with every figure at its most likely value, beside the median: a second basis, kept off the summary. */
function mostLikelyTable(a: TcoAnalysis): string {
  const rows = a.point.stacks.map((s) => {
    const headline = npvHeadline(a, s.id);
    return [
      escapeHtml(stackLabel(a, s.id)),
      formatUsd(s.total_usd),
      formatUsd(headline.point_usd),
      formatUsd(headline.median_usd),
      headline.point_position === 'within'
        ? 'within P10 – P90'
        : headline.point_position === 'below-p10'
          ? 'below its P10'
          : 'above its P90',
    ];
  });
  return table(
    ['Stack', 'Total cost, most-likely figures (undiscounted)', 'NPV, most-likely figures', 'NPV, median (P50)', 'Most-likely NPV lies'],
    rows,
    new Set([1, 2, 3]),
    'most-likely',
  );
}

function sizingTable(a: TcoAnalysis): string {
  const rows: string[][] = [];
  for (const s of a.point.stacks) {
    const roles = s.sizing.years[0]!.roles.map((r) => r.role);
    for (const role of roles) {
      const per = s.sizing.years.map((y) => y.roles.find((r) => r.role === role)!);
      const first = per[0]!;
      rows.push([
        escapeHtml(stackLabel(a, s.id)),
        role,
        per.map((r) => r.servers).join(' / '),
        per.map((r) => `<strong>${CONSTRAINT_LABELS[r.binding]}</strong>`).join(' / '),
        ...CONSTRAINTS.filter((c) => c !== 'minimum').map((c) => (first.need[c] === Infinity ? '∞' : num(first.need[c], 2))),
        String(first.need.minimum),
      ]);
    }
  }
  return table(
    [
      'Stack',
      'Servers of role',
      'Servers by year',
      'Binding constraint by year',
      'CPU',
      'Memory',
      'Capacity',
      'IOPS',
      'Network',
      'Minimum',
    ],
    rows,
    new Set([2, 4, 5, 6, 7, 8, 9]),
    'sizing',
  );
}

function driveTable(a: TcoAnalysis): string {
  const rows = a.driveRuns.map((r) => [
    r.kind,
    `${(r.readFraction * 100).toFixed(0)}%`,
    `${num(r.p99Budget_ns / 1e3, 0)} µs`,
    num(r.result.iops, 0),
    `${num(r.result.p99_ns / 1e3, 0)} µs`,
    num(r.result.max_iops, 0),
  ]);
  return table(
    ['Stack kind', 'Drive reads', 'p99 budget for the drive', 'IOPS per drive at the SLA', 'p99 at that rate', 'Drive maximum (QD 256)'],
    rows,
    new Set([1, 2, 3, 4, 5]),
  );
}

function yearlyTable(a: TcoAnalysis): string {
  const rows: string[][] = [];
  for (const s of a.point.stacks) {
    const bands = a.monteCarlo.stacks.find((b) => b.id === s.id)!.years_usd;
    costByYearAndCategory_usd(s.lines, a.scenario.horizon_years).forEach((y, year) => {
      const band = bands[year]!;
      rows.push([
        escapeHtml(stackLabel(a, s.id)),
        String(year + 1),
        ...CATEGORIES.map((c) => formatUsd(y[c])),
        formatUsd(CATEGORIES.reduce((t, c) => t + y[c], 0)),
        `${formatUsd(band.p10)} – ${formatUsd(band.p90)}`,
      ]);
    });
  }
  return table(
    ['Stack', 'Year', ...CATEGORIES.map((c) => escapeHtml(CATEGORY_LABELS[c])), 'Total', 'Total P10 – P90'],
    rows,
    new Set([1, 2, 3, 4, 5, 6, 7, 8, 9]),
    'years',
  );
}

function assumptionsTable(a: TcoAnalysis): string {
  const rows = [...a.catalogue.values()]
    .sort((x, y) => x.file.localeCompare(y.file) || x.id.localeCompare(y.id))
    .map((f) => [
      `<code>${breakableId(f.id)}</code>`,
      escapeHtml(f.description),
      `${num(f.value, f.value % 1 === 0 ? 0 : 3)} ${escapeHtml(f.unit)}`,
      f.range ? `${num(f.range[0], f.range[0] % 1 === 0 ? 0 : 3)} – ${num(f.range[1], f.range[1] % 1 === 0 ? 0 : 3)}` : '—',
      `${f.judgement ? '<span class="judgement">judgement</span>: ' : ''}${f.overridden ? '<strong>scenario override</strong>: ' : ''}${breakableAddresses(f.source)}`,
      String(f.year),
    ]);
  return table(['Figure', 'What', 'Value', 'Range', 'Source', 'Year'], rows, new Set([2, 3]), 'assumptions', [
    '17%',
    '21%',
    '12%',
    '11%',
    '33%',
    '6%',
  ]);
}

function workloadTables(a: TcoAnalysis): string {
  const s = a.scenario;
  const apps = table(
    ['Application', 'Pods', 'Cores per pod', 'Memory per pod', 'Volume per pod', 'Network per pod'],
    s.applications.map((x) => [
      escapeHtml(x.name),
      String(x.replicas),
      num(x.cores, 1),
      `${x.memory_gib} GiB`,
      `${x.storage_gib} GiB`,
      `${x.network_gbit} Gbit/s`,
    ]),
    new Set([1, 2, 3, 4, 5]),
  );
  const dbs = table(
    ['Database', 'Count', 'Instances', 'Cores per instance', 'Memory per instance', 'Data', 'Peak IOPS', 'Reads', 'p99 SLA'],
    s.databases.map((d) => [
      escapeHtml(d.name),
      String(d.count),
      String(d.instances),
      String(d.cores),
      `${d.memory_gib} GiB`,
      `${d.size_tb} TB`,
      num(d.iops, 0),
      `${(d.read_fraction * 100).toFixed(0)}%`,
      `${d.latency_sla_p99_us} µs`,
    ]),
    new Set([1, 2, 3, 4, 5, 6, 7, 8]),
  );
  const n = s.node;
  const d = serverConfig(s, 'db-server');
  const dbText =
    d.cores !== n.cores || d.memory_gib !== n.memory_gib || d.drives !== n.drives || d.nics !== n.nics
      ? ` Database servers kept outside Kubernetes have ${d.cores} cores, ${d.memory_gib} GiB, ${d.drives} drives and ${d.nics} NIC${d.nics > 1 ? 's' : ''}.`
      : '';
  return `${apps}${dbs}<p>Every stack uses the same server: ${n.cores} cores, ${n.memory_gib} GiB, ${n.drives} × ${escapeHtml(a.profile.title)} (${num(a.drives.capacity_tb, 2)} TB each), ${n.nics} dual-port 25 GbE NIC.${dbText} Demand grows ${(s.growth_per_year * 100).toFixed(0)}% a year; sizing plans on ${(s.cpu_utilisation * 100).toFixed(0)}% of cores and keeps ${(s.free_space * 100).toFixed(0)}% of capacity free. Hardware is ${s.financing === 'purchase' ? 'bought' : 'leased'}; space and power are ${s.facility === 'colocation' ? 'colocation' : 'an owned data centre'}.</p>`;
}

const METHOD = [
  "Each stack is sized year by year: servers of each role are the largest of what CPU (with the stack's own overhead: node agents, and on software-defined storage its daemons per drive and its CPU per I/O), memory, capacity (every copy of the data, then free-space headroom), drive IOPS at the latency SLA (reads hit one copy, writes every copy) and network need, and never fewer than the role's minimum or than the year before.",
  "IOPS at the SLA come from Anvil's NVMe model of the drive in steady state (garbage collection running): for each stack, the highest 4 KiB random rate (at that stack's drive read/write mix pooled over the databases, Poisson arrivals) whose p99 latency stays within the strictest database SLA less the latency the stack's own I/O path adds. Model results are cached by a hash of their inputs.",
  "Purchases, one-off licences and one-time effort fall at the start of their year; everything else is spread evenly over the year's months. NPV discounts upfront lines from the start of their year and spread lines from its end (Forrester TEI's convention). Break-even is the first month from which the appliance's cumulative cost stays at or below the alternative's.",
  'A commercial database is licensed per processor (physical cores × core factor, rounded up) on every core it may run on: its own servers when kept outside, every cluster server when containerized. Support is a share of the net licence each year.',
  'Left out: the CPU an overlay network (CNI) costs a DIY stack, the cost of downtime, hardware value left at the end of the horizon (purchases count in full; a lease counts only the payments within the horizon), taxes and depreciation, and revenue from reaching production sooner.',
  'Uncertainty: each figure with a range is drawn from a triangular distribution (low, point value, high) from its own seeded stream; bands are the 10th, 50th and 90th percentiles over the samples. The tornado moves one figure at a time to the ends of its range.',
];

function breakEvenSentence(a: TcoAnalysis): string {
  const parts = a.point.comparisons.map((c) => {
    const when =
      c.breakEvenMonth === null
        ? 'does not break even within the horizon'
        : c.breakEvenMonth === 0
          ? 'costs less from day one'
          : `breaks even in month ${c.breakEvenMonth}`;
    return `against ${stackLabel(a, c.against)} it ${when}`;
  });
  return `Month 0 is the day of purchase. The appliance: ${parts.join('; ')}.`;
}

export function renderHtml(a: TcoAnalysis, meta: HtmlMeta): string {
  const s = a.scenario;
  const labels = s.stacks.map((x) => x.label);
  const categories = CATEGORIES.map((c) => CATEGORY_LABELS[c]);
  const bars = categoryTotals(a).map((r) => ({
    stack: stackLabel(a, r.stack),
    category: CATEGORY_LABELS[r.category],
    cost_usd: r.cost_usd,
  }));
  const months = 12 * s.horizon_years;
  const cumulative = a.point.stacks.flatMap((st) =>
    Array.from(st.cumulative_usd, (v, month) => ({ stack: stackLabel(a, st.id), month, cumulative_usd: v })),
  );
  const appliance = a.point.stacks.find((x) => x.id === a.point.appliance)!;
  const breakEvens = a.point.comparisons
    .filter((c) => c.breakEvenMonth !== null)
    .map((c) => ({
      against: stackLabel(a, c.against),
      month: c.breakEvenMonth!,
      cumulative_usd: appliance.cumulative_usd[c.breakEvenMonth!]!,
    }));
  const tornadoBars = a.tornado.bars
    .filter((b) => b.swing_usd > 0)
    .slice(0, 12)
    .map((b) => ({ label: b.description, atLow_usd: b.atLow_usd, atHigh_usd: b.atHigh_usd }));

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(s.name)}: ${s.horizon_years}-year TCO</title>
<style>${REPORT_CSS}</style>
</head>
<body>
${firstPageHtml(a, meta)}

<h2 id="categories">Cost by category</h2>
<p class="caption">Cost over the horizon, undiscounted, with every figure at its most likely value (the summary's figures are discounted medians).</p>
<figure>${renderPlot(costBarsChart(bars, { stacks: labels, categories }))}</figure>

<h2 id="cumulative">Cumulative cost over ${months} months</h2>
<figure>${renderPlot(cumulativeCostChart(cumulative, { stacks: labels, months, breakEvens }))}</figure>
<p>${escapeHtml(breakEvenSentence(a))}</p>

<h2 id="npv">Net present value with uncertainty</h2>
<p>The summary's chart shows each stack's NPV: the bar is the P10 – P90 range of the samples, the dot their median (P50), the figure the summary and the tables headline; the tick is the estimate with every figure at its most likely value, which this table gives beside the median.</p>
${mostLikelyTable(a)}
${npvHeadlines(a)
  .filter((h) => h.explanation !== null)
  .map((h) => `<p>${escapeHtml(h.explanation!)}.</p>`)
  .join('\n')}

<h2 id="tornado">What moves the answer</h2>
<p>Each bar moves one figure to the low or high end of its range, all others at their point values.</p>
<figure>${renderPlot(tornadoChart(tornadoBars, { base_usd: a.tornado.base_usd, against: stackLabel(a, a.tornado.against) }))}</figure>

<h2 id="sizing">Sizing and binding constraints</h2>
<p>Servers needed by each constraint in year 1 (before rounding up); the binding one decides the count.</p>
${sizingTable(a)}
<h3>Drive IOPS at the latency SLA (NVMe model, ${escapeHtml(a.profile.title)})</h3>
${driveTable(a)}

<h2 id="years">Cost per year</h2>
<p class="caption">Undiscounted; categories and total with every figure at its most likely value, the range over the samples.</p>
${yearlyTable(a)}

<h2 id="workload">Workload</h2>
${workloadTables(a)}

<h2 id="method">Method</h2>
${METHOD.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}

<h2 id="assumptions">Assumptions and sources</h2>
<p>Every figure the method uses. <span class="judgement">Judgement</span> marks figures no public source gives; replace them with the customer's or a vendor's quote (scenario <code>overrides</code>).</p>
${assumptionsTable(a)}
<p class="provenance">Computed by Anvil ${escapeHtml(meta.anvilVersion)} from scenario <code>${escapeHtml(a.scenarioFile)}</code>, seed ${s.seed}, ${a.monteCarlo.samples} Monte Carlo samples; the same scenario, seed and version give the same figures.</p>
</body>
</html>
`;
}

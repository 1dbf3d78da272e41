/**
 * The first page, which stands alone: who the report is for and from and when, the scenario, the
 * executive summary, the headline table and the NPV chart. The full report opens with it; the one-page
 * summary (`--format summary-pdf`) is it alone.
 */
import { npvBandsChart } from '../charts/npv-bands.js';
import { renderPlot } from '../charts/plot-svg.js';
import type { TcoAnalysis } from '../tco/tco.js';
import { longDate, type Branding } from './branding.js';
import { npvHeadline } from './npv-headline.js';
import { stackLabel } from './report-data.js';
import { REPORT_CSS } from './report-style.js';
import { executiveSummaryHtml, headlineTableHtml } from './summary.js';

export interface HtmlMeta {
  readonly anvilVersion: string;
  readonly branding: Branding;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The first lines: logo, title, who it is for and from, and the date; the tool and seed are in the appendix. */
function titleBlock(a: TcoAnalysis, b: Branding): string {
  const s = a.scenario;
  const people = [
    b.customer !== undefined ? `Prepared for <strong class="customer">${escapeHtml(b.customer)}</strong>` : '',
    b.preparedBy !== undefined
      ? `${b.customer !== undefined ? 'by' : 'Prepared by'} <span class="prepared-by">${escapeHtml(b.preparedBy)}</span>`
      : '',
  ]
    .filter(Boolean)
    .join(' ');
  const logo = b.logo ? `<img class="logo" src="${b.logo.dataUri}" alt="${escapeHtml(b.customer ?? b.preparedBy ?? 'logo')}">\n` : '';
  return `<header class="cover">
${logo}<h1>${escapeHtml(s.name)}</h1>
<p class="meta">${s.horizon_years}-year total cost of ownership, ${escapeHtml(s.currency)}.${people ? ` ${people}.` : ''} <time datetime="${b.date}">${longDate(b.date)}</time></p>
</header>`;
}

/** The first page's content (a <section>; print breaks the page after it). */
export function firstPageHtml(a: TcoAnalysis, meta: HtmlMeta): string {
  const s = a.scenario;
  const npv = a.point.stacks.map((st) => {
    const h = npvHeadline(a, st.id);
    return { stack: stackLabel(a, st.id), p10: h.p10_usd, p50: h.median_usd, p90: h.p90_usd, point: h.point_usd };
  });
  return `<section class="first-page">
${titleBlock(a, meta.branding)}
${s.description ? `<p>${escapeHtml(s.description)}</p>` : ''}

<h2 id="summary">Executive summary</h2>
<div class="summary">${executiveSummaryHtml(a)}</div>
${headlineTableHtml(a)}
<figure id="headline-chart">${renderPlot(npvBandsChart(npv, { samples: a.monteCarlo.samples, rowPx: 32 }))}</figure>
<p class="caption">Bar: P10 – P90 of the samples; dot: median (P50); tick: every figure at its most likely value (see “Net present value with uncertainty”).</p>
</section>`;
}

/** The one-page summary as its own HTML document: the first page and where its figures come from. */
export function renderSummaryHtml(a: TcoAnalysis, meta: HtmlMeta): string {
  const s = a.scenario;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(s.name)}: ${s.horizon_years}-year TCO summary</title>
<style>${REPORT_CSS}</style>
</head>
<body class="summary-only">
${firstPageHtml(a, meta)}
<p class="provenance">Computed by Anvil ${escapeHtml(meta.anvilVersion)}, seed ${s.seed}; the full report (tco.html) gives the method, sizing and every assumption with its source.</p>
</body>
</html>
`;
}

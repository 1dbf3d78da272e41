/**
 * The executive summary, read in a minute: one lead paragraph with the headline, at most five short
 * bullets, and the headline table. Every dollar figure on it has one basis, said once: the median (P50)
 * of the Monte Carlo samples of the 3-year NPV (discounted). The saving shown is the difference of the
 * medians shown, so the page agrees with itself; its band is the P10-P90 of the sampled saving. Each
 * figure carries `data-figure` so a test (or a reader's tool) can read it back from the page.
 */
import { formatUsd } from '../charts/plot-svg.js';
import { CATEGORIES, CATEGORY_LABELS } from '../tco/cashflow.js';
import type { TcoAnalysis } from '../tco/tco.js';
import { totalServers } from '../tco/sizing.js';
import { npvHeadline } from './npv-headline.js';
import { categoryTotals, stackLabel } from './report-data.js';

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(0)}%`;
}

/** A figure as shown on the page, tagged with what it is (e.g. "npv-p50:appliance"). */
function figure(id: string, text: string): string {
  return `<span class="fig" data-figure="${escapeText(id)}">${text}</span>`;
}

/** A description inside a sentence: lower-case first letter unless it starts an acronym ("DIY", "NVMe"). */
function sentenceCase(text: string): string {
  return /^[A-Z][A-Z]/.test(text) ? text : text.charAt(0).toLowerCase() + text.slice(1);
}

/** A figure's description without its parenthetical detail ("Platform/SRE engineer, fully loaded (wages x 1.42)" -> "Platform/SRE engineer, fully loaded"). */
function shortDescription(text: string): string {
  return text.replace(/\s*\([^)]*\)/g, '');
}

/** The saving of the appliance against one alternative on the page's basis: difference of the median NPVs, USD. */
export function medianSaving_usd(a: TcoAnalysis, against: string): number {
  return npvHeadline(a, against).median_usd - npvHeadline(a, a.point.appliance).median_usd;
}

/** Alternatives from the closest (smallest saving on the page's basis) to the farthest. */
function alternativesByCloseness(a: TcoAnalysis): string[] {
  return a.point.comparisons.map((c) => c.against).sort((x, y) => medianSaving_usd(a, x) - medianSaving_usd(a, y));
}

/** A P10 – P90 range; `what` is "npv" or "saving", tagged e.g. "npv-p10:appliance". */
function band(what: string, stack: string, p10: number, p90: number): string {
  return `${figure(`${what}-p10:${stack}`, formatUsd(p10))} – ${figure(`${what}-p90:${stack}`, formatUsd(p90))}`;
}

/** The summary's lead paragraph and bullets, as HTML. */
export function executiveSummaryHtml(a: TcoAnalysis): string {
  const s = a.scenario;
  const applianceId = a.point.appliance;
  const appliance = npvHeadline(a, applianceId);
  const [closestId, ...othersIds] = alternativesByCloseness(a);
  const closest = npvHeadline(a, closestId!);
  const closestBands = a.monteCarlo.comparisons.find((c) => c.against === closestId)!;
  const saving = medianSaving_usd(a, closestId!);
  const verb = saving >= 0 ? 'saves' : 'costs';
  const label = (id: string) => escapeText(stackLabel(a, id));

  const lead =
    `Over ${s.horizon_years} years, in today's money, <strong>${label(applianceId)}</strong> costs ` +
    `${figure(`npv-p50:${applianceId}`, formatUsd(appliance.median_usd))} (${band('npv', applianceId, appliance.p10_usd, appliance.p90_usd)}) ` +
    `against ${figure(`npv-p50:${closestId!}`, formatUsd(closest.median_usd))} (${band('npv', closestId!, closest.p10_usd, closest.p90_usd)}) ` +
    `for the closest alternative, ${label(closestId!)}. The appliance ${verb} <strong>${figure(`saving-p50:${closestId!}`, formatUsd(Math.abs(saving)))}</strong>` +
    `${saving >= 0 ? '' : ' more'} (the saving lies in ${band('saving', closestId!, closestBands.npvSavings_usd.p10, closestBands.npvSavings_usd.p90)}) ` +
    `and is the cheaper in ${figure(`cheaper-share:${closestId!}`, percent(closestBands.applianceCheaperShare))} of the samples. ` +
    `<span class="basis">Every dollar figure here is a net present value at a ${percent(s.discount_rate)} discount rate: the median (P50) ` +
    `of ${a.monteCarlo.samples} Monte Carlo samples, with the P10 – P90 range in brackets.</span>`;

  const bullets: string[] = [];
  if (othersIds.length > 0)
    bullets.push(
      `Against the other stacks the appliance ${othersIds
        .map((id) => {
          const v = medianSaving_usd(a, id);
          return `${v >= 0 ? 'saves' : 'costs'} ${figure(`saving-p50:${id}`, formatUsd(Math.abs(v)))}${v >= 0 ? '' : ' more'} (${label(id)})`;
        })
        .join(' and ')}.`,
    );

  // What drives the difference: the categories with the largest gaps to the closest alternative, named
  // without figures (the category totals are not on the page's basis; the cost-by-category chart has them).
  const totals = categoryTotals(a);
  const gap = CATEGORIES.map((c) => ({
    c,
    usd:
      totals.find((t) => t.stack === closestId && t.category === c)!.cost_usd -
      totals.find((t) => t.stack === applianceId && t.category === c)!.cost_usd,
  })).sort((x, y) => Math.abs(y.usd) - Math.abs(x.usd));
  bullets.push(
    `The difference is mostly ${gap
      .slice(0, 2)
      .map((g) => `${CATEGORY_LABELS[g.c].toLowerCase()} (${g.usd >= 0 ? 'lower' : 'higher'} on the appliance)`)
      .join(' and ')}.`,
  );

  bullets.push(
    'Sized from the workload and the NVMe drive model: ' +
      a.point.stacks
        .map((st) => {
          const first = totalServers(st.sizing.years[0]!);
          const last = totalServers(st.sizing.years[st.sizing.years.length - 1]!);
          return `${label(st.id)} ${first}${last !== first ? ` → ${last}` : ''}`;
        })
        .join(', ') +
      ` servers (year 1 → year ${s.horizon_years}).`,
  );

  const top = a.tornado.bars.filter((b) => b.swing_usd > 0).slice(0, 3);
  if (top.length > 0)
    bullets.push(
      `The saving moves most with ${top.map((b) => escapeText(sentenceCase(shortDescription(b.description)))).join('; ')} (see “What moves the answer”).`,
    );

  const judged = [...a.catalogue.values()].filter((f) => f.judgement);
  bullets.push(
    `Caveat: ${judged.length} of the ${a.catalogue.size} cost figures are judgement, not published prices, among them the appliance's ` +
      'price and subscription; replace them with quotes (scenario <code>overrides</code>) before deciding.',
  );

  return `<p class="lead">${lead}</p>\n<ul class="bullets">${bullets.map((b) => `<li>${b}</li>`).join('\n')}</ul>`;
}

/** The headline table: each stack's NPV (median and band) and the appliance's saving against it, same basis as the lead. */
export function headlineTableHtml(a: TcoAnalysis): string {
  const applianceId = a.point.appliance;
  const rows = a.point.stacks.map((st) => {
    const h = npvHeadline(a, st.id);
    const bands = a.monteCarlo.comparisons.find((c) => c.against === st.id);
    const servers = st.sizing.years.map((y) => totalServers(y)).join(' / ');
    const saving = st.id === applianceId ? null : medianSaving_usd(a, st.id);
    const cells = [
      escapeText(stackLabel(a, st.id)),
      servers,
      figure(`npv-p50:${st.id}`, formatUsd(h.median_usd)),
      band('npv', st.id, h.p10_usd, h.p90_usd),
      saving === null ? '—' : figure(`saving-p50:${st.id}`, formatUsd(saving)),
      bands ? band('saving', st.id, bands.npvSavings_usd.p10, bands.npvSavings_usd.p90) : '—',
      bands ? figure(`cheaper-share:${st.id}`, percent(bands.applianceCheaperShare)) : '—',
    ];
    return `<tr>${cells.map((c, i) => `<td${i === 0 ? '' : ' class="n"'}>${c}</td>`).join('')}</tr>`;
  });
  const head = [
    'Stack',
    'Servers by year',
    'NPV (P50)',
    'NPV P10 – P90',
    'Appliance saves (P50)',
    'Saving P10 – P90',
    'Appliance cheaper in',
  ];
  return (
    `<table class="keep headline"><thead><tr>${head.map((h, i) => `<th${i === 0 ? '' : ' class="n"'}>${h}</th>`).join('')}</tr></thead>` +
    `<tbody>\n${rows.join('\n')}\n</tbody></table>`
  );
}

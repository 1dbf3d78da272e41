/**
 * The executive summary in plain words: what each stack costs, what the appliance saves against the
 * closest alternative and how sure that is, when it pays back, what drives the difference, which
 * figures move the answer most, and which figures are judgement to replace with quotes.
 */
import { formatUsd } from '../charts/plot-svg.js';
import { CATEGORIES, CATEGORY_LABELS } from '../tco/cashflow.js';
import type { TcoAnalysis } from '../tco/tco.js';
import { totalServers } from '../tco/sizing.js';
import { npvHeadline, npvHeadlines } from './npv-headline.js';
import { CONSTRAINT_LABELS, categoryTotals, stackLabel } from './report-data.js';

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(0)}%`;
}

/** A description inside a sentence: lower-case first letter unless it starts an acronym ("DIY", "NVMe"). */
function sentenceCase(text: string): string {
  return /^[A-Z][A-Z]/.test(text) ? text : text.charAt(0).toLowerCase() + text.slice(1);
}

function monthText(month: number | null): string {
  if (month === null) return 'does not break even within the horizon';
  if (month === 0) return 'costs less from day one';
  return `breaks even in month ${month}`;
}

/** Paragraphs of plain text (the HTML escapes them). */
export function executiveSummary(a: TcoAnalysis): string[] {
  const s = a.scenario;
  const appliance = a.point.stacks.find((x) => x.id === a.point.appliance)!;
  const alternatives = a.point.comparisons.slice().sort((x, y) => x.npvSavings_usd - y.npvSavings_usd);
  const closest = alternatives[0]!;
  const closestBands = a.monteCarlo.comparisons.find((c) => c.against === closest.against)!;
  const out: string[] = [];

  out.push(
    `Over ${s.horizon_years} years, ${stackLabel(a, appliance.id)} costs ${formatUsd(appliance.total_usd)} ` +
      `with every figure at its most likely value; in today's money at a ${percent(s.discount_rate)} discount rate its expected cost (the P50 of ${a.monteCarlo.samples} samples) is ` +
      `${formatUsd(npvHeadline(a, appliance.id).expected_usd)}, between ${formatUsd(npvHeadline(a, appliance.id).p10_usd)} and ${formatUsd(npvHeadline(a, appliance.id).p90_usd)} in 8 cases out of 10. ` +
      a.point.comparisons
        .map((c) => `${stackLabel(a, c.against)} costs ${formatUsd(a.point.stacks.find((x) => x.id === c.against)!.total_usd)}`)
        .join('; ') +
      '.',
  );
  const outside = npvHeadlines(a).filter((h) => h.explanation !== null);
  if (outside.length > 0) {
    out.push(
      `Why a most-likely estimate can sit outside its own band: ${outside.map((h) => h.explanation).join('. ')}. The tables headline the expected (P50) figure and show the most-likely estimate beside it.`,
    );
  }

  const verb = closest.savings_usd >= 0 ? 'saves' : 'costs';
  out.push(
    `Against the closest alternative, ${stackLabel(a, closest.against)}, the appliance ${verb} ${formatUsd(Math.abs(closest.savings_usd))} ` +
      `(${percent(Math.abs(closest.savings_fraction))}${closest.savings_usd >= 0 ? '' : ' more'}) and ${monthText(closest.breakEvenMonth)}. ` +
      `With every uncertain figure drawn from its range (${a.monteCarlo.samples} samples), the saving in today's money lies between ` +
      `${formatUsd(closestBands.npvSavings_usd.p10)} and ${formatUsd(closestBands.npvSavings_usd.p90)} in 8 cases out of 10, ` +
      `and the appliance is the cheaper in ${percent(closestBands.applianceCheaperShare)} of the samples.`,
  );

  const others = alternatives.slice(1);
  if (others.length > 0) {
    out.push(
      'Against the others: ' +
        others
          .map(
            (c) =>
              `${stackLabel(a, c.against)}, ${c.savings_usd >= 0 ? 'a saving of' : 'an extra cost of'} ${formatUsd(Math.abs(c.savings_usd))} (${percent(Math.abs(c.savings_fraction))}); it ${monthText(c.breakEvenMonth)}`,
          )
          .join('; ') +
        '.',
    );
  }

  // Where the difference comes from: the categories with the largest gaps to the closest alternative.
  const totals = categoryTotals(a);
  const gap = CATEGORIES.map((c) => ({
    c,
    usd:
      totals.find((t) => t.stack === closest.against && t.category === c)!.cost_usd -
      totals.find((t) => t.stack === appliance.id && t.category === c)!.cost_usd,
  })).sort((x, y) => Math.abs(y.usd) - Math.abs(x.usd));
  out.push(
    `Most of the difference comes from ${gap
      .slice(0, 2)
      .map(
        (g) =>
          `${CATEGORY_LABELS[g.c].toLowerCase()} (${g.usd >= 0 ? 'the alternative pays' : 'the appliance pays'} ${formatUsd(Math.abs(g.usd))} more)`,
      )
      .join(' and ')}.`,
  );

  const roleNames = { cluster: 'workers', 'control-plane': 'control plane', 'db-server': 'database servers' } as const;
  out.push(
    'Sizing, from the workload and the drive model: ' +
      a.point.stacks
        .map((st) => {
          const first = st.sizing.years[0]!;
          const last = st.sizing.years[st.sizing.years.length - 1]!;
          const roles = first.roles.map(
            (r) =>
              `${r.servers} ${st.sizing.stack.kind === 'appliance' ? 'appliance nodes' : roleNames[r.role]}, ${r.binding === 'minimum' ? 'the minimum' : `bound by ${CONSTRAINT_LABELS[r.binding]}`}`,
          );
          const growth = totalServers(last) !== totalServers(first) ? `, ${totalServers(last)} by year ${last.year + 1}` : '';
          return `${stackLabel(a, st.id)} needs ${totalServers(first)} servers${growth} (year 1: ${roles.join('; ')})`;
        })
        .join('. ') +
      '.',
  );

  const top = a.tornado.bars.filter((b) => b.swing_usd > 0).slice(0, 3);
  if (top.length > 0) {
    const judgedTop = top.filter((b) => a.catalogue.get(b.figure)?.judgement).length;
    out.push(
      `The figures that move the saving against ${stackLabel(a, a.tornado.against)} most are ${top.map((b) => `${sentenceCase(b.description)} (a swing of ${formatUsd(b.swing_usd)})`).join(', ')}` +
        `; ${judgedTop === 0 ? 'none of them is' : judgedTop === top.length ? `all ${top.length} are` : `${judgedTop} of them ${judgedTop === 1 ? 'is' : 'are'}`} judgement.`,
    );
  }

  const judged = [...a.catalogue.values()].filter((f) => f.judgement);
  out.push(
    `${judged.length} of the ${a.catalogue.size} cost figures are judgement, not published prices (marked in the assumptions table); ` +
      "the appliance's price and subscription are among them and should be replaced by a quote before this report is used to decide.",
  );
  return out;
}

/** Chart functions: behaviour on small data, and snapshots of their SVG with numbers rounded and generated ids renumbered. */
import { describe, expect, it } from 'vitest';
import { costBarsChart as costBarsOptions } from '../../reports/charts/cost-bars.js';
import { cumulativeCostChart as cumulativeCostOptions } from '../../reports/charts/cumulative-cost.js';
import { npvBandsChart as npvBandsOptions } from '../../reports/charts/npv-bands.js';
import { formatUsd, renderPlot, wrapLabel } from '../../reports/charts/plot-svg.js';
import { tornadoChart as tornadoOptions } from '../../reports/charts/tornado.js';
import { normaliseSvg } from './normalise-svg.js';

// The charts are data to Plot options (they run in the dashboard's page too); the report renders them so.
const costBarsChart = (...a: Parameters<typeof costBarsOptions>) => renderPlot(costBarsOptions(...a));
const cumulativeCostChart = (...a: Parameters<typeof cumulativeCostOptions>) => renderPlot(cumulativeCostOptions(...a));
const npvBandsChart = (...a: Parameters<typeof npvBandsOptions>) => renderPlot(npvBandsOptions(...a));
const tornadoChart = (...a: Parameters<typeof tornadoOptions>) => renderPlot(tornadoOptions(...a));

const count = (svg: string, re: RegExp) => (svg.match(re) ?? []).length;

describe('charts (Observable Plot, rendered server-side)', () => {
  const stacks = ['Appliance', 'DIY A', 'DIY B'];
  const categories = ['Hardware', 'Staff'];
  const bars = [
    { stack: 'Appliance', category: 'Hardware', cost_usd: 300000 },
    { stack: 'Appliance', category: 'Staff', cost_usd: 500000 },
    { stack: 'DIY A', category: 'Hardware', cost_usd: 200000 },
    { stack: 'DIY A', category: 'Staff', cost_usd: 1200000 },
    { stack: 'DIY B', category: 'Hardware', cost_usd: 250000 },
    { stack: 'DIY B', category: 'Staff', cost_usd: 900000 },
  ];

  it('stacked cost bars: one rect per stack and category, a legend with every category', async () => {
    const svg = costBarsChart(bars, { stacks, categories });
    expect(svg.startsWith('<figure')).toBe(true);
    expect(count(svg, /<rect x=/g)).toBe(6);
    for (const c of categories) expect(svg).toContain(`</svg>${c}</span>`);
    // The tallest stack (DIY A, 1.4M) sets the axis: a $1.4M tick exists, nothing above $1.5M.
    expect(svg).toContain('$1.4M');
    expect(svg).not.toContain('$1.6M');
    await expect(normaliseSvg(svg)).toMatchFileSnapshot('__snapshots__/cost-bars.svg');
  });

  it('cumulative cost: one line per stack, break-even marked only after month 0', async () => {
    const data = stacks.flatMap((stack, k) =>
      Array.from({ length: 37 }, (_, month) => ({
        stack,
        month,
        cumulative_usd: [400000, 100000, 50000][k]! + month * [10000, 25000, 30000][k]!,
      })),
    );
    const svg = cumulativeCostChart(data, {
      stacks,
      months: 36,
      breakEvens: [
        { against: 'DIY A', month: 20, cumulative_usd: 600000 },
        { against: 'DIY B', month: 0, cumulative_usd: 400000 },
      ],
    });
    expect(count(svg, /<path[^>]*stroke="#[0-9a-f]{6}"[^>]*d="M/g)).toBe(3);
    expect(svg).toContain('break-even vs DIY A: month 20');
    expect(svg).not.toContain('break-even vs DIY B');
    await expect(normaliseSvg(svg)).toMatchFileSnapshot('__snapshots__/cumulative-cost.svg');
  });

  it('NPV bands: a P10-P90 bar, a P50 dot and a point tick per stack', async () => {
    const svg = npvBandsChart(
      [
        { stack: 'Appliance', p10: 0.9e6, p50: 1e6, p90: 1.3e6, point: 1.05e6 },
        { stack: 'DIY A', p10: 2e6, p50: 2.4e6, p90: 3e6, point: 2.3e6 },
      ],
      { samples: 1000 },
    );
    expect(count(svg, /<rect /g)).toBe(2);
    expect(count(svg, /<circle /g)).toBe(2);
    expect(svg).toContain('P10-P90 of 1000 samples');
    await expect(normaliseSvg(svg)).toMatchFileSnapshot('__snapshots__/npv-bands.svg');
  });

  it('tornado: a long label wraps at spaces onto more lines, whole, and its rows grow to hold them', () => {
    const long = 'Integration effort before the appliance reaches production, once (install claimed in 15 minutes; integration remains)';
    const short = tornadoChart([{ label: 'Short figure', atLow_usd: 1, atHigh_usd: 3 }], { base_usd: 2, against: 'DIY' });
    const svg = tornadoChart(
      [
        { label: long, atLow_usd: 1, atHigh_usd: 3 },
        { label: 'Short figure', atLow_usd: 1.5, atHigh_usd: 2.5 },
      ],
      { base_usd: 2, against: 'DIY' },
    );
    expect(svg).not.toContain('…');
    const lines = [...svg.matchAll(/<tspan[^>]*>([^<]*)<\/tspan>/g)].map((m) => m[1]!);
    const start = lines.findIndex((l) => long.startsWith(l));
    const joined = lines.slice(start, start + 3).join(' ');
    expect(joined).toBe(long);
    const height = (s: string) => Number(/height="(\d+)"/.exec(s)![1]);
    // Two rows of three-line labels need more than twice a one-line row.
    expect(height(svg) - 70).toBeGreaterThan(2 * (height(short) - 70));
  });

  it('tornado: two bars per figure from the base, in the given order', async () => {
    const svg = tornadoChart(
      [
        { label: 'Platform engineers', atLow_usd: 200000, atHigh_usd: 1800000 },
        { label: 'Server price', atLow_usd: 900000, atHigh_usd: 1100000 },
      ],
      { base_usd: 1000000, against: 'DIY A' },
    );
    expect(count(svg, /<rect x=/g)).toBe(4);
    expect(svg.indexOf('Platform engineers')).toBeLessThan(svg.indexOf('Server price'));
    await expect(normaliseSvg(svg)).toMatchFileSnapshot('__snapshots__/tornado.svg');
  });

  it('labels: money in k/M, long names wrapped at spaces', () => {
    expect(formatUsd(1234567)).toBe('$1.2M');
    expect(formatUsd(25000000)).toBe('$25M');
    expect(formatUsd(-350000)).toBe('-$350k');
    expect(wrapLabel('DIY K8s + open-source DB outside', 16)).toBe('DIY K8s +\nopen-source DB\noutside');
  });
});

/**
 * What the report shows, computed once from an analysis: labels, per-stack totals by category, sizing
 * rows, the machine-readable document written as tco.json, and the cash-flow rows of the Arrow table.
 */
import { CATEGORIES, CATEGORY_LABELS, type Category } from '../tco/cashflow.js';
import { discountFactor, costByYearAndCategory_usd } from '../tco/finance.js';
import type { TcoAnalysis } from '../tco/tco.js';
import { totalServers, type Constraint } from '../tco/sizing.js';
import { npvHeadline } from './npv-headline.js';
import type { Branding } from './branding.js';

/** Version of tco.json's and the cash-flow table's layout (2: npv_headline.expected_usd renamed median_usd, it is the P50). */
export const TCO_SCHEMA_VERSION = 2;

export const CONSTRAINT_LABELS: Readonly<Record<Constraint, string>> = {
  minimum: 'minimum',
  cpu: 'CPU',
  memory: 'memory',
  capacity: 'capacity',
  iops: 'IOPS at SLA',
  network: 'network',
};

export function stackLabel(a: TcoAnalysis, id: string): string {
  return a.scenario.stacks.find((s) => s.id === id)?.label ?? id;
}

/** Cost over the horizon per category, per stack. */
export function categoryTotals(a: TcoAnalysis): { stack: string; category: Category; cost_usd: number }[] {
  const rows: { stack: string; category: Category; cost_usd: number }[] = [];
  for (const s of a.point.stacks) {
    const years = costByYearAndCategory_usd(s.lines, a.scenario.horizon_years);
    for (const c of CATEGORIES) rows.push({ stack: s.id, category: c, cost_usd: years.reduce((t, y) => t + y[c], 0) });
  }
  return rows;
}

export interface CashFlowRow {
  stack: string;
  stack_label: string;
  year: number;
  category: Category;
  line: string;
  timing: 'upfront' | 'spread';
  cost_usd: number;
  discount_factor: number;
  present_value_usd: number;
}

/** Every cost line of every stack at the point estimate, with its discount factor. */
export function cashFlowRows(a: TcoAnalysis): CashFlowRow[] {
  return a.point.stacks.flatMap((s) =>
    s.lines.map((l) => {
      const factor = discountFactor(l, a.scenario.discount_rate);
      return {
        stack: s.id,
        stack_label: stackLabel(a, s.id),
        year: l.year,
        category: l.category,
        line: l.line,
        timing: l.timing,
        cost_usd: l.cost_usd,
        discount_factor: factor,
        present_value_usd: l.cost_usd * factor,
      };
    }),
  );
}

/** The machine-readable report (tco.json): everything the HTML shows, in base units. */
export function tcoDocument(a: TcoAnalysis, anvilVersion: string, branding?: Branding): object {
  return {
    anvil: { version: anvilVersion, schema_version: TCO_SCHEMA_VERSION, scenario_file: a.scenarioFile, seed: a.scenario.seed },
    ...(branding
      ? {
          report: {
            customer: branding.customer ?? null,
            prepared_by: branding.preparedBy ?? null,
            date: branding.date,
            logo_file: branding.logo?.file ?? null,
          },
        }
      : {}),
    scenario: a.scenario,
    drive: {
      profile: a.profile.name,
      title: a.profile.title,
      capacity_tb: a.drives.capacity_tb,
      sla_runs: a.driveRuns.map((r) => ({
        stack_kind: r.kind,
        read_fraction: r.readFraction,
        p99_budget_ns: r.p99Budget_ns,
        iops_at_sla: r.result.iops,
        p99_ns: r.result.p99_ns,
        max_iops: r.result.max_iops,
      })),
    },
    figures: [...a.catalogue.values()].map((f) => ({
      id: f.id,
      description: f.description,
      value: f.value,
      unit: f.unit,
      range: f.range ?? null,
      source: f.source,
      year: f.year,
      judgement: f.judgement,
      overridden: f.overridden,
    })),
    stacks: a.point.stacks.map((s) => {
      const bands = a.monteCarlo.stacks.find((b) => b.id === s.id)!;
      return {
        id: s.id,
        label: stackLabel(a, s.id),
        kind: s.sizing.stack.kind,
        database: s.sizing.stack.database,
        total_usd: s.total_usd,
        npv_usd: s.npv_usd,
        total_usd_band: bands.total_usd,
        npv_usd_band: bands.npv_usd,
        npv_headline: npvHeadline(a, s.id),
        category_usd_bands: bands.categories_usd,
        year_usd_bands: bands.years_usd,
        by_year: costByYearAndCategory_usd(s.lines, a.scenario.horizon_years).map((y, year) => ({
          year,
          ...Object.fromEntries(CATEGORIES.map((c) => [`${c}_usd`, y[c]])),
        })),
        cumulative_usd_by_month: Array.from(s.cumulative_usd),
        sizing: s.sizing.years.map((y) => ({
          year: y.year,
          servers: totalServers(y),
          roles: y.roles.map((r) => ({
            role: r.role,
            servers: r.servers,
            binding: r.binding,
            need: r.need,
            demand: r.demand,
            per_server: r.perServer,
          })),
        })),
      };
    }),
    comparisons: a.point.comparisons.map((c) => ({
      ...c,
      against_label: stackLabel(a, c.against),
      bands: a.monteCarlo.comparisons.find((b) => b.against === c.against),
    })),
    monte_carlo: { samples: a.monteCarlo.samples, seed: a.monteCarlo.seed, uncertain_figures: a.monteCarlo.uncertain },
    tornado: a.tornado,
    tornadoes: a.tornadoes,
    category_labels: CATEGORY_LABELS,
  };
}

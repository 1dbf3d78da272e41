/** Scenario options that change the money: leasing instead of buying, an owned data centre instead of colocation; and the help text. */
import { describe, expect, it } from 'vitest';
import { leasePayment_usd, stackCashflows } from '../../reports/tco/cashflow.js';
import { scenarioHelp } from '../../reports/tco/scenario-help.js';
import { sizeStack } from '../../reports/tco/sizing.js';
import { DRIVES, figures, reference } from './fixtures.js';

const sum = (lines: { cost_usd: number }[]) => lines.reduce((t, l) => t + l.cost_usd, 0);

describe('financing and facility options', () => {
  it('a lease replaces purchases by yearly annuity payments over the horizon', () => {
    const bought = { ...reference(), growth_per_year: 0 };
    const leased = { ...bought, financing: 'lease' as const };
    const f = figures({ lease_rate_per_year: 0.1 });
    const stack = bought.stacks[0]!;
    const capital = (s: typeof bought) =>
      stackCashflows(sizeStack(stack, s, f, DRIVES), s, f, DRIVES.capacity_tb).filter((l) => l.category === 'capital');
    const purchase = capital(bought);
    expect(purchase.map((l) => [l.year, l.timing])).toEqual([[0, 'upfront']]);
    const lease = capital(leased);
    expect(lease.map((l) => [l.year, l.timing])).toEqual([
      [0, 'spread'],
      [1, 'spread'],
      [2, 'spread'],
    ]);
    for (const l of lease) expect(l.cost_usd).toBeCloseTo(leasePayment_usd(purchase[0]!.cost_usd, 0.1, 3), 6);
    expect(sum(lease)).toBeGreaterThan(sum(purchase)); // interest
  });

  it('an owned data centre pays electricity with PUE and rack space instead of colocation', () => {
    const s = { ...reference(), growth_per_year: 0, facility: 'owned' as const };
    const f = figures({ server_power_w: 500, pue: 1.5, electricity_usd_per_kwh: 0.1, rack_unit_usd_per_month: 100 });
    const sizing = sizeStack(s.stacks[0]!, s, f, DRIVES);
    const servers = sizing.years[0]!.roles[0]!.servers;
    const lines = stackCashflows(sizing, s, f, DRIVES.capacity_tb).filter((l) => l.year === 0 && l.category === 'power_space');
    // servers x 0.5 kW x 1.5 x 8760 h x $0.10, and servers x 1 U x $100 x 12.
    expect(lines.find((l) => l.line.startsWith('Electricity'))!.cost_usd).toBeCloseTo(servers * 0.5 * 1.5 * 8760 * 0.1, 6);
    expect(lines.find((l) => l.line === 'Rack space')!.cost_usd).toBeCloseTo(servers * 1200, 6);
    const colo = stackCashflows(sizing, { ...s, facility: 'colocation' }, f, DRIVES.capacity_tb).filter(
      (l) => l.year === 0 && l.category === 'power_space',
    );
    expect(colo.map((l) => l.line)).toEqual(['Colocation (space, power, cooling)']);
    expect(colo[0]!.cost_usd).toBeCloseTo(servers * 0.5 * f.colocation_usd_per_kw_month * 12, 6);
  });

  it('a commercial DB containerized is licensed on every cluster core (no hard partitioning)', () => {
    const s = { ...reference(), growth_per_year: 0 };
    const f = figures({ commercial_db_discount: 0 });
    const stack = { ...s.stacks[0]!, database: 'commercial' as const };
    const sizing = sizeStack(stack, s, f, DRIVES);
    const servers = sizing.years[0]!.roles[0]!.servers;
    const licence = stackCashflows(sizing, s, f, DRIVES.capacity_tb).find((l) => l.line.startsWith('Commercial database licences'))!;
    expect(licence.cost_usd).toBe(servers * 48 * 0.5 * 47500);
  });

  it('help lists the scenario fields with their defaults, from the schema', () => {
    const help = scenarioHelp();
    expect(help).toContain('horizon_years: years the comparison covers; default 3');
    expect(help).toContain('databases[].latency_sla_p99_us: p99 storage latency');
    expect(help).toContain('stacks[].kind (required)');
  });
});

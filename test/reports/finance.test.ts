import { describe, expect, it } from 'vitest';
import {
  adminFte,
  leasePayment_usd,
  processorLicences,
  serverPrice_usd,
  stackCashflows,
  type CostLine,
} from '../../reports/tco/cashflow.js';
import { breakEvenMonth, cumulativeByMonth_usd, presentValue_usd, costByYearAndCategory_usd } from '../../reports/tco/finance.js';
import type { StackSizing } from '../../reports/tco/sizing.js';
import { figures, reference } from './fixtures.js';

const line = (year: number, timing: 'upfront' | 'spread', cost_usd: number): CostLine => ({
  stack: 's',
  year,
  category: 'capital',
  line: 'x',
  timing,
  cost_usd,
});

describe('TCO arithmetic on hand-computed cases', () => {
  it('NPV: upfront lines at the start of their year, spread lines at its end', () => {
    // 1000 today + 100 at the end of each of three years at 10%: 1000 + 90.909 + 82.645 + 75.131.
    const lines = [line(0, 'upfront', 1000), line(0, 'spread', 100), line(1, 'spread', 100), line(2, 'spread', 100)];
    expect(presentValue_usd(lines, 0.1)).toBeCloseTo(1248.685, 3);
    // An upfront line in year 2 is discounted two years: 121 / 1.21 = 100.
    expect(presentValue_usd([line(2, 'upfront', 121)], 0.1)).toBeCloseTo(100, 9);
    expect(presentValue_usd(lines, 0)).toBe(1300);
  });

  it('cumulative cost: upfront at the month its year starts, spread in twelfths', () => {
    const c = cumulativeByMonth_usd([line(0, 'upfront', 120), line(0, 'spread', 1200), line(1, 'upfront', 60)], 2);
    expect(c.length).toBe(25);
    expect(c[0]).toBe(120);
    expect(c[1]).toBe(220);
    expect(c[12]).toBeCloseTo(1380, 9); // 120 + 1200 + the year-1 purchase on month 12
    expect(c[24]).toBeCloseTo(1380, 9);
  });

  it('break-even month: first month from which the appliance stays at or below the alternative', () => {
    // Appliance 100 up front + 10 a month; alternative 40 + 15 a month: 100 + 10m <= 40 + 15m from m = 12.
    const a = Float64Array.from({ length: 25 }, (_, m) => 100 + 10 * m);
    const x = Float64Array.from({ length: 25 }, (_, m) => 40 + 15 * m);
    expect(breakEvenMonth(a, x)).toBe(12);
    expect(breakEvenMonth(x, a)).toBeNull(); // the other way round it never breaks even
    expect(breakEvenMonth(Float64Array.of(1, 2, 3), Float64Array.of(1, 5, 9))).toBe(0); // never above
    // Crossing back above later: break-even is after the last crossing.
    expect(breakEvenMonth(Float64Array.of(5, 1, 9, 9), Float64Array.of(4, 4, 4, 10))).toBe(3);
  });

  it('core-factor licences: physical cores x factor, rounded up', () => {
    expect(processorLicences(48, 0.5)).toBe(24);
    expect(processorLicences(3, 0.5)).toBe(2);
    expect(processorLicences(192, 0.5)).toBe(96);
    expect(processorLicences(10, 0.25)).toBe(3);
  });

  it('lease: an annuity (1000 over 3 years at 10% is 402.11 a year)', () => {
    expect(leasePayment_usd(1000, 0.1, 3)).toBeCloseTo(402.1148, 4);
    expect(leasePayment_usd(900, 0, 3)).toBe(300);
  });

  it('staff by ratio: 45 servers at 30 per administrator are 1.5 FTE', () => {
    expect(adminFte(45, 30)).toBe(1.5);
  });

  it("a commercial DB outside: licences on the DB servers' cores, 22% support a year, admins by ratio", () => {
    const s = reference();
    const f = figures({ commercial_db_discount: 0.5, servers_per_sysadmin: 10, hw_support_per_year: 0 });
    const stack = s.stacks.find((x) => x.id === 'diy-commercial-db')!;
    const role = (r: 'cluster' | 'control-plane' | 'db-server', servers: number) => ({
      role: r,
      servers,
      binding: 'minimum' as const,
      withDrives: r !== 'control-plane',
      need: {} as never,
      demand: {} as never,
      perServer: {} as never,
    });
    const sizing: StackSizing = {
      stack,
      years: [0, 1, 2].map((year) => ({
        year,
        roles: [role('cluster', 3), role('control-plane', 3), role('db-server', year < 2 ? 4 : 5)],
      })),
    };
    const lines = stackCashflows(sizing, s, f, 4);
    const find = (year: number, text: string) =>
      lines.filter((l) => l.year === year && l.line.startsWith(text)).reduce((t, l) => t + l.cost_usd, 0);
    // 4 database servers x 32 cores x 0.5 = 64 processors x 47,500 x (1 - 0.5); year 2 adds one server: 16 more.
    expect(s.db_server.cores).toBe(32);
    expect(find(0, 'Commercial database licences')).toBe(64 * 47500 * 0.5);
    expect(find(1, 'Commercial database licences')).toBe(0);
    expect(find(2, 'Commercial database licences')).toBe(16 * 47500 * 0.5);
    expect(find(0, 'Commercial database support')).toBeCloseTo(64 * 47500 * 0.5 * 0.22, 6);
    expect(find(2, 'Commercial database support')).toBeCloseTo(80 * 47500 * 0.5 * 0.22, 6);
    // 10 servers at 10 per admin = 1 FTE; 11 in year 2.
    expect(find(0, 'Systems administration')).toBeCloseTo(137000, 6);
    expect(find(2, 'Systems administration')).toBeCloseTo(1.1 * 137000, 6);
    // Servers bought: 3 workers and 3 control-plane servers (no drives) of the node's shape, 4 database servers of their own; 1 more in year 2.
    const worker = serverPrice_usd(s, f, true, 4, 'cluster');
    const bare = serverPrice_usd(s, f, false, 4, 'control-plane');
    const db = serverPrice_usd(s, f, true, 4, 'db-server');
    expect(find(0, 'Servers')).toBeCloseTo(3 * worker + 3 * bare + 4 * db, 6);
    expect(find(2, 'Servers')).toBeCloseTo(db, 6);
    expect(worker - bare).toBeCloseTo(4 * 4 * f.nvme_usd_per_tb, 9);
    // The database server differs only in memory (384 vs 512 GiB).
    expect(worker - db).toBeCloseTo(128 * f.ram_usd_per_gib, 9);
    const byYear = costByYearAndCategory_usd(lines, 3);
    expect(byYear[1]!.capital).toBe(0);
  });
});

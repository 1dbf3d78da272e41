/**
 * The money: per stack and year, every cost line (capital or lease, licences and subscriptions, support,
 * power and space, staff, one-time build and migration). A line is either paid at the start of its year
 * (`upfront`: purchases, one-off licences and effort) or spread evenly over its twelve months (`spread`).
 */
import type { FigureValues } from './figures.js';
import { serverConfig, type Scenario, type StackSpec } from './scenario-schema.js';
import { totalServers, type RoleSizing, type ServerRole, type StackSizing, type YearSizing } from './sizing.js';

export const CATEGORIES = ['capital', 'licences', 'support', 'power_space', 'staff', 'one_time'] as const;
export type Category = (typeof CATEGORIES)[number];

export const CATEGORY_LABELS: Readonly<Record<Category, string>> = {
  capital: 'Hardware (capital or lease)',
  licences: 'Licences and subscriptions',
  support: 'Support',
  power_space: 'Power and space',
  staff: 'Staff',
  one_time: 'Build and migration',
};

export type Timing = 'upfront' | 'spread';

export interface CostLine {
  readonly stack: string;
  /** Year of the horizon, from 0. */
  readonly year: number;
  readonly category: Category;
  /** What the line is, e.g. "Oracle EE licences (24 processors)". */
  readonly line: string;
  readonly timing: Timing;
  readonly cost_usd: number;
}

/** Price of one server of a role: chassis and CPUs, memory, data drives (if any), NICs, optics and switch ports. */
export function serverPrice_usd(
  s: Scenario,
  f: FigureValues,
  withDrives: boolean,
  driveCapacity_tb: number,
  role: ServerRole = 'cluster',
): number {
  const n = serverConfig(s, role);
  const ports = n.nics * 2;
  return (
    f.server_base_usd +
    n.memory_gib * f.ram_usd_per_gib +
    (withDrives ? n.drives * driveCapacity_tb * f.nvme_usd_per_tb : 0) +
    n.nics * f.nic_25g_usd +
    ports * (f.optic_usd_per_port + f.switch_port_25g_usd)
  );
}

/** Oracle-style processor licences for `cores` physical cores: cores x core factor, rounded up. */
export function processorLicences(cores: number, coreFactor: number): number {
  return Math.ceil(cores * coreFactor - 1e-9);
}

/** Yearly payment of a lease of `principal` over `years` at `rate` (an annuity paid at the end of each year's months). */
export function leasePayment_usd(principal: number, rate: number, years: number): number {
  if (rate === 0) return principal / years;
  return (principal * rate) / (1 - (1 + rate) ** -years);
}

/** Staff cost for `servers` at `serversPerAdmin`: fractional FTEs, as a ratio. */
export function adminFte(servers: number, serversPerAdmin: number): number {
  return servers / serversPerAdmin;
}

/** Servers of a role bought this year: the count now less the count a year ago. */
function added(prev: YearSizing | undefined, r: RoleSizing): number {
  const before = prev?.roles.find((p) => p.role === r.role)?.servers ?? 0;
  return r.servers - before;
}

/** Cores on which a commercial database may run: its own servers outside, or every cluster server when containerized (no hard partitioning). */
function databaseCores(y: YearSizing, s: Scenario, stack: StackSpec): number {
  const role = stack.kind === 'diy-db-outside' ? 'db-server' : 'cluster';
  return (y.roles.find((r) => r.role === role)?.servers ?? 0) * serverConfig(s, role).cores;
}

/** Every cost line of one stack over the horizon. */
export function stackCashflows(sizing: StackSizing, s: Scenario, f: FigureValues, driveCapacity_tb: number): CostLine[] {
  const { stack } = sizing;
  const lines: CostLine[] = [];
  const push = (year: number, category: Category, line: string, timing: Timing, cost_usd: number) => {
    if (cost_usd !== 0) lines.push({ stack: stack.id, year, category, line, timing, cost_usd });
  };
  const appliance = stack.kind === 'appliance';
  const databases = s.databases.reduce((n, db) => n + db.count, 0);
  const instances = s.databases.reduce((n, db) => n + db.count * db.instances, 0);
  let hardwareOwned_usd = 0;
  let netLicence_usd = 0;
  let licensedProcessors = 0;
  const leases: { from: number; payment: number }[] = [];

  sizing.years.forEach((y, year) => {
    const prev = year > 0 ? sizing.years[year - 1] : undefined;
    // Hardware bought this year.
    let bought_usd = 0;
    for (const r of y.roles) {
      const price = serverPrice_usd(s, f, r.withDrives, driveCapacity_tb, r.role) * (appliance ? f.appliance_hardware_premium : 1);
      bought_usd += added(prev, r) * price;
    }
    hardwareOwned_usd += bought_usd;
    if (s.financing === 'purchase')
      push(year, 'capital', appliance ? 'Appliance nodes' : 'Servers, NICs, optics, switch ports', 'upfront', bought_usd);
    else {
      if (bought_usd > 0) leases.push({ from: year, payment: leasePayment_usd(bought_usd, f.lease_rate_per_year, s.horizon_years) });
      push(
        year,
        'capital',
        'Hardware lease payments',
        'spread',
        leases.filter((l) => l.from <= year && year < l.from + s.horizon_years).reduce((t, l) => t + l.payment, 0),
      );
    }
    const servers = totalServers(y);
    const cluster = y.roles.find((r) => r.role === 'cluster')!;

    // Licences and subscriptions.
    if (appliance)
      push(
        year,
        'licences',
        'Appliance subscription (software and support)',
        'spread',
        cluster.servers * f.appliance_subscription_usd_per_node_year,
      );
    else
      push(
        year,
        'licences',
        'Kubernetes platform subscription (worker cores)',
        'spread',
        cluster.servers * s.node.cores * f.k8s_subscription_usd_per_core_year,
      );
    if (stack.kind === 'diy-sds')
      push(year, 'licences', 'Software-defined storage licence', 'spread', cluster.servers * f.sds_licence_usd_per_node_year);
    const dbServers = y.roles.find((r) => r.role === 'db-server');
    if (dbServers)
      push(year, 'licences', 'Enterprise Linux on database servers', 'spread', dbServers.servers * f.os_subscription_usd_per_server_year);
    if (stack.database === 'commercial') {
      const processors = processorLicences(databaseCores(y, s, stack), f.oracle_core_factor);
      const newLicences = Math.max(0, processors - licensedProcessors);
      licensedProcessors += newLicences;
      const net = newLicences * f.oracle_ee_usd_per_processor * (1 - f.commercial_db_discount);
      netLicence_usd += net;
      push(year, 'licences', `Commercial database licences (${newLicences} processors)`, 'upfront', net);
      push(year, 'support', 'Commercial database support', 'spread', netLicence_usd * f.oracle_support_per_year);
    } else push(year, 'support', 'Open-source database support', 'spread', instances * f.oss_db_support_usd_per_server_year);

    // Hardware support on everything owned (the appliance's is in its subscription).
    if (!appliance) push(year, 'support', 'Hardware support', 'spread', hardwareOwned_usd * f.hw_support_per_year);

    // Power and space.
    const itLoad_kw = (servers * f.server_power_w) / 1000;
    if (s.facility === 'colocation')
      push(year, 'power_space', 'Colocation (space, power, cooling)', 'spread', itLoad_kw * f.colocation_usd_per_kw_month * 12);
    else {
      push(year, 'power_space', 'Electricity (with PUE)', 'spread', itLoad_kw * f.pue * 8760 * f.electricity_usd_per_kwh);
      push(year, 'power_space', 'Rack space', 'spread', servers * s.node.rack_units * f.rack_unit_usd_per_month * 12);
    }

    // Staff.
    push(year, 'staff', 'Systems administration', 'spread', adminFte(servers, f.servers_per_sysadmin) * f.sysadmin_usd_per_year);
    push(
      year,
      'staff',
      'Platform engineering',
      'spread',
      (appliance ? f.appliance_platform_fte : f.diy_platform_fte) * f.platform_engineer_usd_per_year,
    );
    if (stack.kind === 'diy-sds')
      push(year, 'staff', 'Storage engineering (SDS)', 'spread', f.sds_storage_fte * f.platform_engineer_usd_per_year);
    push(year, 'staff', 'Database administration', 'spread', databases * f.dba_fte_per_database * f.dba_usd_per_year);

    // One-time effort before production.
    if (year === 0) {
      const buildMonths = appliance ? f.appliance_build_person_months : f.diy_build_person_months;
      push(
        0,
        'one_time',
        appliance ? 'Integration before production' : 'DIY build and integration before production',
        'upfront',
        (buildMonths / 12) * f.platform_engineer_usd_per_year,
      );
      if (appliance) push(0, 'one_time', 'Vendor deployment service', 'upfront', f.appliance_deployment_usd);
      push(0, 'one_time', 'Database migration', 'upfront', databases * (f.db_migration_person_months / 12) * f.dba_usd_per_year);
    }
  });
  return lines;
}

/**
 * Sizing from performance: for each stack and year, how many servers of each role it needs. A role's
 * count is the largest of what CPU (with the stack's infrastructure overhead), memory, capacity (after
 * replication and free-space headroom), IOPS at the latency SLA and network need, and never below the
 * role's minimum; the constraint that decides it is the binding one. Counts never shrink from one year
 * to the next (servers bought stay).
 */
import { sdsCpuPerClientWrite_us } from '../../sim/stacks/coefficient-schema.js';
import type { FigureValues } from './figures.js';
import { serverConfig, type DatabaseSpec, type Scenario, type StackKind, type StackSpec } from './scenario-schema.js';

export const CONSTRAINTS = ['minimum', 'cpu', 'memory', 'capacity', 'iops', 'network'] as const;
export type Constraint = (typeof CONSTRAINTS)[number];

/** What one server of a role offers, and what the role's workload demands, in the same units. */
export interface Demand {
  readonly cores: number;
  readonly memory_gib: number;
  readonly capacity_tb: number;
  /** Drive-level I/Os per second (replica writes included). */
  readonly iops: number;
  readonly network_gbit: number;
}

export type ServerRole = 'cluster' | 'control-plane' | 'db-server';

export interface RoleSizing {
  readonly role: ServerRole;
  /** Servers needed by each constraint (fractional, before rounding up); `minimum` is the role's floor. */
  readonly need: Readonly<Record<Constraint, number>>;
  readonly demand: Demand;
  readonly perServer: Demand;
  /** Servers this year (never fewer than the year before). */
  readonly servers: number;
  /** The constraint that decides the count this year (the one needing the most servers). */
  readonly binding: Constraint;
  /** Whether servers hold data drives (control-plane servers do not). */
  readonly withDrives: boolean;
}

export interface YearSizing {
  readonly year: number;
  readonly roles: readonly RoleSizing[];
}

export interface StackSizing {
  readonly stack: StackSpec;
  readonly years: readonly YearSizing[];
}

/** What the drive model says for one stack: IOPS one drive sustains within the stack's latency budget. */
export interface DriveFacts {
  readonly capacity_tb: number;
  /** IOPS per drive at the SLA, by stack kind (from `node-iops.ts`). */
  readonly iopsAtSla: Readonly<Record<StackKind, number>>;
}

const BITS_PER_IO = 4096 * 8;

/** Copies of each database block on drives: one per instance, each multiplied by SDS replication on diy-sds. */
export function dataCopies(kind: StackKind, db: Pick<DatabaseSpec, 'instances'>, f: Pick<FigureValues, 'sds_replication'>): number {
  return kind === 'diy-sds' ? db.instances * f.sds_replication : db.instances;
}

/** Drive-level IOPS of a database: reads hit one copy, writes every copy. */
export function driveIops(db: Pick<DatabaseSpec, 'iops' | 'read_fraction'>, copies: number): { read: number; write: number } {
  return { read: db.iops * db.read_fraction, write: db.iops * (1 - db.read_fraction) * copies };
}

/** Share of drive I/Os that are reads for a stack, pooled over its databases (what the model is asked to run). */
export function driveReadFraction(kind: StackKind, scenario: Scenario, f: FigureValues): number {
  let read = 0;
  let total = 0;
  for (const db of scenario.databases) {
    const io = driveIops(db, dataCopies(kind, db, f));
    read += io.read * db.count;
    total += (io.read + io.write) * db.count;
  }
  return total > 0 ? read / total : 1;
}

/** The strictest SLA of the scenario's databases less what the stack's own I/O path adds, ns. */
export function driveLatencyBudget_ns(kind: StackKind, scenario: Scenario, f: FigureValues): number {
  const sla_us = Math.min(...scenario.databases.map((d) => d.latency_sla_p99_us));
  const path_us = kind === 'appliance' ? f.appliance_io_latency_us : kind === 'diy-sds' ? f.sds_io_latency_us : f.local_io_latency_us;
  return (sla_us - path_us) * 1e3;
}

function zero(): Demand {
  return { cores: 0, memory_gib: 0, capacity_tb: 0, iops: 0, network_gbit: 0 };
}

function add(a: Demand, b: Partial<Demand>): Demand {
  return {
    cores: a.cores + (b.cores ?? 0),
    memory_gib: a.memory_gib + (b.memory_gib ?? 0),
    capacity_tb: a.capacity_tb + (b.capacity_tb ?? 0),
    iops: a.iops + (b.iops ?? 0),
    network_gbit: a.network_gbit + (b.network_gbit ?? 0),
  };
}

/** Applications' demand scaled by the year's `growth` factor; their volumes kept in `copies` copies. */
function applicationDemand(s: Scenario, growth: number, copies: number): Demand {
  let d = zero();
  for (const a of s.applications) {
    d = add(d, {
      cores: a.replicas * a.cores * growth,
      memory_gib: a.replicas * a.memory_gib * growth,
      capacity_tb: ((a.replicas * a.storage_gib * 2 ** 30) / 1e12) * copies * growth,
      network_gbit: a.replicas * a.network_gbit * growth,
    });
  }
  return d;
}

/** Databases' demand (scaled by `growth`) on the servers that hold them: compute per instance, data per copy, drive IOPS, replica traffic. */
function databaseDemand(kind: StackKind, s: Scenario, f: FigureValues, growth: number): Demand {
  let d = zero();
  for (const db of s.databases) {
    const copies = dataCopies(kind, db, f);
    const io = driveIops(db, copies);
    const n = db.count * growth;
    // Every write crosses the network once per copy beyond the first; on SDS reads are remote too.
    const remoteIos = io.write * ((copies - 1) / copies) + (kind === 'diy-sds' ? io.read : 0);
    d = add(d, {
      cores: db.instances * db.cores * n,
      memory_gib: db.instances * db.memory_gib * n,
      capacity_tb: db.size_tb * copies * n,
      iops: (io.read + io.write) * n,
      network_gbit: (remoteIos * BITS_PER_IO * n) / 1e9,
    });
    if (kind === 'diy-sds') {
      // The SDS daemons' CPU per client I/O competes with the applications for the same cores; a client
      // write costs one replica write per copy (the per-core figures of the source count replica writes).
      const clientWrites = db.iops * (1 - db.read_fraction) * db.instances;
      const cpu_us =
        db.iops * db.read_fraction * f.sds_cpu_us_per_client_read +
        clientWrites * sdsCpuPerClientWrite_us(f.sds_replication, f.sds_cpu_us_per_replica_write);
      d = add(d, { cores: (cpu_us / 1e6) * n });
    }
  }
  return d;
}

/** What one server offers for a role of a stack, after the infrastructure's own share. */
function serverOffer(kind: StackKind, role: ServerRole, s: Scenario, f: FigureValues, drives: DriveFacts): Demand {
  const n = serverConfig(s, role);
  const sdsCores = kind === 'diy-sds' ? f.sds_cores_per_drive * n.drives : 0;
  const sdsMemory = kind === 'diy-sds' ? f.sds_memory_gib_per_drive * n.drives : 0;
  const perDrive = drives.iopsAtSla[kind];
  const iops = kind === 'appliance' ? Math.min(perDrive * n.drives, f.appliance_node_iops_cap) : perDrive * n.drives;
  return {
    cores: Math.max(0, n.cores * s.cpu_utilisation - f.node_reserved_cores - sdsCores),
    memory_gib: Math.max(0, n.memory_gib - f.node_reserved_memory_gib - sdsMemory),
    capacity_tb: role === 'control-plane' ? 0 : n.drives * drives.capacity_tb * (1 - s.free_space),
    iops: role === 'control-plane' ? 0 : iops,
    network_gbit: n.nics * 2 * 25 * f.nic_usable_fraction,
  };
}

/** Rounds up, forgiving float noise (2.0000000001 servers is 2). */
function ceilServers(x: number): number {
  return Math.ceil(x - 1e-9);
}

function sizeRole(role: ServerRole, demand: Demand, perServer: Demand, minimum: number, previous: number, withDrives: boolean): RoleSizing {
  const ratio = (need: number, offer: number) => (need <= 0 ? 0 : offer <= 0 ? Infinity : need / offer);
  const need: Record<Constraint, number> = {
    minimum,
    cpu: ratio(demand.cores, perServer.cores),
    memory: ratio(demand.memory_gib, perServer.memory_gib),
    capacity: ratio(demand.capacity_tb, perServer.capacity_tb),
    iops: ratio(demand.iops, perServer.iops),
    network: ratio(demand.network_gbit, perServer.network_gbit),
  };
  // The binding constraint is the one needing the most servers before rounding; the floor binds when nothing needs more.
  let binding: Constraint = 'cpu';
  for (const c of CONSTRAINTS) if (c !== 'minimum' && need[c] > need[binding]) binding = c;
  if (ceilServers(need[binding]) <= minimum) binding = 'minimum';
  const servers = Math.max(previous, ceilServers(need[binding]));
  return { role, need, demand, perServer, servers, binding, withDrives };
}

/** Sizes every stack of the scenario for every year of the horizon. */
export function sizeStacks(s: Scenario, f: FigureValues, drives: DriveFacts): StackSizing[] {
  return s.stacks.map((stack) => sizeStack(stack, s, f, drives));
}

export function sizeStack(stack: StackSpec, s: Scenario, f: FigureValues, drives: DriveFacts): StackSizing {
  const years: YearSizing[] = [];
  let previous = new Map<ServerRole, number>();
  for (let year = 0; year < s.horizon_years; year++) {
    const growth = (1 + s.growth_per_year) ** year;
    const roles: RoleSizing[] = [];
    const prev = (r: ServerRole) => previous.get(r) ?? 0;
    const cluster = (r: ServerRole) => serverOffer(stack.kind, r, s, f, drives);
    if (stack.kind === 'appliance') {
      const demand = add(applicationDemand(s, growth, s.app_volume_copies), databaseDemand('appliance', s, f, growth));
      roles.push(sizeRole('cluster', demand, cluster('cluster'), f.appliance_min_nodes, prev('cluster'), true));
    } else if (stack.kind === 'diy-sds') {
      const demand = add(applicationDemand(s, growth, f.sds_replication), databaseDemand('diy-sds', s, f, growth));
      const minimum = Math.max(f.diy_min_workers, f.sds_replication);
      roles.push(sizeRole('cluster', demand, cluster('cluster'), minimum, prev('cluster'), true));
      roles.push(sizeRole('control-plane', zero(), cluster('control-plane'), f.control_plane_nodes, prev('control-plane'), false));
    } else {
      roles.push(
        sizeRole(
          'cluster',
          applicationDemand(s, growth, s.app_volume_copies),
          cluster('cluster'),
          f.diy_min_workers,
          prev('cluster'),
          true,
        ),
      );
      roles.push(sizeRole('control-plane', zero(), cluster('control-plane'), f.control_plane_nodes, prev('control-plane'), false));
      // Each instance on a server of its own: the floor is every instance of every database.
      const instances = s.databases.reduce((n, db) => n + db.count * db.instances, 0);
      roles.push(
        sizeRole('db-server', databaseDemand('diy-db-outside', s, f, growth), cluster('db-server'), instances, prev('db-server'), true),
      );
    }
    years.push({ year, roles });
    previous = new Map(roles.map((r) => [r.role, r.servers]));
  }
  return { stack, years };
}

/**
 * Pods and database instances that cannot fit on one server of the role that runs them (sizing pools
 * resources, so this is checked apart): one message per misfit, with the scenario path to change.
 */
export function fitProblems(s: Scenario, f: FigureValues, drives: DriveFacts): string[] {
  const problems: string[] = [];
  for (const stack of s.stacks) {
    const cluster = serverOffer(stack.kind, 'cluster', s, f, drives);
    const dbRole: ServerRole = stack.kind === 'diy-db-outside' ? 'db-server' : 'cluster';
    const dbOffer = serverOffer(stack.kind, dbRole, s, f, drives);
    const where = dbRole === 'db-server' ? 'db_server' : 'node';
    s.applications.forEach((a, i) => {
      if (a.cores > cluster.cores || a.memory_gib > cluster.memory_gib) {
        problems.push(
          `/applications/${i}: a pod of ${a.name} (${a.cores} cores, ${a.memory_gib} GiB) does not fit on one ${stack.id} server (${cluster.cores.toFixed(1)} cores, ${cluster.memory_gib} GiB usable); raise node.cores or node.memory_gib`,
        );
      }
    });
    s.databases.forEach((d, i) => {
      if (d.cores > dbOffer.cores || d.memory_gib > dbOffer.memory_gib) {
        problems.push(
          `/databases/${i}: an instance of ${d.name} (${d.cores} cores, ${d.memory_gib} GiB) does not fit on one ${stack.id} server (${dbOffer.cores.toFixed(1)} cores, ${dbOffer.memory_gib} GiB usable); raise ${where}.cores or ${where}.memory_gib`,
        );
      }
    });
  }
  return [...new Set(problems)];
}

/** All servers of a stack in a year. */
export function totalServers(y: YearSizing): number {
  return y.roles.reduce((n, r) => n + r.servers, 0);
}

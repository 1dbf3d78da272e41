/**
 * The TCO scenario's schema: the customer's workload, the server configuration, the horizon and money
 * settings, the stacks to compare and any catalogue figures the customer replaces. One typebox schema
 * gives the type, the validation (every problem with its path), the defaults and the help text.
 */
import { Type, type Static } from '@sinclair/typebox';
import { SEED_MAX } from '../../sim/core/random.js';

// Every number has a maximum far above any real deployment, so that absurd input (1e308) is refused
// with its path and range instead of overflowing the sizing to Infinity (the help prints the ranges).
const Positive = (description: string, maximum: number, extra: object = {}) =>
  Type.Number({ exclusiveMinimum: 0, maximum, description, ...extra });
const NonNegative = (description: string, maximum: number, extra: object = {}) =>
  Type.Number({ minimum: 0, maximum, description, ...extra });
const Count = (description: string, maximum: number, extra: object = {}) => Type.Integer({ minimum: 1, maximum, description, ...extra });

/** Largest per-server or per-pod core count and memory in GiB. */
const MAX_CORES = 1024;
const MAX_MEMORY_GIB = 65_536;

export const ApplicationSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, description: 'application name' }),
    replicas: Count('pods of the application', 1_000_000),
    cores: Positive('cores one pod needs (request)', MAX_CORES),
    memory_gib: Positive('memory one pod needs, GiB', MAX_MEMORY_GIB),
    storage_gib: NonNegative('persistent volume per pod, GiB', 1_048_576, { default: 0 }),
    network_gbit: NonNegative('network traffic per pod at peak, Gbit/s', 10_000, { default: 0 }),
  },
  { additionalProperties: false },
);

export const DatabaseSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, description: 'database name' }),
    count: Count('databases of this shape', 100_000, { default: 1 }),
    instances: Count('instances per database (primary + standbys), each with its own copy of the data', 64, { default: 2 }),
    cores: Positive('cores one instance needs', MAX_CORES),
    memory_gib: Positive('memory one instance needs, GiB', MAX_MEMORY_GIB),
    size_tb: Positive('data of one database, TB (10^12 bytes), before replication', 100_000),
    iops: Positive('4 KiB I/Os per second one database issues at peak', 1e9),
    read_fraction: Type.Number({ minimum: 0, maximum: 1, default: 0.7, description: 'share of those I/Os that are reads, 0..1' }),
    latency_sla_p99_us: Positive('p99 storage latency the database must see at peak, microseconds', 10_000_000, { default: 1000 }),
  },
  { additionalProperties: false },
);

export const StackKindSchema = Type.Union([Type.Literal('appliance'), Type.Literal('diy-db-outside'), Type.Literal('diy-sds')], {
  description:
    'appliance: the database containerized on the appliance; diy-db-outside: DIY Kubernetes with the database on its own servers; diy-sds: DIY Kubernetes with the database containerized on software-defined storage',
});

export const StackSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z][a-z0-9-]*$', description: 'short id used in tables and files' }),
    label: Type.String({ minLength: 1, description: 'name shown in the report' }),
    kind: StackKindSchema,
    database: Type.Union([Type.Literal('commercial'), Type.Literal('open-source')], {
      description: 'commercial: licensed per processor with core factor and yearly support; open-source: support subscription per instance',
    }),
  },
  { additionalProperties: false },
);

export const NodeSchema = Type.Object(
  {
    cores: Count('physical cores per server (both sockets)', MAX_CORES, { default: 48 }),
    memory_gib: Positive('memory per server, GiB', MAX_MEMORY_GIB, { default: 512 }),
    drives: Count('NVMe data drives per server', 64, { default: 4 }),
    drive_profile: Type.String({
      minLength: 1,
      default: 'intel-p4510-4tb',
      description: 'device profile of the data drives (a built-in name or a YAML path)',
    }),
    nics: Count('dual-port 25 GbE NICs per server', 16, { default: 1 }),
    rack_units: Count('rack units per server', 16, { default: 1 }),
  },
  { additionalProperties: false, default: {}, description: 'the server configuration every stack is built from' },
);

/** Database servers of a stack that keeps the database outside Kubernetes: any field left out is the node's. */
export const DbServerSchema = Type.Object(
  {
    cores: Type.Optional(Count('physical cores per database server (a commercial database is licensed on all of them)', MAX_CORES)),
    memory_gib: Type.Optional(Positive('memory per database server, GiB', MAX_MEMORY_GIB)),
    drives: Type.Optional(Count('NVMe data drives per database server', 64)),
    nics: Type.Optional(Count('dual-port 25 GbE NICs per database server', 16)),
  },
  {
    additionalProperties: false,
    default: {},
    description: "database servers where the database is kept outside Kubernetes; fields left out are the node's",
  },
);

/** An override's number: its figure's domain (figure-domains.ts, at most 1e12) bounds it, naming the figure. */
const FigureNumber = Type.Number();

const OverrideSchema = Type.Union(
  [
    FigureNumber,
    Type.Object(
      {
        value: FigureNumber,
        range: Type.Optional(Type.Tuple([FigureNumber, FigureNumber])),
        source: Type.Optional(Type.String({ minLength: 1 })),
        year: Type.Optional(Type.Integer({ minimum: 1990, maximum: 2100 })),
      },
      { additionalProperties: false },
    ),
  ],
  { description: 'a number, or a mapping {value: number, range: [low, high], source: text, year: integer}' },
);

/** Who the report is for and from: shown on its first page; flags of `anvil tco` replace any of them. */
export const ReportSchema = Type.Object(
  {
    customer: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'the customer the report is prepared for' })),
    prepared_by: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'who prepared the report (name, role, company)' })),
    date: Type.Optional(
      Type.String({
        pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$',
        description: 'date of the report, YYYY-MM-DD (default today, UTC; SOURCE_DATE_EPOCH when set)',
      }),
    ),
    logo: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'logo shown on the first page: a PNG, JPEG or SVG file of at most 1 MiB, relative to the scenario',
      }),
    ),
  },
  { additionalProperties: false, default: {}, description: "the report's customer, preparer, date and logo" },
);

export const ScenarioSchema = Type.Object(
  {
    kind: Type.Optional(
      Type.Literal('TcoScenario', {
        description:
          'what this file is: a TCO scenario (a cluster scenario for anvil run says kind: ClusterScenario); optional in older files',
      }),
    ),
    name: Type.String({ minLength: 1, description: 'what the scenario is, one line' }),
    description: Type.String({ default: '', description: 'longer description for the report' }),
    report: ReportSchema,
    currency: Type.Literal('USD', { default: 'USD', description: 'currency of every figure (the catalogue is in USD)' }),
    horizon_years: Type.Integer({ minimum: 1, maximum: 10, default: 3, description: 'years the comparison covers' }),
    discount_rate: Type.Number({ minimum: 0, maximum: 1, default: 0.1, description: 'yearly discount rate for net present value, 0..1' }),
    growth_per_year: Type.Number({
      minimum: 0,
      maximum: 5,
      default: 0,
      description: 'yearly growth of every demand (cores, memory, data, IOPS), 0..5',
    }),
    financing: Type.Union([Type.Literal('purchase'), Type.Literal('lease')], {
      default: 'purchase',
      description: 'hardware bought up front, or leased over the horizon',
    }),
    facility: Type.Union([Type.Literal('colocation'), Type.Literal('owned')], {
      default: 'colocation',
      description: 'colocation ($/kW-month) or an owned data centre (PUE x $/kWh + rack space)',
    }),
    seed: Type.Integer({ minimum: 0, maximum: SEED_MAX, default: 1, description: 'seed of the model runs and the Monte Carlo draws' }),
    monte_carlo_samples: Type.Integer({
      minimum: 1,
      maximum: 1000000,
      default: 2000,
      description: 'Monte Carlo samples for the P10/P50/P90 bands',
    }),
    cpu_utilisation: Type.Number({
      exclusiveMinimum: 0,
      maximum: 1,
      default: 0.7,
      description: "share of a server's cores sizing plans to use, 0..1",
    }),
    free_space: Type.Number({
      minimum: 0,
      exclusiveMaximum: 1,
      default: 0.25,
      description: 'share of raw capacity kept free after replication, 0..1',
    }),
    app_volume_copies: Count('copies of application volumes where the stack does not replicate them itself', 16, { default: 2 }),
    node: NodeSchema,
    db_server: DbServerSchema,
    applications: Type.Array(ApplicationSchema, {
      default: [],
      maxItems: 1000,
      description: 'stateless and stateful applications on Kubernetes',
    }),
    databases: Type.Array(DatabaseSchema, {
      minItems: 1,
      maxItems: 1000,
      description: 'databases: the stateful part that decides storage sizing',
    }),
    stacks: Type.Array(StackSchema, {
      minItems: 2,
      maxItems: 20,
      description: 'stacks to compare; the first appliance stack is the one savings are measured for',
    }),
    overrides: Type.Record(Type.String(), OverrideSchema, {
      default: {},
      description: 'catalogue figures replaced for this scenario: id: value, or id: {value, range, source, year}',
    }),
  },
  { additionalProperties: false },
);

export type Scenario = Static<typeof ScenarioSchema>;
export type ApplicationSpec = Static<typeof ApplicationSchema>;
export type DatabaseSpec = Static<typeof DatabaseSchema>;
export type StackSpec = Static<typeof StackSchema>;
export type StackKind = Static<typeof StackKindSchema>;
export type NodeSpec = Static<typeof NodeSchema>;
export type ReportSpec = Static<typeof ReportSchema>;

/** The server configuration of a role: database servers may differ from the node; every other role is the node. */
export function serverConfig(s: Pick<Scenario, 'node' | 'db_server'>, role: 'cluster' | 'control-plane' | 'db-server'): NodeSpec {
  return role === 'db-server' ? { ...s.node, ...s.db_server } : s.node;
}

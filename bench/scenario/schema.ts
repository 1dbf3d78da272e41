/**
 * The cluster scenario's schema (`kind: ClusterScenario`, files in `bench/scenarios/`): a cluster, its
 * tenants and their pods, volumes, workloads and flows, a fault timeline and SLAs, to be placed by the
 * control plane and run on the model on the appliance stack (`hci`), the DIY stack (`diy`) or both. Not
 * to be confused with a TCO scenario (`kind: TcoScenario`, `reports/scenarios/`), which sizes and prices
 * stacks. One typebox schema gives the type, the validation (every problem with its path) and defaults;
 * what it cannot say (names that refer to each other, embedded job files) is checked in cross-checks.ts.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { BIT_RATE_SOURCE, BYTE_RATE_SOURCE, DURATION_SOURCE, IO_SIZE_SOURCE, QUANTITY_SOURCE, SIZE_SOURCE } from '../../sim/core/units.js';

/** Most nodes, pods, volumes and other list entries a scenario may hold: far above a rack, far below a stall. */
export const MAX_SCENARIO_ITEMS = 5000;

/** Most CPU a pod may request, cores (in either form: 10000 or "10000"; cross-checks.ts holds the string form to it). */
export const MAX_POD_CPU_CORES = 10_000;

/** Names as the control plane takes them: a DNS label. */
export const NAME_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
const IPV4 = '^((25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1?\\d?\\d)$';
const CIDR = `${IPV4.slice(0, -1)}/(3[0-2]|[12]?\\d)$`;
/** A pod or volume named by itself, or as TENANT/NAME where names repeat across tenants. */
export const POD_REF_PATTERN = '^([a-z0-9]([-a-z0-9]*[a-z0-9])?/)?[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** A pod reference, or PREFIX* for every pod whose name starts with PREFIX. */
const POD_PATTERN_PATTERN = '^([a-z0-9]([-a-z0-9]*[a-z0-9])?/)?([a-z0-9]([-a-z0-9]*[a-z0-9])?|[a-z0-9][-a-z0-9]*\\*)$';

const Name = (what: string) =>
  Type.String({ pattern: NAME_PATTERN, maxLength: 63, description: `${what}: lower-case letters, digits and '-', at most 63 characters` });
const Duration = (what: string, extra: object = {}) =>
  Type.String({
    pattern: DURATION_SOURCE,
    description: `${what}: a number with a unit (ns, us, ms, s, m, h; a bare number is seconds, as fio reads runtime), e.g. 30s or 500us`,
    ...extra,
  });
const BitRate = (what: string) =>
  Type.String({ pattern: BIT_RATE_SOURCE, description: `${what}: bits per second, e.g. 10G, 500M, 1.5Gbit/s` });
const Quantity = (what: string) =>
  Type.String({ pattern: QUANTITY_SOURCE, description: `${what}: a Kubernetes quantity, e.g. 100Gi, 16Gi, 500G` });
const Labels = (what: string) =>
  Type.Record(Type.String({ minLength: 1, maxLength: 253 }), Type.String({ maxLength: 63 }), { description: what });
const list = <T extends TSchema>(item: T, description: string) =>
  Type.Array(item, { default: [], maxItems: MAX_SCENARIO_ITEMS, description });

export const STACKS = ['hci', 'diy'] as const;
export type StackName = (typeof STACKS)[number];
const StackName = Type.Union([Type.Literal('hci'), Type.Literal('diy')]);

/** Node profiles: a built-in name (platform/node-profiles) or a path, relative to the scenario, e.g. one `anvil host inspect --out` wrote. */
const Profile = Type.String({
  minLength: 1,
  default: 'appliance-d10',
  description:
    'node profile: a built-in name (appliance-d10) or a YAML path relative to the scenario, e.g. one written by anvil host inspect --out FILE',
});

export const NodeGroupSchema = Type.Object(
  {
    count: Type.Integer({ minimum: 1, maximum: MAX_SCENARIO_ITEMS, description: 'nodes of this profile' }),
    profile: Profile,
    name_prefix: Type.String({
      pattern: NAME_PATTERN,
      maxLength: 50,
      default: 'node',
      description: 'nodes are named PREFIX-1 .. PREFIX-COUNT',
    }),
    zones: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 64, description: 'spread the nodes round-robin over zones zone-1 .. zone-N' }),
    ),
  },
  {
    additionalProperties: false,
    description:
      'nodes: a count of one profile, { count: 3, profile: appliance-d10 }, or a list of nodes, [{ name: node-1, profile: ... }, ...]',
  },
);

export const NodeSchema = Type.Object(
  {
    name: Name('node name'),
    profile: Profile,
    zone: Type.Optional(Name('failure zone')),
    labels: Type.Optional(Labels('node labels, for pods and volumes that select nodes')),
    taints: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 64, description: 'taints, KEY[=VALUE]:EFFECT' })),
  },
  { additionalProperties: false },
);

export const NetworkSchema = Type.Object(
  {
    name: Name('network name'),
    subnet: Type.String({ pattern: CIDR, description: 'IPv4 subnet, e.g. 10.10.0.0/16' }),
    start: Type.String({ pattern: IPV4, description: 'first address pods get' }),
    end: Type.String({ pattern: IPV4, description: 'last address pods get' }),
    gateway: Type.String({ pattern: IPV4, description: 'gateway address' }),
    vlan: Type.Optional(Type.Integer({ minimum: 1, maximum: 4094, description: 'VLAN id' })),
    default: Type.Boolean({ default: false, description: 'pods that name no network get one endpoint here' }),
  },
  { additionalProperties: false },
);

export const PerfTierSchema = Type.Object(
  {
    name: Name('perf tier name'),
    storage_iops: Type.Integer({ minimum: 0, maximum: 1e9, description: 'guaranteed storage IOPS (the QoS reservation)' }),
    network_bandwidth: BitRate('guaranteed network bandwidth'),
    max_storage_iops: Type.Optional(Type.Integer({ minimum: 1, maximum: 1e9, description: 'storage IOPS limit' })),
    max_network_bandwidth: Type.Optional(BitRate('network bandwidth limit')),
    io_size: Type.Optional(
      Type.String({
        pattern: IO_SIZE_SOURCE,
        description: "size of the tier's I/Os its storage guarantee is priced at, as fio's bs (4k, 8k, 128k); default 4k",
      }),
    ),
    read_fraction: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1, description: 'fraction of reads its storage guarantee is priced at; default 0.7' }),
    ),
    storage_weight: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100_000,
        description: "shares of a drive's spare capacity per volume of the tier (mClock weight); default 1000",
      }),
    ),
  },
  { additionalProperties: false },
);

export const TenantSchema = Type.Object({ name: Name('tenant (namespace) name') }, { additionalProperties: false });

export const VolumeSchema = Type.Object(
  {
    name: Name('volume name'),
    tenant: Name('tenant the volume belongs to'),
    size: Quantity('volume size'),
    mirrors: Type.Integer({ minimum: 1, maximum: 3, default: 1, description: 'plexes kept in sync (1 to 3)' }),
    perf_tier: Type.String({
      minLength: 1,
      default: 'best-effort',
      description: 'perf tier: one of perf_tiers or a built-in (best-effort, medium, high)',
    }),
    node_selector: Type.Optional(Labels('labels a plex node must have')),
    spread_zones: Type.Optional(Type.Boolean({ description: 'put the plexes in different zones' })),
  },
  { additionalProperties: false },
);

export const PodSchema = Type.Object(
  {
    name: Name('pod name'),
    tenant: Name('tenant the pod belongs to'),
    cpu: Type.Union([Type.Number({ exclusiveMinimum: 0, maximum: MAX_POD_CPU_CORES }), Type.String({ pattern: QUANTITY_SOURCE })], {
      description: 'CPU request: cores (2, 0.5) or millicores (500m)',
    }),
    memory: Quantity('memory request'),
    perf_tier: Type.String({
      minLength: 1,
      default: 'best-effort',
      description: "perf tier of the pod's endpoints: one of perf_tiers or a built-in",
    }),
    networks: list(Name('network'), 'networks the pod has an endpoint on (none: the default network)'),
    volumes: list(Name('volume'), "volumes of the pod's tenant it attaches"),
    node_selector: Type.Optional(Labels('labels the node must have')),
    tolerations: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), { maxItems: 64, description: 'taints tolerated, KEY[=VALUE]:EFFECT' }),
    ),
    reschedule: Type.Boolean({ default: true, description: 'whether the platform may place the pod on another node when its node fails' }),
  },
  { additionalProperties: false },
);

export const ManifestSchema = Type.Object(
  {
    tenant: Name('namespace of documents that name none'),
    file: Type.Optional(Type.String({ minLength: 1, description: 'Kubernetes YAML file, relative to the scenario' })),
    documents: Type.Optional(
      Type.String({ minLength: 1, description: 'Kubernetes YAML written inline (a literal block, documents separated by ---)' }),
    ),
  },
  {
    additionalProperties: false,
    description: 'pods, claims and storage classes as Kubernetes manifests, read by the control plane as anvil apply reads them',
  },
);

export const WorkloadSchema = Type.Object(
  {
    pod: Type.String({
      pattern: POD_PATTERN_PATTERN,
      description:
        "pod that runs the job: NAME, TENANT/NAME where names repeat, or PREFIX* for every pod whose name starts so (a StatefulSet's pods: db-*)",
    }),
    volume: Type.String({
      pattern: '^[a-z0-9][-a-z0-9]*(\\*[-a-z0-9]*)?$',
      maxLength: 63,
      description: "volume the job does its I/O on; with pod PREFIX*, a * here stands for what the pod's * matched (data-db-*)",
    }),
    job: Type.String({ minLength: 1, description: 'an fio job file, written inline (a literal block: job: |), as anvil run reads one' }),
  },
  { additionalProperties: false },
);

export const FlowSchema = Type.Object(
  {
    from: Type.String({ pattern: POD_REF_PATTERN, description: 'pod that sends: NAME or TENANT/NAME' }),
    to: Type.String({ pattern: POD_REF_PATTERN, description: 'pod that receives: NAME or TENANT/NAME' }),
    rate: Type.Union([Type.Literal('saturate'), BitRate('offered rate')], {
      description: 'saturate (as fast as the path allows) or an offered rate in bits per second, e.g. 2G',
    }),
    message_size: Type.String({ pattern: SIZE_SOURCE, default: '64k', description: 'bytes per message, e.g. 4k, 64k, 1M' }),
    network: Type.Optional(Name('network the flow uses (default: the first both pods share)')),
  },
  { additionalProperties: false },
);

export const FAULT_EVENTS = ['node-down', 'node-up', 'drive-failed', 'link-down', 'link-up'] as const;
export type FaultEvent = (typeof FAULT_EVENTS)[number];

export const FaultSchema = Type.Object(
  {
    at: Duration('time of the fault from the start of the run'),
    event: Type.Union(
      FAULT_EVENTS.map((e) => Type.Literal(e)),
      { description: 'what happens' },
    ),
    node: Name('node it happens to'),
    drive: Type.Optional(Type.Integer({ minimum: 0, maximum: 255, description: 'drive index on the node (drive-failed)' })),
    port: Type.Optional(Type.String({ minLength: 1, description: 'NIC port name on the node (link-down, link-up)' })),
  },
  { additionalProperties: false },
);

export const SnapshotEventSchema = Type.Object(
  {
    at: Duration('time the control plane takes the snapshot, from the start of the run'),
    volume: Type.String({ pattern: POD_REF_PATTERN, description: 'volume it takes: NAME or TENANT/NAME' }),
    name: Type.Optional(Name("snapshot name (default VOLUME-snap-N, N counting the volume's snapshots in time order)")),
  },
  {
    additionalProperties: false,
    description: 'a snapshot the control plane takes during the run; from then on the first write to each block of the volume pays a copy',
  },
);

export const SlaSchema = Type.Object(
  {
    name: Name('SLA name (a test case in verdicts)'),
    pod: Type.Optional(Type.String({ pattern: POD_REF_PATTERN, description: 'the pod it holds for' })),
    tenant: Type.Optional(Name('the tenant it holds for (all its pods together)')),
    volume: Type.Optional(Type.String({ pattern: POD_REF_PATTERN, description: 'the volume it holds for: NAME or TENANT/NAME' })),
    tier: Type.Optional(Type.String({ minLength: 1, description: 'the perf tier it holds for (each pod of the tier)' })),
    ops: Type.Union([Type.Literal('all'), Type.Literal('read'), Type.Literal('write')], {
      default: 'all',
      description: 'which I/Os count',
    }),
    min_iops: Type.Optional(Type.Number({ minimum: 0, maximum: 1e12, description: 'IOPS at least' })),
    min_bandwidth: Type.Optional(
      Type.String({ pattern: BYTE_RATE_SOURCE, description: 'bandwidth at least, bytes per second, e.g. 200MB/s or 1GiB/s' }),
    ),
    max_latency: Type.Optional(
      Type.Record(Type.String({ pattern: '^p(100|\\d{1,2}(\\.\\d+)?)$' }), Duration('latency at most'), {
        description: 'latency at most per percentile, e.g. p99: 500us, p99.9: 2ms',
        minProperties: 1,
        additionalProperties: false,
      }),
    ),
    max_outage: Type.Optional(Duration('longest time without a completed I/O')),
    max_admitted_pods: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_SCENARIO_ITEMS,
        description:
          "pods of its scope (a pod, a tenant's, a tier's) the platform admits at most; 0: the platform must refuse them (they stay pending), e.g. a pod whose reservation the node cannot guarantee",
      }),
    ),
    min_admitted_pods: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_SCENARIO_ITEMS,
        description: "pods of its scope (a pod, a tenant's, a tier's) the platform admits at least",
      }),
    ),
    from: Type.Optional(
      Duration('start of the time it is judged over, from the start of the run (default: the end of the warm-up), e.g. 20s after a fault'),
    ),
    until: Type.Optional(Duration('end of the time it is judged over, from the start of the run (default: the end of the run)')),
    window: Type.Union([Type.Literal('run'), Type.Literal('interval'), Type.Literal('both')], {
      default: 'run',
      description: 'judged over the whole steady state (run), in every interval after warm-up (interval), or both',
    }),
    tolerance: Type.Number({ minimum: 0, maximum: 1, default: 0, description: 'fraction the measured figure may miss the limit by, 0..1' }),
    regression_tolerance: Type.Number({
      minimum: 0,
      maximum: 10,
      default: 0.05,
      description:
        'against a baseline (anvil check --baseline): the change, as a fraction of the baseline figure, the SLA lets pass before it is a regression; default 0.05',
    }),
  },
  { additionalProperties: false },
);

/** The whole scenario; `nodes` is a count of one profile or a list, chosen by its shape (see NODES_AS). */
function scenarioSchema(nodes: TSchema) {
  return Type.Object(
    {
      kind: Type.Literal('ClusterScenario', { description: 'what this file is (a TCO scenario says kind: TcoScenario)' }),
      name: Type.String({ minLength: 1, maxLength: 200, description: 'what the scenario is, one line' }),
      description: Type.String({ default: '', description: 'longer description' }),
      stack: Type.Union([StackName, Type.Array(StackName, { minItems: 1, maxItems: 2, uniqueItems: true })], {
        default: 'hci',
        description: 'hci (the appliance), diy (overlay CNI and software-defined storage), or [hci, diy] to compare',
      }),
      seed: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 1, description: 'seed of the model run' }),
      duration: Duration('simulated time of the run'),
      warmup: Duration('time at the start left out of the figures', { default: '0s' }),
      interval: Duration('length of the intervals figures are reported per', { default: '1s' }),
      coefficients: Type.Optional(
        Type.String({
          minLength: 1,
          description: 'stack coefficient file, relative to the scenario (default: sim/stacks/stack-coefficients.yaml)',
        }),
      ),
      nodes,
      networks: list(NetworkSchema, 'networks pods get endpoints on'),
      perf_tiers: list(PerfTierSchema, 'perf tiers beyond the built-in ones'),
      tenants: Type.Array(TenantSchema, { minItems: 1, maxItems: MAX_SCENARIO_ITEMS, description: 'tenants (namespaces)' }),
      volumes: list(VolumeSchema, 'volumes'),
      pods: list(PodSchema, 'pods written inline'),
      manifests: list(ManifestSchema, 'pods and claims as Kubernetes manifests'),
      workloads: list(WorkloadSchema, 'fio jobs the pods run on their volumes'),
      flows: list(FlowSchema, 'network flows between pods'),
      faults: list(FaultSchema, 'the fault timeline'),
      snapshots: list(SnapshotEventSchema, 'snapshots taken during the run, at their times'),
      slas: list(SlaSchema, 'service levels the run is judged by'),
    },
    { additionalProperties: false },
  );
}

export const ClusterScenarioWithNodeListSchema = scenarioSchema(
  Type.Array(NodeSchema, { minItems: 1, maxItems: MAX_SCENARIO_ITEMS, description: 'the nodes, one entry each' }),
);
export const ClusterScenarioWithNodeGroupSchema = scenarioSchema(NodeGroupSchema);

export type NodeGroupSpec = Static<typeof NodeGroupSchema>;
export type NodeSpec = Static<typeof NodeSchema>;
export type ClusterScenarioSpec = Omit<Static<typeof ClusterScenarioWithNodeListSchema>, 'nodes'> & { nodes: NodeSpec[] | NodeGroupSpec };
export type NetworkSpec = Static<typeof NetworkSchema>;
export type PerfTierSpec = Static<typeof PerfTierSchema>;
export type VolumeSpec = Static<typeof VolumeSchema>;
export type PodSpec = Static<typeof PodSchema>;
export type ManifestSpec = Static<typeof ManifestSchema>;
export type WorkloadEntrySpec = Static<typeof WorkloadSchema>;
export type FlowSpec = Static<typeof FlowSchema>;
export type FaultSpec = Static<typeof FaultSchema>;
export type SlaSpec = Static<typeof SlaSchema>;
export type SnapshotEventSpec = Static<typeof SnapshotEventSchema>;

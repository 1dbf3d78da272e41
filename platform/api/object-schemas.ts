/**
 * Response schemas (typebox) of the control-plane objects, built from the domain types in platform/domain.
 * Fastify serializes every response with its schema: a field left out here would be dropped silently, and
 * the serializer writes the listed fields in the order listed. So each object lists its fields in the order
 * the domain builds them (the order the CLI prints on an embedded state), and every object keeps
 * `additionalProperties: true`, so a field added to the domain later still reaches the CLI.
 *
 * The serializer (fast-json-stringify) writes `required` fields before the others and fails the whole
 * answer with a 500 when one is missing; the domain puts optional fields among required ones (a network's
 * vlan before is_default, a pod's owner before its requests). So the serializer's schemas carry no
 * `required`: the fields always present are kept under REQUIRED_NOTE and put back as `required` in the
 * OpenAPI document only (withRequired).
 */
import { Type, type TSchema } from '@sinclair/typebox';

export { answer, stringEnum, stringMap, withRequired } from './answer-schema.js';
import { answer, stringEnum, stringMap } from './answer-schema.js';
import { PlacementDecisionSchema } from './placement-decision-schema.js';

const time = (what: string) => Type.String({ description: `${what}, ISO 8601 UTC` });

export const ClusterObject = answer(
  {
    kind: Type.Literal('Cluster'),
    name: Type.String(),
    node_profile: Type.String({ description: 'the node profile nodes get when none is named' }),
    created_at: time('created'),
    policy: stringEnum(['balance', 'pack'] as const, 'scoring: spread pods (balance) or fill nodes (pack)'),
    resync_share: Type.Optional(
      Type.Number({ description: "share of a node's storage-port bandwidth a resync may take (0.25 when unset)" }),
    ),
  },
  'the cluster',
);

const NicPort = answer(
  {
    name: Type.String(),
    role: stringEnum(['pods', 'storage'] as const),
    vfs: Type.Integer({ description: 'SR-IOV virtual functions' }),
    speed_bits_per_s: Type.Number({ description: 'line rate, bit/s' }),
  },
  'a NIC port',
);

const NodeInventory = answer(
  {
    profile: Type.String({ description: 'the node profile it was built from' }),
    cpu_millicores: Type.Number(),
    memory_bytes: Type.Number(),
    max_pods: Type.Integer(),
    drives: Type.Array(
      answer(
        {
          profile: Type.String(),
          capacity_bytes: Type.Number(),
          guaranteed_iops: Type.Optional(
            Type.Number({ description: '4K-equivalent IOPS its device profile guarantees behind the storage QoS at 4K 70/30' }),
          ),
        },
        'an NVMe drive',
      ),
    ),
    nic_ports: Type.Array(NicPort),
    local_controllers: Type.Integer({ description: 'NVMe controllers for local volumes' }),
    remote_controllers: Type.Integer({ description: 'NVMe-oF controllers for remote volumes' }),
    max_volumes: Type.Integer(),
    guaranteeable_iops: Type.Number({
      description: "4K-equivalent IOPS admission counts against: the drives' guarantees, at most the profile's rated figure",
    }),
    rated_iops: Type.Optional(Type.Number({ description: "the profile's rated storage IOPS, an upper bound on every tier's capacity" })),
    guaranteeable_bandwidth_bits_per_s: Type.Number({ description: 'bit/s' }),
  },
  "a node's inventory in base units",
);

export const NodeObject = answer(
  {
    kind: Type.Literal('Node'),
    name: Type.String(),
    inventory: NodeInventory,
    zone: Type.String(),
    labels: stringMap('labels, the well-known kubernetes.io/hostname and topology.kubernetes.io/zone included'),
    taints: Type.Array(answer({ key: Type.String(), value: Type.String() }, 'a NoSchedule taint')),
    status: answer(
      {
        state: stringEnum(['ready', 'cordoned', 'drained', 'down'] as const),
        since: Type.Optional(time('down since')),
      },
      'ready takes pods; cordoned takes no new ones; drained is cordoned with its pods moved; down has failed',
    ),
    links_down: Type.Optional(
      Type.Array(Type.String(), {
        description: 'NIC ports whose link is down (absent when all are up); a downed storage link cuts remote plexes',
      }),
    ),
    created_at: time('added'),
  },
  'a node',
);

export const NetworkObject = answer(
  {
    kind: Type.Literal('Network'),
    name: Type.String(),
    subnet: Type.String({ description: 'CIDR' }),
    start: Type.String({ description: 'first address pods take' }),
    end: Type.String({ description: 'last address pods take' }),
    gateway: Type.String(),
    vlan: Type.Optional(Type.Integer()),
    zone: Type.Optional(Type.String({ description: 'only nodes of this zone reach it' })),
    is_default: Type.Boolean({ description: 'pods that name no network get an endpoint here' }),
  },
  'an L2 network',
);

const Attachment = answer(
  {
    state: stringEnum(['detached', 'attached'] as const),
    pod: Type.Optional(Type.String()),
    node: Type.Optional(Type.String()),
    via: Type.Optional(stringEnum(['local', 'remote'] as const, 'a local NVMe controller or NVMe-oF')),
  },
  'the pod a volume is attached to, if any',
);

export const VolumeObject = answer(
  {
    kind: Type.Literal('Volume'),
    namespace: Type.String(),
    name: Type.String(),
    size_bytes: Type.Number(),
    perf_tier: Type.String(),
    mirrors: Type.Integer({ description: 'copies wanted' }),
    plexes: Type.Array(
      answer(
        {
          node: Type.String(),
          drive: Type.Integer({ description: "index of the drive in the node's inventory" }),
          offset_bytes: Type.Number({ description: "first byte of the plex's extent on that drive" }),
          state: stringEnum(['in-sync', 'resyncing', 'out-of-sync', 'offline'] as const),
          resync: Type.Optional(
            answer(
              {
                source: Type.String({ description: 'node of the in-sync plex copied from' }),
                bytes: Type.Number({ description: 'bytes to copy' }),
                rate_bytes_per_s: Type.Number({ description: 'resync bandwidth, bytes/s' }),
                started_at: time('the copy started'),
                finishes_at: time('the copy is done and the plex in sync'),
              },
              'a resyncing plex: its copy',
            ),
          ),
        },
        'a copy on a node, on one extent of one drive',
      ),
    ),
    state: stringEnum(['in-sync', 'degraded', 'unavailable', 'lost'] as const),
    node_selector: stringMap('node labels every plex needs'),
    source_snapshot: Type.Optional(Type.String({ description: 'namespace/name of the snapshot it was restored from' })),
    attachment: Attachment,
    created_at: time('created'),
  },
  'a mirrored volume',
);

export const SnapshotObject = answer(
  {
    kind: Type.Literal('Snapshot'),
    namespace: Type.String(),
    name: Type.String(),
    volume: Type.String(),
    size_bytes: Type.Number(),
    nodes: Type.Array(Type.String(), { description: 'the nodes holding it' }),
    created_at: time('taken'),
  },
  'a snapshot of a volume',
);

/** As the scheduler binds it (scheduling.ts): keys in that order. */
const BoundEndpoint = answer(
  {
    network: Type.String(),
    perf_tier: Type.String(),
    port: Type.String(),
    vf: Type.Integer(),
    mac: Type.String(),
    ip: Type.String(),
    static: Type.Boolean(),
    endpoint: Type.Optional(Type.String({ description: 'the persistent endpoint bound, if any' })),
  },
  'a bound pod interface',
);

/**
 * A pod's status: running on a node with its endpoints and reservations, or pending with the scheduler's
 * summary and each node's reason.
 */
export const PodStatus = Type.Union(
  [
    answer(
      {
        state: Type.Literal('running'),
        node: Type.String(),
        endpoints: Type.Array(BoundEndpoint),
        reserved_iops: Type.Number({ description: 'IOPS reserved on the node' }),
        admitted_iops: Type.Optional(
          Type.Number({
            description:
              "what reserved_iops takes of the node's guaranteeable IOPS, when the pod's tiers price their I/O apart from the node's 4K 70/30",
          }),
        ),
        reserved_bandwidth_bits_per_s: Type.Number({ description: 'bandwidth reserved on the node, bit/s' }),
        volume_reservations: Type.Array(
          answer(
            {
              volume: Type.String(),
              iops: Type.Number({ description: "IOPS guaranteed to this volume: its tier's, plus an equal share of the pod's tier's" }),
            },
            "the pod's reserved IOPS as one volume's QoS gets them",
          ),
          { description: 'reserved_iops split over the volumes; empty for a pod without volumes' },
        ),
        placement: Type.Optional(
          answer(
            {
              basis: Type.Literal('worked-out-now', { description: 'worked out on request from the cluster as it is now' }),
              summary: Type.String(),
              nodes: Type.Array(
                answer(
                  {
                    node: Type.String(),
                    chosen: Type.Boolean({ description: 'the node the pod runs on' }),
                    fits: Type.Boolean(),
                    score: Type.Optional(Type.Number({ description: 'where it fits: the scheduler score, higher wins' })),
                    reason: Type.Optional(Type.String({ description: 'where it does not: the first filter it fails' })),
                  },
                  "a node's verdict",
                ),
                { description: 'its node first, then those that fit by score, then those rejected; at most 100' },
              ),
            },
            'why it runs where it does, as the cluster is now (GET .../scheduling only)',
          ),
        ),
        decision: Type.Optional(PlacementDecisionSchema),
      },
      'a running pod',
    ),
    answer(
      {
        state: Type.Literal('pending'),
        failure: answer(
          { summary: Type.String(), nodes: Type.Array(answer({ node: Type.String(), reason: Type.String() }, "a node's reason")) },
          'why it fits nowhere',
        ),
      },
      'a pending pod',
    ),
  ],
  { description: "a pod's status; for a pending pod every node's reason" },
);

export const PodObject = answer(
  {
    kind: Type.Literal('Pod'),
    namespace: Type.String(),
    name: Type.String(),
    owner: Type.Optional(answer({ kind: Type.String(), name: Type.String() }, 'the Deployment or StatefulSet that made it')),
    cpu_millicores: Type.Number(),
    memory_bytes: Type.Number(),
    perf_tier: Type.String(),
    endpoints: Type.Array(
      answer(
        {
          // The manifest reader writes endpoint before perf_tier and ip after it; a request has one or the other.
          network: Type.String(),
          endpoint: Type.Optional(Type.String({ description: 'a persistent endpoint by name' })),
          perf_tier: Type.String(),
          ip: Type.Optional(Type.String({ description: 'a pinned address' })),
        },
        'a requested pod interface',
      ),
    ),
    volumes: Type.Array(Type.String(), { description: 'volumes of its namespace it attaches' }),
    node_selector: stringMap('node labels it needs'),
    tolerations: Type.Array(Type.String(), { description: 'taint keys it tolerates' }),
    kube_uid: Type.Optional(Type.String({ description: 'the Kubernetes pod UID, when the scheduler extender placed it' })),
    status: PodStatus,
    created_at: time('created'),
    seq: Type.Integer({ description: 'creation order' }),
    addresses: Type.Optional(
      Type.Array(answer({ network: Type.String(), ip: Type.String(), mac: Type.String() }, 'an address kept by the pod'), {
        description: 'the addresses it keeps when it moves',
      }),
    ),
  },
  'a pod',
);

/** A persistent endpoint as created (domain/endpoint.ts). */
export const EndpointObject = answer(
  {
    kind: Type.Literal('Endpoint'),
    namespace: Type.String(),
    name: Type.String(),
    network: Type.String(),
    ip: Type.String(),
    mac: Type.String(),
    binding: answer({ state: stringEnum(['free', 'bound'] as const), pod: Type.Optional(Type.String()) }, 'the pod using it, if any'),
    created_at: time('created'),
  },
  'a persistent endpoint',
);

/** A pod interface as `anvil get endpoints` lists it (queries.ts EndpointView). */
export const EndpointView = answer(
  {
    name: Type.String(),
    namespace: Type.String(),
    pod: Type.String({ description: '- when no pod uses it' }),
    network: Type.String(),
    ip: Type.String(),
    mac: Type.String(),
    gateway: Type.String(),
    vlan: Type.Optional(Type.Integer()),
    vf: Type.String({ description: 'port/vf, or - when not bound' }),
    node: Type.String(),
    perf_tier: Type.String(),
    static: Type.Boolean({ description: 'a pinned address or a persistent endpoint' }),
  },
  'a pod interface',
);

/** A Deployment or StatefulSet seen through its pods (queries.ts WorkloadView). */
export const WorkloadView = answer(
  {
    kind: stringEnum(['Deployment', 'StatefulSet'] as const),
    name: Type.String(),
    namespace: Type.String(),
    pods: Type.Integer(),
    running: Type.Integer(),
  },
  'a workload',
);

export const TenantObject = answer(
  { kind: Type.Literal('Tenant'), name: Type.String(), created_at: time('created') },
  'a tenant (namespace)',
);
export const UserObject = answer(
  {
    kind: Type.Literal('User'),
    name: Type.String(),
    roles: Type.Array(Type.String(), { description: 'role strings or bundle names, as given' }),
  },
  'a user and its roles',
);

const limit = (description: string) => Type.Optional(Type.Number({ description: `${description}; absent: no limit` }));
const usage = (description: string) => Type.Number({ description });
/** A quota with its namespace's usage (quota.ts QuotaView). */
export const QuotaView = answer(
  {
    kind: Type.Literal('Quota'),
    namespace: Type.String(),
    name: Type.String({ description: 'its namespace' }),
    pods: limit('pods'),
    volumes: limit('volumes'),
    capacity_bytes: limit('bytes on the nodes (size × mirrors)'),
    iops: limit('guaranteed storage IOPS'),
    bandwidth_bits_per_s: limit('guaranteed network bandwidth, bit/s'),
    set_at: time('set'),
    used: Type.Optional(
      answer(
        {
          pods: usage('pods'),
          volumes: usage('volumes'),
          capacity_bytes: usage('bytes'),
          iops: usage('IOPS'),
          bandwidth_bits_per_s: usage('bit/s'),
        },
        'what the namespace uses now',
      ),
    ),
  },
  "a namespace's quota",
);

/** The list of a kind. */
export function listOf(item: TSchema, description: string) {
  return Type.Array(item, { description });
}

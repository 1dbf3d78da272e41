/**
 * Reading the control plane: the kinds `get` and `describe` know, and the objects of each that an actor
 * may view (role-checked like every change), including the derived views: endpoints and workloads.
 */
import type { ClusterState } from './cluster-state.js';
import { perfTierView } from './perf-tier.js';
import { quotaViews } from './quota-service.js';
import { allows, authorize, type Actor, type RoleClass } from './tenancy.js';

export const KINDS = [
  'nodes',
  'networks',
  'perf-tiers',
  'volumes',
  'snapshots',
  'pods',
  'endpoints',
  'deployments',
  'statefulsets',
  'namespaces',
  'users',
  'quotas',
] as const;
export type Kind = (typeof KINDS)[number];

/** Names and short forms a kind may be given by, as kubectl takes them. */
export const KIND_ALIASES: Record<string, Kind> = {
  node: 'nodes',
  nodes: 'nodes',
  no: 'nodes',
  network: 'networks',
  networks: 'networks',
  net: 'networks',
  'perf-tier': 'perf-tiers',
  'perf-tiers': 'perf-tiers',
  perftier: 'perf-tiers',
  perftiers: 'perf-tiers',
  tier: 'perf-tiers',
  tiers: 'perf-tiers',
  volume: 'volumes',
  volumes: 'volumes',
  vol: 'volumes',
  snapshot: 'snapshots',
  snapshots: 'snapshots',
  snap: 'snapshots',
  pod: 'pods',
  pods: 'pods',
  po: 'pods',
  endpoint: 'endpoints',
  endpoints: 'endpoints',
  ep: 'endpoints',
  deployment: 'deployments',
  deployments: 'deployments',
  deploy: 'deployments',
  statefulset: 'statefulsets',
  statefulsets: 'statefulsets',
  sts: 'statefulsets',
  namespace: 'namespaces',
  namespaces: 'namespaces',
  ns: 'namespaces',
  tenant: 'namespaces',
  tenants: 'namespaces',
  user: 'users',
  users: 'users',
  quota: 'quotas',
  quotas: 'quotas',
  resourcequota: 'quotas',
  resourcequotas: 'quotas',
};

export function isNamespaced(kind: Kind): boolean {
  return (
    kind === 'volumes' ||
    kind === 'snapshots' ||
    kind === 'pods' ||
    kind === 'endpoints' ||
    kind === 'deployments' ||
    kind === 'statefulsets' ||
    kind === 'quotas'
  );
}

/**
 * The role class that governs reading each kind. An endpoint is a pod's interface in the pod's namespace
 * (its IP, MAC and pod name are the tenant's), so reading it takes the container class there: tenants
 * hold `network-view` cluster-wide to see the networks, which must not show them other tenants' pods.
 */
export const KIND_CLASS: Record<Kind, RoleClass> = {
  nodes: 'node',
  networks: 'network',
  'perf-tiers': 'perftier',
  volumes: 'volume',
  snapshots: 'volume',
  pods: 'container',
  endpoints: 'container',
  deployments: 'container',
  statefulsets: 'container',
  namespaces: 'tenant',
  users: 'user',
  // A namespace's quota is read by who works in it (as Kubernetes lets a namespace's users read its ResourceQuota).
  quotas: 'container',
};

/**
 * The objects of a kind that `actor` may view, filtered by name and namespace (undefined: all the
 * namespaces the actor may view). Cluster-scoped kinds need a cluster-wide view role.
 */
export function objectsOf(state: ClusterState, actor: Actor, kind: Kind, namespace: string | undefined, name?: string): unknown[] {
  const cls = KIND_CLASS[kind];
  if (!isNamespaced(kind)) authorize(actor, cls, 'view');
  else if (namespace !== undefined) authorize(actor, cls, 'view', namespace);
  const pick = <T extends { name: string; namespace?: string }>(m: Map<string, T>): T[] =>
    [...m.values()].filter(
      (o) =>
        (name === undefined || o.name === name) &&
        (namespace === undefined || o.namespace === undefined || o.namespace === namespace) &&
        (o.namespace === undefined || allows(actor, cls, 'view', o.namespace)),
    );
  switch (kind) {
    case 'nodes':
      return pick(state.nodes);
    case 'networks':
      return pick(state.networks);
    case 'perf-tiers':
      return pick(state.perfTiers).map(perfTierView);
    case 'volumes':
      return pick(state.volumes);
    case 'snapshots':
      return pick(state.snapshots);
    case 'pods':
      return pick(state.pods);
    case 'endpoints':
      return pick(new Map(endpointsOf(state).map((e) => [`${e.namespace}/${e.name}`, e])));
    case 'deployments':
      return pick(new Map(workloadsOf(state, 'Deployment').map((w) => [`${w.namespace}/${w.name}`, w])));
    case 'statefulsets':
      return pick(new Map(workloadsOf(state, 'StatefulSet').map((w) => [`${w.namespace}/${w.name}`, w])));
    case 'namespaces':
      return pick(state.tenants);
    case 'users':
      return pick(state.users);
    case 'quotas':
      return pick(new Map(quotaViews(state).map((q) => [q.namespace, q])));
  }
}

/** A pod interface as `anvil get endpoints` lists it (the appliance's `endpoint list` columns). */
export interface EndpointView {
  readonly name: string;
  readonly namespace: string;
  readonly pod: string;
  readonly network: string;
  readonly ip: string;
  readonly mac: string;
  readonly gateway: string;
  readonly vlan?: number;
  readonly vf: string;
  readonly node: string;
  readonly perf_tier: string;
  readonly static: boolean;
}

export function endpointsOf(state: ClusterState): EndpointView[] {
  const out: EndpointView[] = [];
  for (const p of state.pods.values()) {
    if (p.status.state !== 'running') continue;
    const node = p.status.node;
    p.status.endpoints.forEach((e, k) => {
      const net = state.networks.get(e.network);
      out.push({
        name: e.endpoint ?? `${p.name}-ep${k}`,
        namespace: p.namespace,
        pod: p.name,
        network: e.network,
        ip: e.ip,
        mac: e.mac,
        gateway: net?.gateway ?? '-',
        ...(net?.vlan !== undefined ? { vlan: net.vlan } : {}),
        vf: `${e.port}/${e.vf}`,
        node,
        perf_tier: e.perf_tier,
        static: e.static,
      });
    });
  }
  // Persistent endpoints no running pod uses yet.
  for (const ep of state.endpoints.values()) {
    if (out.some((o) => o.namespace === ep.namespace && o.name === ep.name && o.static)) continue;
    const net = state.networks.get(ep.network);
    out.push({
      name: ep.name,
      namespace: ep.namespace,
      pod: ep.binding.state === 'bound' ? ep.binding.pod : '-',
      network: ep.network,
      ip: ep.ip,
      mac: ep.mac,
      gateway: net?.gateway ?? '-',
      ...(net?.vlan !== undefined ? { vlan: net.vlan } : {}),
      vf: '-',
      node: '-',
      perf_tier: '-',
      static: true,
    });
  }
  return out;
}

/** A Deployment or StatefulSet, seen through the pods it made. */
export interface WorkloadView {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly pods: number;
  readonly running: number;
}

export function workloadsOf(state: ClusterState, kind: 'Deployment' | 'StatefulSet'): WorkloadView[] {
  const map = new Map<string, { kind: string; name: string; namespace: string; pods: number; running: number }>();
  for (const p of state.pods.values()) {
    if (p.owner?.kind !== kind) continue;
    const key = `${p.namespace}/${p.owner.name}`;
    let w = map.get(key);
    if (!w) map.set(key, (w = { kind, name: p.owner.name, namespace: p.namespace, pods: 0, running: 0 }));
    w.pods++;
    if (p.status.state === 'running') w.running++;
  }
  return [...map.values()];
}

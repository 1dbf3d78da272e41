/**
 * The control plane's service layer: every change to clusters, nodes, networks, tiers, tenants, users,
 * volumes, snapshots and pods goes through here, with the acting user checked against their roles. The
 * CLI calls it today and the API will tomorrow; the store runs each call in one transaction and checks
 * the invariants (`invariants.ts`) before it commits, so a failed call changes nothing.
 */
import { AnvilError } from '../errors.js';
import { ClusterState, type Cluster } from './cluster-state.js';
import { Context, notFound, type Clock } from './context.js';
import { checkNetwork, overlappingNetwork, type Network, type NetworkInput } from './network.js';
import { DEFAULT_NODE_PROFILE, loadNodeProfile, type NodeInventory } from './node-profile.js';
import { DEFAULT_ZONE, wellKnownLabels, type Node, type Taint } from './node.js';
import { requireName, requireNamespace } from './names.js';
import { BUILTIN_PERF_TIERS, checkPerfTier, MAX_PERF_TIERS, type PerfTier } from './perf-tier.js';
import type { Pod } from './pod.js';
import { checkPodReferences, macFromCounter, SchedulingSession } from './scheduling.js';
import type { Endpoint } from './endpoint.js';
import { requireIpv4 } from './ip.js';
import { checkRange, CPU_MILLICORES_RANGE, MEMORY_RANGE } from './limits.js';
import { allows, parseRole, type Actor, type User } from './tenancy.js';
import { keyOf, type Snapshot, type Volume } from './volume.js';
import { deleteQuota, podCharge, QuotaLedger, setQuota, type Quota, type QuotaLimits } from './quota.js';
import * as volumes from './volume-service.js';
import * as users from './user-service.js';
import * as nodes from './node-service.js';
import type { Moves } from './node-service.js';

export interface ClusterCreateInput {
  name: string;
  nodes: number;
  nodeProfile?: string;
  policy?: 'balance' | 'pack';
  zones?: number;
}

export interface NodeAddInput {
  name: string;
  profile?: string;
  zone?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
}

export interface PerfTierInput {
  name: string;
  storage_iops: number;
  network_bandwidth_bits_per_s: number;
  max_storage_iops?: number;
  max_network_bandwidth_bits_per_s?: number;
}

export interface VolumeInput {
  namespace: string;
  name: string;
  size_bytes: number;
  mirrors?: number;
  perf_tier?: string;
  node_selector?: Record<string, string>;
  spread_zones?: boolean;
}

/** Most nodes one `cluster create` makes (Kubernetes' documented limit is 5,000 nodes per cluster). */
export const MAX_CLUSTER_NODES = 5000;

export class ControlPlane {
  readonly ctx: Context;
  /** Namespace quotas, checked by every create and grow of this change. */
  readonly quota: QuotaLedger;
  private session: SchedulingSession | undefined;

  constructor(state: ClusterState, actor: Actor, clock: Clock) {
    this.ctx = new Context(state, actor, clock);
    this.quota = new QuotaLedger(this.ctx);
  }

  get state(): ClusterState {
    return this.ctx.state;
  }

  /** The scheduler's view, built once per change from the state. */
  scheduling(): SchedulingSession {
    return (this.session ??= new SchedulingSession(this.ctx));
  }

  /** Forget the scheduler's view: nodes changed in a way it does not track. */
  resetScheduling(): void {
    this.session = undefined;
  }

  // Cluster and nodes

  createCluster(input: ClusterCreateInput): Cluster {
    const ctx = this.ctx;
    ctx.can('cluster', 'edit');
    requireName(input.name, 'cluster');
    if (ctx.state.cluster) throw new AnvilError('ANVIL_ERR_NO_CLUSTER', `this state already holds cluster ${ctx.state.cluster.name}; use another --state file, or add nodes with anvil node add`);
    if (!Number.isInteger(input.nodes) || input.nodes < 1 || input.nodes > MAX_CLUSTER_NODES) {
      throw new AnvilError('ANVIL_ERR_FIELD_INVALID', `--nodes ${input.nodes} is not allowed; a cluster has 1 to ${MAX_CLUSTER_NODES} nodes`);
    }
    const zones = input.zones ?? 1;
    if (!Number.isInteger(zones) || zones < 1 || zones > input.nodes) throw new AnvilError('ANVIL_ERR_FIELD_INVALID', `--zones ${zones} is not allowed; use 1 to the node count`);
    const profile = input.nodeProfile ?? DEFAULT_NODE_PROFILE;
    const inventory = loadNodeProfile(profile);
    const cluster: Cluster = { kind: 'Cluster', name: input.name, node_profile: profile, created_at: ctx.now(), policy: input.policy ?? 'balance' };
    ctx.state.cluster = cluster;
    const width = String(input.nodes).length;
    for (let n = 1; n <= input.nodes; n++) {
      const zone = zones === 1 ? DEFAULT_ZONE : `zone${(n - 1) % zones}`;
      this.putNode(`node${String(n).padStart(width, '0')}`, inventory, zone, {}, []);
    }
    for (const tier of BUILTIN_PERF_TIERS) if (!ctx.state.perfTiers.has(tier.name)) ctx.state.perfTiers.set(tier.name, tier);
    if (!ctx.state.tenants.has('default')) ctx.state.tenants.set('default', { kind: 'Tenant', name: 'default', created_at: ctx.now() });
    ctx.event('info', 'ClusterCreated', `cluster/${input.name}`, `${input.nodes} nodes of profile ${profile}`);
    return cluster;
  }

  private putNode(name: string, inventory: NodeInventory, zone: string, labels: Record<string, string>, taints: Taint[]): Node {
    const node: Node = {
      kind: 'Node',
      name,
      inventory,
      zone,
      labels: { ...labels, ...wellKnownLabels(name, zone) },
      taints,
      status: { state: 'ready' },
      created_at: this.ctx.now(),
    };
    this.ctx.state.nodes.set(name, node);
    return node;
  }

  addNode(input: NodeAddInput): Node {
    const ctx = this.ctx;
    ctx.can('node', 'edit');
    const cluster = ctx.requireCluster();
    requireName(input.name, 'node');
    if (ctx.state.nodes.has(input.name)) throw new AnvilError('ANVIL_ERR_OBJECT_EXISTS', `node ${input.name} already exists`);
    if (ctx.state.nodes.size >= MAX_CLUSTER_NODES) throw new AnvilError('ANVIL_ERR_LIMIT_REACHED', `the cluster already has ${MAX_CLUSTER_NODES} nodes`);
    const node = this.putNode(input.name, loadNodeProfile(input.profile ?? cluster.node_profile), input.zone ?? DEFAULT_ZONE, input.labels ?? {}, input.taints ?? []);
    ctx.event('info', 'NodeAdded', `node/${node.name}`, `profile ${node.inventory.profile}, zone ${node.zone}`);
    this.scheduling().schedulePending();
    return node;
  }

  private requireNode(name: string): Node {
    const node = this.ctx.state.nodes.get(name);
    if (!node) throw notFound('node', name, `nodes: ${[...this.ctx.state.nodes.keys()].slice(0, 10).join(', ')}`);
    return node;
  }

  cordonNode(name: string): Node {
    this.ctx.can('node', 'edit');
    const node = this.requireNode(name);
    if (node.status.state === 'down') throw new AnvilError('ANVIL_ERR_IN_USE', `node ${name} is down; it takes no pods until it recovers`);
    const cordoned: Node = { ...node, status: { state: 'cordoned' } };
    this.ctx.state.nodes.set(name, cordoned);
    this.ctx.event('info', 'NodeCordoned', `node/${name}`, 'no new pods will be placed here');
    return cordoned;
  }

  uncordonNode(name: string): Node {
    this.ctx.can('node', 'edit');
    const node = this.requireNode(name);
    if (node.status.state === 'down') throw new AnvilError('ANVIL_ERR_IN_USE', `node ${name} is down; bring it back with anvil node recover ${name}`);
    const ready: Node = { ...node, status: { state: 'ready' } };
    this.ctx.state.nodes.set(name, ready);
    this.ctx.event('info', 'NodeUncordoned', `node/${name}`, 'pods may be placed here again');
    this.resetScheduling();
    this.scheduling().schedulePending();
    return ready;
  }

  /** Cordons the node and moves its pods: each goes back to pending and is placed elsewhere if it fits. */
  drainNode(name: string): Moves {
    return nodes.drainNode(this, name);
  }

  /** A node fails (a fault to inject): it goes down, its plexes fall out of sync or go offline, its pods move or wait. */
  failNode(name: string): Moves {
    return nodes.failNode(this, name);
  }

  /** A failed node is back: ready again, its plexes current again or resynced from an in-sync plex, pending pods retried. */
  recoverNode(name: string): Node {
    return nodes.recoverNode(this, name);
  }

  /** Removes a node; refused while pods or current plexes are there unless `force` (which drops its plexes with it). */
  removeNode(name: string, force = false): void {
    nodes.removeNode(this, name, force);
  }

  // Networks and perf tiers

  createNetwork(input: NetworkInput): Network {
    const ctx = this.ctx;
    ctx.can('network', 'edit');
    ctx.requireCluster();
    requireName(input.name, 'network');
    if (ctx.state.networks.has(input.name)) throw new AnvilError('ANVIL_ERR_OBJECT_EXISTS', `network ${input.name} already exists`);
    const net = checkNetwork({ ...input, is_default: input.is_default ?? ctx.state.networks.size === 0 });
    const other = overlappingNetwork(net, ctx.state.networks.values());
    if (other) throw new AnvilError('ANVIL_ERR_IP_RANGE_OVERLAP', `network ${net.name}'s subnet ${net.subnet} overlaps network ${other.name}'s ${other.subnet}; L2 networks may share no address`);
    if (net.is_default) for (const [name, n] of ctx.state.networks) if (n.is_default) ctx.state.networks.set(name, { ...n, is_default: false });
    ctx.state.networks.set(net.name, net);
    ctx.event('info', 'NetworkCreated', `network/${net.name}`, `${net.subnet} range ${net.start}-${net.end}${net.vlan !== undefined ? ` vlan ${net.vlan}` : ''}`);
    this.resetScheduling();
    this.scheduling().schedulePending();
    return net;
  }

  deleteNetwork(name: string): void {
    const ctx = this.ctx;
    ctx.can('network', 'edit');
    if (!ctx.state.networks.has(name)) throw notFound('network', name, `networks: ${[...ctx.state.networks.keys()].join(', ')}`);
    const users = [...ctx.state.pods.values()].filter((p) => p.endpoints.some((e) => e.network === name));
    if (users.length > 0) throw new AnvilError('ANVIL_ERR_IN_USE', `network ${name} has endpoints of ${users.length} pods${ctx.nameIfVisible('container', users[0]!.namespace, ` (e.g. ${users[0]!.namespace}/${users[0]!.name})`, '')}; delete them first`);
    const eps = [...ctx.state.endpoints.values()].filter((e) => e.network === name);
    if (eps.length > 0) throw new AnvilError('ANVIL_ERR_IN_USE', `network ${name} has ${eps.length} persistent endpoints${ctx.nameIfVisible('container', eps[0]!.namespace, ` (e.g. ${eps[0]!.namespace}/${eps[0]!.name})`, '')}; delete them first`);
    ctx.state.networks.delete(name);
    ctx.event('info', 'NetworkDeleted', `network/${name}`, 'deleted');
  }

  /** A persistent endpoint: an IP (pinned, or the lowest free) and a MAC, ready for a pod to ask for by name. */
  createEndpoint(namespace: string, name: string, network: string, ip?: string): Endpoint {
    const ctx = this.ctx;
    requireNamespace(namespace);
    ctx.can('network', 'edit', namespace);
    ctx.requireTenant(namespace);
    requireName(name, 'endpoint');
    const key = keyOf(namespace, name);
    if (ctx.state.endpoints.has(key)) throw new AnvilError('ANVIL_ERR_OBJECT_EXISTS', `endpoint ${key} already exists`);
    const net = ctx.state.networks.get(network);
    if (!net) throw notFound('network', network, `networks: ${[...ctx.state.networks.keys()].join(', ') || 'none'}`);
    const pool = this.scheduling().pool(network)!;
    let address = ip;
    if (address !== undefined) {
      requireIpv4(address, '--ip');
      if (!pool.has(address)) throw new AnvilError('ANVIL_ERR_FIELD_INVALID', `--ip ${address} is outside network ${network}'s range ${net.start}-${net.end}`);
      if (pool.isTaken(address)) throw new AnvilError('ANVIL_ERR_IN_USE', `--ip ${address} on network ${network} is already held by a pod or endpoint`);
      pool.take(address);
    } else {
      address = pool.allocate();
      if (address === undefined) throw new AnvilError('ANVIL_ERR_LIMIT_REACHED', `network ${network} has no free IP in its range ${net.start}-${net.end}`);
    }
    const endpoint: Endpoint = { kind: 'Endpoint', namespace, name, network, ip: address, mac: macFromCounter(ctx.state.counters.next_mac++), binding: { state: 'free' }, created_at: ctx.now() };
    ctx.state.endpoints.set(key, endpoint);
    ctx.event('info', 'EndpointCreated', `endpoint/${key}`, `${network} ${endpoint.ip} ${endpoint.mac}`);
    return endpoint;
  }

  deleteEndpoint(namespace: string, name: string): void {
    const ctx = this.ctx;
    ctx.can('network', 'edit', namespace);
    const key = keyOf(namespace, name);
    const ep = ctx.state.endpoints.get(key);
    if (!ep) throw notFound('endpoint', key, 'list them with: anvil get endpoints');
    if (ep.binding.state === 'bound') throw new AnvilError('ANVIL_ERR_IN_USE', `endpoint ${key} is bound to pod ${ep.binding.pod}; delete the pod first`);
    const users = [...ctx.state.pods.values()].filter((p) => p.namespace === namespace && p.endpoints.some((e) => e.endpoint === name));
    if (users.length > 0) throw new AnvilError('ANVIL_ERR_IN_USE', `endpoint ${key} is asked for by pod ${users[0]!.name}; delete the pod first`);
    ctx.state.endpoints.delete(key);
  }

  /** The network pods get when they name none: the one marked default, else the first created. */
  defaultNetwork(): Network | undefined {
    const nets = [...this.ctx.state.networks.values()];
    return nets.find((n) => n.is_default) ?? nets[0];
  }

  createPerfTier(input: PerfTierInput): PerfTier {
    const ctx = this.ctx;
    ctx.can('perftier', 'edit');
    ctx.requireCluster();
    requireName(input.name, 'perf tier');
    if (ctx.state.perfTiers.has(input.name)) throw new AnvilError('ANVIL_ERR_OBJECT_EXISTS', `perf tier ${input.name} already exists`);
    if (ctx.state.perfTiers.size >= MAX_PERF_TIERS) throw new AnvilError('ANVIL_ERR_LIMIT_REACHED', `a cluster has at most ${MAX_PERF_TIERS} perf tiers; delete an unused one first`);
    const tier: PerfTier = { kind: 'PerfTier', ...input, builtin: false };
    checkPerfTier(tier);
    ctx.state.perfTiers.set(tier.name, tier);
    ctx.event('info', 'PerfTierCreated', `perftier/${tier.name}`, `${tier.storage_iops} IOPS, ${tier.network_bandwidth_bits_per_s} bit/s guaranteed`);
    return tier;
  }

  deletePerfTier(name: string): void {
    const ctx = this.ctx;
    ctx.can('perftier', 'edit');
    const tier = ctx.state.perfTiers.get(name);
    if (!tier) throw notFound('perf tier', name, `tiers: ${[...ctx.state.perfTiers.keys()].join(', ')}`);
    if (tier.builtin) throw new AnvilError('ANVIL_ERR_IN_USE', `perf tier ${name} is built in and cannot be deleted`);
    const used = [...ctx.state.pods.values()].some((p) => p.perf_tier === name || p.endpoints.some((e) => e.perf_tier === name)) || [...ctx.state.volumes.values()].some((v) => v.perf_tier === name);
    if (used) throw new AnvilError('ANVIL_ERR_IN_USE', `perf tier ${name} is used by pods or volumes; delete them first`);
    ctx.state.perfTiers.delete(name);
  }

  // Tenants and users

  createTenant(name: string): void {
    const ctx = this.ctx;
    ctx.can('tenant', 'edit');
    requireNamespace(name);
    if (ctx.state.tenants.has(name)) throw new AnvilError('ANVIL_ERR_OBJECT_EXISTS', `namespace ${name} already exists`);
    ctx.state.tenants.set(name, { kind: 'Tenant', name, created_at: ctx.now() });
  }

  /** Like `createTenant`, but a no-op when it exists (a Namespace manifest applied twice). */
  ensureTenant(name: string): void {
    if (!this.ctx.state.tenants.has(name)) this.createTenant(name);
  }

  deleteTenant(name: string): void {
    const ctx = this.ctx;
    ctx.can('tenant', 'edit');
    if (!ctx.state.tenants.has(name)) throw notFound('namespace', name, `namespaces: ${[...ctx.state.tenants.keys()].join(', ')}`);
    const holds = [...ctx.state.pods.values(), ...ctx.state.volumes.values(), ...ctx.state.snapshots.values(), ...ctx.state.endpoints.values()].filter((o) => o.namespace === name);
    if (holds.length > 0) throw new AnvilError('ANVIL_ERR_IN_USE', `namespace ${name} still holds ${holds.length} pods, volumes, snapshots or endpoints; delete them first`);
    ctx.state.tenants.delete(name);
    ctx.state.quotas.delete(name);
  }

  /** Sets (replaces) a namespace's quota (quota.ts); cluster admins only. */
  setQuota(namespace: string, limits: QuotaLimits): Quota {
    return setQuota(this.ctx, namespace, limits);
  }

  deleteQuota(namespace: string): void {
    deleteQuota(this.ctx, namespace);
  }

  // Users (user-service.ts)

  /** Creates a user with roles (see user-service.ts for who may grant what). */
  createUser(name: string, roles: string[]): User {
    return users.createUser(this, name, roles);
  }

  /** Replaces a user's roles. */
  setUserRoles(name: string, roles: string[]): User {
    return users.setUserRoles(this, name, roles);
  }

  /** Deletes a user; its API tokens stop working at once. */
  deleteUser(name: string): void {
    users.deleteUser(this, name);
  }

  // Volumes and snapshots (volume-service.ts)

  createVolume(input: VolumeInput): Volume {
    return volumes.createVolume(this, input);
  }

  /** Refused while attached or while snapshots depend on it, unless `force` (which detaches and deletes those snapshots). */
  deleteVolume(namespace: string, name: string, force = false): void {
    volumes.deleteVolume(this, namespace, name, force);
  }

  /** Adds or drops one mirror (or brings back a plex lost with its node), or grows a detached volume. */
  updateVolume(namespace: string, name: string, change: { mirrors?: number; size_bytes?: number }): Volume {
    return volumes.updateVolume(this, namespace, name, change);
  }

  createSnapshot(namespace: string, name: string, volume: string): Snapshot {
    return volumes.createSnapshot(this, namespace, name, volume);
  }

  /** Restores a snapshot to a new volume: a linked clone on the snapshot's nodes that shares its blocks. */
  restoreSnapshot(namespace: string, snapshot: string, volume: string, perfTier?: string): Volume {
    return volumes.restoreSnapshot(this, namespace, snapshot, volume, perfTier);
  }

  deleteSnapshot(namespace: string, name: string): void {
    volumes.deleteSnapshot(this, namespace, name);
  }

  // Pods

  /** Why a pending pod fits nowhere now, every node's reason (a read: it changes nothing). */
  explainPending(namespace: string, name: string): Pod['status'] {
    this.ctx.can('container', 'view', namespace);
    const pod = this.ctx.state.pods.get(keyOf(namespace, name));
    if (!pod) throw notFound('pod', keyOf(namespace, name), 'list pods with: anvil get pods');
    if (pod.status.state !== 'pending') return pod.status;
    return { state: 'pending', failure: this.scheduling().explain(pod) };
  }

  /** Stores a pod and places it now if it fits; otherwise it stays pending with the reasons. */
  createPod(pod: Omit<Pod, 'kind' | 'status' | 'created_at' | 'seq'>): Pod {
    const ctx = this.ctx;
    requireNamespace(pod.namespace);
    ctx.can('container', 'edit', pod.namespace);
    ctx.requireCluster();
    ctx.requireTenant(pod.namespace);
    requireName(pod.name, 'pod');
    const key = keyOf(pod.namespace, pod.name);
    if (ctx.state.pods.has(key)) throw new AnvilError('ANVIL_ERR_OBJECT_EXISTS', `pod ${key} already exists; delete it first to change it`);
    checkRange(pod.cpu_millicores, `pod ${key}: cpu request (millicores)`, CPU_MILLICORES_RANGE);
    checkRange(pod.memory_bytes, `pod ${key}: memory request (bytes)`, MEMORY_RANGE);
    // A request for a persistent endpoint may leave its network to the endpoint.
    const endpoints = pod.endpoints.map((e) => (e.endpoint !== undefined && e.network === '' ? { ...e, network: ctx.state.endpoints.get(keyOf(pod.namespace, e.endpoint))?.network ?? '' } : e));
    pod = { ...pod, endpoints };
    const seq = ctx.state.counters.next_pod_seq++;
    const full: Pod = { kind: 'Pod', ...pod, status: { state: 'pending', failure: { summary: 'not scheduled yet', nodes: [] } }, created_at: ctx.now(), seq };
    checkPodReferences(ctx, full);
    this.quota.charge(pod.namespace, podCharge(ctx.state, full), `pod ${key}`);
    ctx.state.pods.set(key, full);
    return this.scheduling().place(full);
  }

  /** Deletes the pods a Deployment or StatefulSet made; a StatefulSet's claimed volumes stay, as in Kubernetes. */
  deleteWorkload(namespace: string, kind: 'Deployment' | 'StatefulSet', name: string): number {
    this.ctx.can('container', 'edit', namespace);
    const pods = [...this.ctx.state.pods.values()].filter((p) => p.namespace === namespace && p.owner?.kind === kind && p.owner.name === name);
    if (pods.length === 0) throw notFound(kind.toLowerCase(), keyOf(namespace, name), `list them with: anvil get ${kind.toLowerCase()}s`);
    for (const p of pods) this.deletePod(namespace, p.name);
    return pods.length;
  }

  deletePod(namespace: string, name: string): void {
    const ctx = this.ctx;
    ctx.can('container', 'edit', namespace);
    const key = keyOf(namespace, name);
    const pod = ctx.state.pods.get(key);
    if (!pod) throw notFound('pod', key, 'list pods with: anvil get pods');
    this.scheduling().unbind(pod);
    this.scheduling().forget(pod);
    ctx.state.pods.delete(key);
    this.quota.forget(namespace);
    ctx.event('info', 'PodDeleted', `pod/${key}`, 'deleted');
    this.scheduling().schedulePending();
  }
}

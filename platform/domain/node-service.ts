/**
 * The cluster and its nodes, as operations of the control plane: create the cluster, add, cordon and
 * uncordon nodes, and nodes leaving and coming back: drain, fail (a fault injected), recover and remove.
 * Pods move where they fit; a pod whose volume has no in-sync copy on a live node waits, pending with
 * that reason, until a copy comes back. Each takes the change's context; `ControlPlane` exposes each as
 * a method.
 */
import { AnvilError } from '../errors.js';
import type { ChangeContext } from './change-context.js';
import type { Cluster } from './cluster-state.js';
import { notFound } from './context.js';
import { requireName } from './names.js';
import { DEFAULT_NODE_PROFILE, loadNodeProfile, type NodeInventory } from './node-profile.js';
import { DEFAULT_ZONE, wellKnownLabels, type Node, type Taint } from './node.js';
import { BUILTIN_PERF_TIERS } from './perf-tier.js';
import { dropPlexesOfDrive, dropPlexesOfNode, plexesOnNodeDown, plexesOnNodeUp } from './plex-sync.js';
import { DEFAULT_RESYNC_SHARE, type DirtyFraction } from './resync.js';
import { keyOf, unusableReason } from './volume.js';

/** Pods moved elsewhere and pods left pending by a node leaving (`namespace/name`). */
export interface Moves {
  moved: string[];
  pending: string[];
}

export interface ClusterCreateInput {
  name: string;
  nodes: number;
  nodeProfile?: string;
  policy?: 'balance' | 'pack';
  zones?: number;
  /** Share (0-1] of a node's storage-port bandwidth a resync may take; DEFAULT_RESYNC_SHARE when unset. */
  resyncShare?: number;
}

export interface NodeAddInput {
  name: string;
  profile?: string;
  zone?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
}

/** Most nodes one `cluster create` makes (Kubernetes' documented limit is 5,000 nodes per cluster). */
export const MAX_CLUSTER_NODES = 5000;

export function createCluster(ctx: ChangeContext, input: ClusterCreateInput): Cluster {
  ctx.can('cluster', 'edit');
  requireName(input.name, 'cluster');
  if (ctx.state.cluster)
    throw new AnvilError(
      'ANVIL_ERR_NO_CLUSTER',
      `this state already holds cluster ${ctx.state.cluster.name}; use another --state file, or add nodes with anvil node add`,
    );
  if (!Number.isInteger(input.nodes) || input.nodes < 1 || input.nodes > MAX_CLUSTER_NODES) {
    throw new AnvilError('ANVIL_ERR_FIELD_INVALID', `--nodes ${input.nodes} is not allowed; a cluster has 1 to ${MAX_CLUSTER_NODES} nodes`);
  }
  const zones = input.zones ?? 1;
  if (!Number.isInteger(zones) || zones < 1 || zones > input.nodes)
    throw new AnvilError('ANVIL_ERR_FIELD_INVALID', `--zones ${zones} is not allowed; use 1 to the node count`);
  if (input.resyncShare !== undefined && !(input.resyncShare > 0 && input.resyncShare <= 1)) {
    throw new AnvilError(
      'ANVIL_ERR_FIELD_INVALID',
      `resync share ${input.resyncShare} is not allowed; a resync takes a share above 0 and at most 1 of a node's storage-port bandwidth (default ${DEFAULT_RESYNC_SHARE})`,
    );
  }
  const profile = input.nodeProfile ?? DEFAULT_NODE_PROFILE;
  const inventory = loadNodeProfile(profile);
  const cluster: Cluster = {
    kind: 'Cluster',
    name: input.name,
    node_profile: profile,
    created_at: ctx.now(),
    policy: input.policy ?? 'balance',
    ...(input.resyncShare !== undefined ? { resync_share: input.resyncShare } : {}),
  };
  ctx.state.cluster = cluster;
  const width = String(input.nodes).length;
  for (let n = 1; n <= input.nodes; n++) {
    const zone = zones === 1 ? DEFAULT_ZONE : `zone${(n - 1) % zones}`;
    putNode(ctx, `node${String(n).padStart(width, '0')}`, inventory, zone, {}, []);
  }
  for (const tier of BUILTIN_PERF_TIERS) if (!ctx.state.perfTiers.has(tier.name)) ctx.state.perfTiers.set(tier.name, tier);
  if (!ctx.state.tenants.has('default')) ctx.state.tenants.set('default', { kind: 'Tenant', name: 'default', created_at: ctx.now() });
  ctx.event('info', 'ClusterCreated', `cluster/${input.name}`, `${input.nodes} nodes of profile ${profile}`);
  return cluster;
}

function putNode(
  ctx: ChangeContext,
  name: string,
  inventory: NodeInventory,
  zone: string,
  labels: Record<string, string>,
  taints: Taint[],
): Node {
  const node: Node = {
    kind: 'Node',
    name,
    inventory,
    zone,
    labels: { ...labels, ...wellKnownLabels(name, zone) },
    taints,
    status: { state: 'ready' },
    created_at: ctx.now(),
  };
  ctx.state.nodes.set(name, node);
  return node;
}

export function addNode(ctx: ChangeContext, input: NodeAddInput): Node {
  ctx.can('node', 'edit');
  const cluster = ctx.requireCluster();
  requireName(input.name, 'node');
  if (input.zone !== undefined) requireName(input.zone, 'zone'); // as the API's schema: a zone is named like an object
  if (ctx.state.nodes.has(input.name)) throw new AnvilError('ANVIL_ERR_OBJECT_EXISTS', `node ${input.name} already exists`);
  if (ctx.state.nodes.size >= MAX_CLUSTER_NODES)
    throw new AnvilError('ANVIL_ERR_LIMIT_REACHED', `the cluster already has ${MAX_CLUSTER_NODES} nodes`);
  const node = putNode(
    ctx,
    input.name,
    loadNodeProfile(input.profile ?? cluster.node_profile),
    input.zone ?? DEFAULT_ZONE,
    input.labels ?? {},
    input.taints ?? [],
  );
  ctx.event('info', 'NodeAdded', `node/${node.name}`, `profile ${node.inventory.profile}, zone ${node.zone}`);
  ctx.scheduling().schedulePending();
  return node;
}

function requireNode(ctx: ChangeContext, name: string): Node {
  const node = ctx.state.nodes.get(name);
  if (!node) throw notFound('node', name, `nodes: ${[...ctx.state.nodes.keys()].slice(0, 10).join(', ')}`);
  return node;
}

export function cordonNode(ctx: ChangeContext, name: string): Node {
  ctx.can('node', 'edit');
  const node = requireNode(ctx, name);
  if (node.status.state === 'down') throw new AnvilError('ANVIL_ERR_IN_USE', `node ${name} is down; it takes no pods until it recovers`);
  const cordoned: Node = { ...node, status: { state: 'cordoned' } };
  ctx.state.nodes.set(name, cordoned);
  ctx.event('info', 'NodeCordoned', `node/${name}`, 'no new pods will be placed here');
  return cordoned;
}

export function uncordonNode(ctx: ChangeContext, name: string): Node {
  ctx.can('node', 'edit');
  const node = requireNode(ctx, name);
  if (node.status.state === 'down')
    throw new AnvilError('ANVIL_ERR_IN_USE', `node ${name} is down; bring it back with anvil node recover ${name}`);
  const ready: Node = { ...node, status: { state: 'ready' } };
  ctx.state.nodes.set(name, ready);
  ctx.event('info', 'NodeUncordoned', `node/${name}`, 'pods may be placed here again');
  ctx.resetScheduling();
  ctx.scheduling().schedulePending();
  return ready;
}

/** Takes every pod off `name` and places each elsewhere if it fits. */
function evict(ctx: ChangeContext, name: string, why: string): Moves {
  ctx.resetScheduling();
  const s = ctx.scheduling();
  const state = ctx.state;
  const evicted = [...state.pods.values()].filter((p) => p.status.state === 'running' && p.status.node === name);
  for (const pod of evicted) {
    s.unbind(pod);
    state.pods.set(keyOf(pod.namespace, pod.name), {
      ...pod,
      status: { state: 'pending', failure: { summary: `evicted from ${name} (${why})`, nodes: [] } },
    });
  }
  const moves: Moves = { moved: [], pending: [] };
  for (const pod of evicted) {
    const now = s.place(state.pods.get(keyOf(pod.namespace, pod.name))!);
    (now.status.state === 'running' ? moves.moved : moves.pending).push(`${pod.namespace}/${pod.name}`);
  }
  return moves;
}

/**
 * Stops the running pods (on any node) whose volume has no in-sync copy on a live node any more: each
 * goes back to pending with the reason, and is placed again when a copy comes back.
 */
export function pendPodsWithoutCopy(ctx: ChangeContext, moves: Moves): void {
  const state = ctx.state;
  const s = ctx.scheduling();
  for (const pod of [...state.pods.values()]) {
    if (pod.status.state !== 'running') continue;
    const unusable = pod.volumes.some((n) => {
      const v = state.volumes.get(keyOf(pod.namespace, n));
      return v !== undefined && unusableReason(v) !== undefined;
    });
    if (!unusable) continue;
    s.unbind(pod);
    // place() finds the same reason and keeps the pod pending with it, saying so in a FailedScheduling event.
    s.place({ ...pod, status: { state: 'pending', failure: { summary: `stopped on ${pod.status.node}`, nodes: [] } } });
    moves.pending.push(`${pod.namespace}/${pod.name}`);
  }
}

/** Cordons the node and moves its pods: each goes back to pending and is placed elsewhere if it fits. */
export function drainNode(ctx: ChangeContext, name: string): Moves {
  ctx.can('node', 'edit');
  const node = requireNode(ctx, name);
  if (node.status.state === 'down')
    throw new AnvilError(
      'ANVIL_ERR_IN_USE',
      `node ${name} is down and its pods have moved already; bring it back with anvil node recover ${name}`,
    );
  ctx.state.nodes.set(name, { ...node, status: { state: 'drained' } });
  const r = evict(ctx, name, 'drain');
  ctx.event('info', 'NodeDrained', `node/${name}`, `${r.moved.length} pods moved, ${r.pending.length} pending`);
  return r;
}

/**
 * A node fails (a fault to inject, as the appliance would see it): it goes down, its plexes fall out of
 * sync (or go offline, for a volume's last current copy), its pods move to other nodes where they fit,
 * and pods whose volume is left with no in-sync copy on a live node wait, pending.
 */
export function failNode(ctx: ChangeContext, name: string): Moves {
  ctx.can('node', 'edit');
  const node = requireNode(ctx, name);
  if (node.status.state === 'down') throw new AnvilError('ANVIL_ERR_IN_USE', `node ${name} is already down (since ${node.status.since})`);
  ctx.state.nodes.set(name, { ...node, status: { state: 'down', since: ctx.now() } });
  ctx.event('error', 'NodeDown', `node/${name}`, 'node is down');
  plexesOnNodeDown(ctx, name);
  const moves = evict(ctx, name, 'node down');
  pendPodsWithoutCopy(ctx, moves);
  return moves;
}

/**
 * Drive `drive` (index into the node's inventory) of a live node fails (a fault to inject): its data is
 * gone, so each plex on it is dropped (a mirrored volume runs degraded on its other plexes; a volume whose
 * only current copy was there is lost), and pods left with no usable copy wait, pending. The drive is not
 * replaced: nothing brings it back, and no plex is put back on it by this call.
 */
export function failDrive(ctx: ChangeContext, name: string, drive: number): Moves {
  ctx.can('node', 'edit');
  const node = requireNode(ctx, name);
  const drives = node.inventory.drives.length;
  if (!(Number.isInteger(drive) && drive >= 0 && drive < drives))
    throw new AnvilError('ANVIL_ERR_FIELD_INVALID', `drive ${drive} of node ${name}: give a drive index from 0 to ${drives - 1}`);
  if (node.status.state === 'down')
    throw new AnvilError(
      'ANVIL_ERR_IN_USE',
      `node ${name} is down; a drive fails on a live node (recover it first: anvil node recover ${name})`,
    );
  ctx.event(
    'error',
    'DriveFailed',
    `node/${name}`,
    `drive ${drive} (${node.inventory.drives[drive]!.profile}) failed; its plexes are gone`,
  );
  dropPlexesOfDrive(ctx, name, drive);
  const moves: Moves = { moved: [], pending: [] };
  pendPodsWithoutCopy(ctx, moves);
  return moves;
}

/**
 * A failed node is back: ready again, its offline plexes current again, its out-of-sync plexes resyncing
 * from an in-sync plex (in sync once `advanceResyncs` finds their copy time passed), pending pods retried.
 */
export function recoverNode(ctx: ChangeContext, name: string, dirtyFraction?: DirtyFraction): Node {
  ctx.can('node', 'edit');
  const node = requireNode(ctx, name);
  if (node.status.state !== 'down')
    throw new AnvilError('ANVIL_ERR_IN_USE', `node ${name} is ${node.status.state}, not down; only a failed node recovers`);
  const ready: Node = { ...node, status: { state: 'ready' } };
  ctx.state.nodes.set(name, ready);
  ctx.event('info', 'NodeUp', `node/${name}`, 'node recovered');
  plexesOnNodeUp(ctx, name, dirtyFraction);
  ctx.resetScheduling();
  ctx.scheduling().schedulePending();
  return ready;
}

/**
 * Removes a node. Refused while pods run there or current plexes (in sync or offline) live there; with
 * `force` its plexes are dropped with it (the volume runs degraded on its other mirrors, or is lost when
 * that was its last copy) and its pods are evicted.
 */
export function removeNode(ctx: ChangeContext, name: string, force = false): void {
  ctx.can('node', 'edit');
  const node = requireNode(ctx, name);
  const pods = [...ctx.state.pods.values()].filter((p) => p.status.state === 'running' && p.status.node === name);
  const volumes = [...ctx.state.volumes.values()].filter((v) =>
    v.plexes.some((p) => p.node === name && (p.state === 'in-sync' || p.state === 'offline')),
  );
  const snapshots = [...ctx.state.snapshots.values()].filter((s) => s.nodes.includes(name));
  if (!force && (pods.length > 0 || volumes.length > 0 || snapshots.length > 0)) {
    throw new AnvilError(
      'ANVIL_ERR_IN_USE',
      `node ${name} hosts ${pods.length} pods, ${volumes.length} volume plexes and ${snapshots.length} snapshots; drain it (anvil node drain ${name}) and move its data, or remove it with --force`,
    );
  }
  // The plexes go first, so that no evicted pod is placed against a copy that is leaving.
  if (node.status.state !== 'down') ctx.state.nodes.set(name, { ...node, status: { state: 'drained' } });
  dropPlexesOfNode(ctx, name);
  const moves = evict(ctx, name, 'node removed');
  pendPodsWithoutCopy(ctx, moves);
  for (const s of snapshots) ctx.state.snapshots.set(keyOf(s.namespace, s.name), { ...s, nodes: s.nodes.filter((n) => n !== name) });
  ctx.state.nodes.delete(name);
  ctx.event('warning', 'NodeRemoved', `node/${name}`, force ? 'removed with --force' : 'removed');
  ctx.resetScheduling();
}

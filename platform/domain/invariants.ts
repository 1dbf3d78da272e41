/**
 * The invariants of the control plane, in one place: the store checks them after every change (or group of
 * changes) and refuses to commit a state that breaks one (that would be a bug, not bad input). The whole
 * state (`invariantViolations`), or what changed since the last check (`scopedInvariantViolations`): the
 * volumes and snapshots a change touched and the nodes holding them, the pods it touched with their nodes'
 * sums and the endpoints at their addresses (pod-invariants.ts), the rest when anything else changed.
 */
import { remotePlexHolds } from './storage-admission.js';
import type { ClusterState } from './cluster-state.js';
import { overlappingNetwork } from './network.js';
import { storageCapacityBytes } from './node-profile.js';
import {
  addRunningPod,
  emptyNodeUse,
  endpointViolations,
  nodeUseViolations,
  scopedPodViolations,
  type NodeUse,
  type RunningPod,
} from './pod-invariants.js';
import { MAX_PERF_TIERS } from './perf-tier.js';
import { extentViolations, overlapViolations, plexExtentViolations } from './drive-extents.js';
import type { InvariantScope } from './invariant-scope.js';
import { storageLinkDown } from './links.js';
import { storageUse } from './placement.js';
import type { NodeStorageUse } from './placement-index.js';
import type { Node } from './node.js';
import { keyOf, MAX_MIRRORS, MAX_SNAPSHOTS_PER_VOLUME, volumeStateOf, type Volume } from './volume.js';

/** Every broken invariant, as a sentence; empty when the state is sound. */
export function invariantViolations(state: ClusterState): string[] {
  const bad: string[] = [];
  if (state.perfTiers.size > MAX_PERF_TIERS) bad.push(`${state.perfTiers.size} perf tiers, more than ${MAX_PERF_TIERS}`);
  for (const net of state.networks.values()) {
    const other = overlappingNetwork(net, state.networks.values());
    if (other) bad.push(`network ${net.name} overlaps ${other.name}`);
  }
  if ([...state.networks.values()].filter((n) => n.is_default).length > 1) bad.push('more than one default network');
  for (const n of state.nodes.values())
    for (const port of n.links_down ?? [])
      if (!n.inventory.nic_ports.some((p) => p.name === port))
        bad.push(`node ${n.name}: link down on port ${port}, which it does not have`);

  const use = new Map<string, NodeUse>();
  const macs = new Set<string>();
  const ips = new Set<string>();
  const held = new Set<string>();
  // IOPS that running pods' volumes' writes take of other nodes holding their plexes (storage-admission.ts).
  const plexIops = new Map<string, number>();
  for (const pod of state.pods.values()) {
    const key = keyOf(pod.namespace, pod.name);
    for (const a of pod.addresses ?? []) {
      if (held.has(`${a.network}/${a.ip}`) || held.has(a.mac))
        bad.push(`pod ${key}: address ${a.ip} or MAC ${a.mac} is held by another pod too`);
      held.add(`${a.network}/${a.ip}`);
      held.add(a.mac);
    }
    if (pod.status.state !== 'running') continue;
    const node = state.nodes.get(pod.status.node);
    if (!node) {
      bad.push(`pod ${key} runs on missing node ${pod.status.node}`);
      continue;
    }
    let u = use.get(node.name);
    if (!u) use.set(node.name, (u = emptyNodeUse()));
    addRunningPod(state, key, pod as RunningPod, node, u, bad);
    for (const h of remotePlexHolds(state, pod, pod.status.volume_reservations, pod.status.node))
      plexIops.set(h.node, (plexIops.get(h.node) ?? 0) + h.iops);
    for (const e of pod.status.endpoints) {
      if (macs.has(e.mac)) bad.push(`MAC ${e.mac} given twice`);
      macs.add(e.mac);
      const ipKey = `${e.network}/${e.ip}`;
      if (ips.has(ipKey)) bad.push(`IP ${e.ip} on ${e.network} given twice`);
      ips.add(ipKey);
    }
  }
  for (const name of plexIops.keys()) if (!use.has(name) && state.nodes.has(name)) use.set(name, emptyNodeUse());
  for (const [name, u] of use) bad.push(...nodeUseViolations(state.nodes.get(name)!, u, plexIops.get(name) ?? 0));

  for (const ep of state.endpoints.values()) {
    const holders = [...state.pods.values()].filter((p) => (p.addresses ?? []).some((a) => a.network === ep.network && a.ip === ep.ip));
    bad.push(
      ...endpointViolations(
        state,
        ep,
        holders.map((p) => keyOf(p.namespace, p.name)),
      ),
    );
  }
  const snapCount = new Map<string, number>();
  for (const s of state.snapshots.values())
    snapCount.set(keyOf(s.namespace, s.volume), (snapCount.get(keyOf(s.namespace, s.volume)) ?? 0) + 1);
  const anyStorageLinkDown = [...state.nodes.keys()].some((n) => storageLinkDown(state, n));
  for (const v of state.volumes.values())
    bad.push(...volumeViolations(state, v, snapCount.get(keyOf(v.namespace, v.name)) ?? 0, anyStorageLinkDown));
  bad.push(...extentViolations(state));
  for (const [name, u] of storageUse(state)) {
    const node = state.nodes.get(name);
    if (node) bad.push(...nodeStorageViolations(node, u));
  }
  return bad;
}

/**
 * What one volume breaks on its own: its plexes (count, state, nodes, resync source, one per node), its
 * snapshots (`snapshots`: how many it has), its attachment. `anyStorageLinkDown`: whether some node has its
 * storage link down (then a live node's plex may be offline).
 */
export function volumeViolations(state: ClusterState, v: Volume, snapshots: number, anyStorageLinkDown: boolean): string[] {
  const bad: string[] = [];
  const key = keyOf(v.namespace, v.name);
  // Fewer plexes than mirrors: some went with their removed node, to be brought back with --mirrors.
  if (v.mirrors < 1 || v.mirrors > MAX_MIRRORS || v.plexes.length > v.mirrors)
    bad.push(`volume ${key}: ${v.plexes.length} plexes for ${v.mirrors} mirrors`);
  if (v.state !== volumeStateOf(v)) bad.push(`volume ${key} is marked ${v.state}, its plexes make it ${volumeStateOf(v)}`);
  for (const p of v.plexes) {
    const node = state.nodes.get(p.node);
    if (!node) bad.push(`volume ${key} has a plex on missing node ${p.node}`);
    else if (
      ((p.state === 'in-sync' || p.state === 'resyncing') && node.status.state === 'down') ||
      // A live node's plex is offline only while a downed storage link cuts it off (link-service.ts).
      (p.state === 'offline' && node.status.state !== 'down' && !anyStorageLinkDown)
    )
      bad.push(`volume ${key}: plex on ${p.node} is ${p.state}, its node ${node.status.state}`);
    if (p.state === 'resyncing' && !v.plexes.some((s) => s.node === p.resync.source && s.state === 'in-sync'))
      bad.push(`volume ${key}: plex on ${p.node} resyncs from ${p.resync.source}, which holds no in-sync plex of it`);
  }
  if (new Set(v.plexes.map((p) => p.node)).size !== v.plexes.length) bad.push(`volume ${key}: two plexes on one node`);
  if (snapshots > MAX_SNAPSHOTS_PER_VOLUME) bad.push(`volume ${key}: more than ${MAX_SNAPSHOTS_PER_VOLUME} snapshots`);
  if (v.attachment.state === 'attached') {
    const pod = state.pods.get(keyOf(v.namespace, v.attachment.pod));
    if (!pod || pod.status.state !== 'running' || pod.status.node !== v.attachment.node)
      bad.push(`volume ${key} attached to ${v.attachment.pod}, which is not running on ${v.attachment.node}`);
  }
  return bad;
}

/** Whether a node's plexes overrun its storage or its volume count (`use`: its bytes and volumes, plexes and snapshots). */
export function nodeStorageViolations(node: Node, use: NodeStorageUse): string[] {
  const bad: string[] = [];
  const name = node.name;
  if (use.bytes > storageCapacityBytes(node.inventory))
    bad.push(`node ${name}: ${use.bytes} bytes of plexes on ${storageCapacityBytes(node.inventory)}`);
  if (use.volumes > node.inventory.max_volumes) bad.push(`node ${name}: ${use.volumes} volumes of ${node.inventory.max_volumes}`);
  return bad;
}

/**
 * The invariants a change recorded in `scope` could have broken: every one when the scope is wide, else
 * those of each volume it touched (plexes, extents' bounds, snapshot count) and of each node whose storage
 * it touched (bytes, volume count, overlapping extents, read from the state's placement index), and those of
 * each pod it touched (`scopedPodViolations`). A volume or snapshot is in no other invariant unless attached
 * to a pod, and a pod in none of a volume unless it names, reserves or holds one: either makes the scope wide
 * (invariant-scope.ts).
 */
export function scopedInvariantViolations(state: ClusterState, scope: InvariantScope): string[] {
  if (scope.wide) return invariantViolations(state);
  const bad: string[] = [];
  if (scope.volumes.size > 0) {
    const snapCount = new Map<string, number>();
    for (const s of state.snapshots.values()) {
      const key = keyOf(s.namespace, s.volume);
      if (scope.volumes.has(key)) snapCount.set(key, (snapCount.get(key) ?? 0) + 1);
    }
    let anyStorageLinkDown = false;
    for (const n of state.nodes.keys()) if ((anyStorageLinkDown = storageLinkDown(state, n))) break;
    for (const key of scope.volumes) {
      const v = state.volumes.get(key);
      if (v === undefined) continue;
      bad.push(...volumeViolations(state, v, snapCount.get(key) ?? 0, anyStorageLinkDown), ...plexExtentViolations(state, v));
    }
  }
  const use = state.placementUse();
  for (const name of scope.nodes) {
    const node = state.nodes.get(name);
    if (node === undefined) continue;
    bad.push(...nodeStorageViolations(node, use.storageOf(name)), ...overlapViolations(name, use.drivesOf(node)));
  }
  if (scope.pods.size > 0) bad.push(...scopedPodViolations(state, scope));
  return bad;
}

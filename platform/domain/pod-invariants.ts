/**
 * The invariants about pods, shared by the whole-state check (invariants.ts) and the check of what a change
 * touched: a running pod's own (reservations, endpoints bound to its addresses, VFs, IPs, zones, volumes),
 * its node's sums (CPU, memory, pods, VFs, IOPS with the writes of other nodes' pods' mirrored volumes,
 * bandwidth, storage controllers), addresses and bound MACs and IPs held once, persistent endpoints bound
 * to the pod holding their address alone. The scoped check reads the others through the state's pod index
 * (pod-index.ts) instead of walking every pod.
 */
import type { ClusterState } from './cluster-state.js';
import type { Endpoint } from './endpoint.js';
import type { InvariantScope } from './invariant-scope.js';
import { parseIpv4 } from './ip.js';
import type { Node } from './node.js';
import { podVfCount } from './node-profile.js';
import type { Pod } from './pod.js';
import { remotePlexHolds } from './storage-admission.js';
import { keyOf, unusableReason } from './volume.js';

/** What a node's running pods take of it (IOPS in guaranteeable IOPS, bandwidth in bit/s). */
export interface NodeUse {
  cpu: number;
  mem: number;
  pods: number;
  /** `port/vf` of each bound endpoint. */
  vfs: Set<string>;
  iops: number;
  bw: number;
  /** Volumes attached locally, and remotely. */
  local: number;
  remote: number;
}

export function emptyNodeUse(): NodeUse {
  return { cpu: 0, mem: 0, pods: 0, vfs: new Set(), iops: 0, bw: 0, local: 0, remote: 0 };
}

/** A pod in its running state. */
export type RunningPod = Pod & { readonly status: Extract<Pod['status'], { state: 'running' }> };

/** Adds running `pod` (key `key`) on `node` to the node's `use`, and pushes to `bad` what the pod breaks on its own. */
export function addRunningPod(state: ClusterState, key: string, pod: RunningPod, node: Node, use: NodeUse, bad: string[]): void {
  use.cpu += pod.cpu_millicores;
  use.mem += pod.memory_bytes;
  use.pods++;
  use.iops += pod.status.admitted_iops ?? pod.status.reserved_iops;
  use.bw += pod.status.reserved_bandwidth_bits_per_s;
  const perVolume = pod.status.volume_reservations;
  if (
    perVolume.length > 0 &&
    (perVolume.reduce((s, r) => s + r.iops, 0) !== pod.status.reserved_iops || perVolume.some((r, i) => r.volume !== pod.volumes[i]))
  ) {
    bad.push(
      `pod ${key}: its volumes' reservations (${perVolume.map((r) => `${r.volume} ${r.iops}`).join(', ')}) do not split its ${pod.status.reserved_iops} reserved IOPS over its volumes`,
    );
  }
  if (pod.status.endpoints.length !== pod.endpoints.length)
    bad.push(`pod ${key} has ${pod.status.endpoints.length} bound endpoints for ${pod.endpoints.length} requested`);
  pod.status.endpoints.forEach((e, k) => {
    const a = pod.addresses?.[k];
    if (!a || a.ip !== e.ip || a.mac !== e.mac || a.network !== e.network)
      bad.push(`pod ${key}: endpoint ${k} is bound to ${e.ip}/${e.mac}, not the pod's own addresses`);
  });
  for (const e of pod.status.endpoints) {
    const vf = `${e.port}/${e.vf}`;
    if (use.vfs.has(vf)) bad.push(`VF ${vf} on ${node.name} given twice`);
    use.vfs.add(vf);
    const port = node.inventory.nic_ports.find((p) => p.name === e.port && p.role === 'pods');
    if (!port || e.vf < 0 || e.vf >= port.vfs) bad.push(`pod ${key}: VF ${vf} does not exist on ${node.name}`);
    const net = state.networks.get(e.network);
    const ip = parseIpv4(e.ip);
    if (!net || ip === undefined || ip < parseIpv4(net.start)! || ip > parseIpv4(net.end)!)
      bad.push(`pod ${key}: IP ${e.ip} outside network ${e.network}'s range`);
    if (net?.zone !== undefined && net.zone !== node.zone)
      bad.push(`pod ${key} on ${node.name} (zone ${node.zone}) has an endpoint on ${net.name} (zone ${net.zone})`);
  }
  for (const name of pod.volumes) {
    const v = state.volumes.get(keyOf(pod.namespace, name));
    if (!v || v.attachment.state !== 'attached' || v.attachment.pod !== pod.name || v.attachment.node !== node.name) {
      bad.push(`pod ${key}'s volume ${name} is not attached to it on ${node.name}`);
    } else if (unusableReason(v) !== undefined) bad.push(`pod ${key} runs with volume ${name}, which is ${v.state}`);
    else if (v.attachment.via === 'local') use.local++;
    else use.remote++;
  }
}

/** What a node's pods' `use` and `plexIops` (other nodes' pods' mirrored writes held here) break of its inventory. */
export function nodeUseViolations(node: Node, use: NodeUse, plexIops: number): string[] {
  const bad: string[] = [];
  const name = node.name;
  const inv = node.inventory;
  if (use.cpu > inv.cpu_millicores) bad.push(`node ${name}: ${use.cpu}m cpu requested of ${inv.cpu_millicores}m`);
  if (use.mem > inv.memory_bytes) bad.push(`node ${name}: ${use.mem} bytes memory requested of ${inv.memory_bytes}`);
  if (use.pods > inv.max_pods) bad.push(`node ${name}: ${use.pods} pods of ${inv.max_pods}`);
  if (use.vfs.size > podVfCount(inv)) bad.push(`node ${name}: ${use.vfs.size} VFs of ${podVfCount(inv)}`);
  const iops = use.iops + plexIops;
  if (iops > inv.guaranteeable_iops) bad.push(`node ${name}: ${iops} IOPS guaranteed of ${inv.guaranteeable_iops} guaranteeable`);
  if (use.bw > inv.guaranteeable_bandwidth_bits_per_s)
    bad.push(`node ${name}: ${use.bw} bit/s guaranteed of ${inv.guaranteeable_bandwidth_bits_per_s}`);
  if (use.local > inv.local_controllers) bad.push(`node ${name}: ${use.local} local storage controllers of ${inv.local_controllers}`);
  if (use.remote > inv.remote_controllers) bad.push(`node ${name}: ${use.remote} remote storage controllers of ${inv.remote_controllers}`);
  return bad;
}

/** What a persistent endpoint breaks, `holders` the keys of the pods whose addresses hold its IP. */
export function endpointViolations(state: ClusterState, ep: Endpoint, holders: readonly string[]): string[] {
  const bad: string[] = [];
  const key = keyOf(ep.namespace, ep.name);
  const net = state.networks.get(ep.network);
  const ip = parseIpv4(ep.ip);
  if (!net || ip === undefined || ip < parseIpv4(net.start)! || ip > parseIpv4(net.end)!)
    bad.push(`endpoint ${key}: IP ${ep.ip} outside network ${ep.network}'s range`);
  if (ep.binding.state === 'free' && holders.length > 0)
    bad.push(`endpoint ${key} is free but pod ${state.pods.get(holders[0]!)!.name} holds its IP`);
  if (ep.binding.state === 'bound') {
    const podKey = keyOf(ep.namespace, ep.binding.pod);
    if (!state.pods.has(podKey) || holders.length !== 1 || holders[0] !== podKey)
      bad.push(`endpoint ${key} is bound to ${ep.binding.pod}, which does not hold its address alone`);
  }
  return bad;
}

/**
 * The invariants about pods a change recorded in `scope` could have broken (its pods read no volume, or the
 * scope is wide: invariant-scope.ts): each changed pod's addresses held by no other pod and its node there;
 * the sums of each node a changed pod runs on, over all its running pods, the pods' own invariants with
 * them; the endpoints at an address a changed pod held or holds. From a sound state nothing else can break:
 * a pod leaving a node only gives back; its bound endpoints are its addresses (else its own check fails), so
 * a MAC or IP bound twice is an address held twice; an endpoint bound to it is at one of its addresses.
 */
export function scopedPodViolations(state: ClusterState, scope: InvariantScope): string[] {
  const bad: string[] = [];
  const index = state.podIndex;
  for (const key of scope.pods) {
    const pod = state.pods.get(key);
    if (pod === undefined) continue;
    const own = new Set<string>();
    for (const a of pod.addresses ?? []) {
      const ipKey = `${a.network}/${a.ip}`;
      if (own.has(ipKey) || own.has(a.mac) || index.holdersOf(ipKey).size > 1 || index.holdersOf(a.mac).size > 1)
        bad.push(`pod ${key}: address ${a.ip} or MAC ${a.mac} is held by another pod too`);
      own.add(ipKey);
      own.add(a.mac);
    }
    if (pod.status.state !== 'running') continue;
    if (!state.nodes.has(pod.status.node)) bad.push(`pod ${key} runs on missing node ${pod.status.node}`);
  }
  for (const name of scope.podNodes) {
    const node = state.nodes.get(name);
    if (node === undefined) continue;
    const use = emptyNodeUse();
    for (const key of index.runningOn(name)) addRunningPod(state, key, state.pods.get(key) as RunningPod, node, use, bad);
    bad.push(...nodeUseViolations(node, use, plexIopsOn(state, name)));
  }
  const endpoints = new Set<string>();
  for (const ip of scope.podAddresses) for (const ep of index.endpointsAtAddress(ip)) endpoints.add(ep);
  for (const key of endpoints) {
    const ep = state.endpoints.get(key)!;
    bad.push(...endpointViolations(state, ep, [...index.holdersOf(`${ep.network}/${ep.ip}`)]));
  }
  return bad;
}

/** The IOPS the writes of running pods' mirrored volumes (pods on nodes the state has) take on `node`. */
function plexIopsOn(state: ClusterState, node: string): number {
  const index = state.podIndex;
  const seen = new Set<string>();
  let iops = 0;
  for (const volume of index.volumesOn(node))
    for (const key of index.reserversOf(volume)) {
      if (seen.has(key)) continue;
      seen.add(key);
      const pod = state.pods.get(key) as RunningPod;
      if (!state.nodes.has(pod.status.node)) continue;
      for (const h of remotePlexHolds(state, pod, pod.status.volume_reservations, pod.status.node)) if (h.node === node) iops += h.iops;
    }
  return iops;
}

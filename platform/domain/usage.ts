/** What each node has used of what it has: the figures `anvil cluster status` shows, from the state alone. */
import { remotePlexHolds } from './storage-admission.js';
import type { ClusterState } from './cluster-state.js';

export interface NodeUsage {
  readonly node: string;
  readonly pods: number;
  readonly cpu_millicores: number;
  readonly memory_bytes: number;
  readonly storage_bytes: number;
  readonly volumes: number;
  readonly iops: number;
  readonly bandwidth_bits_per_s: number;
  readonly vfs: number;
  readonly local_controllers: number;
  readonly remote_controllers: number;
}

export function nodeUsage(state: ClusterState): Map<string, NodeUsage> {
  const storage = state.placementUse();
  const out = new Map<string, { -readonly [K in keyof NodeUsage]: NodeUsage[K] }>();
  for (const name of state.nodes.keys()) {
    const s = storage.storageOf(name);
    out.set(name, {
      node: name,
      pods: 0,
      cpu_millicores: 0,
      memory_bytes: 0,
      storage_bytes: s.bytes,
      volumes: s.volumes,
      iops: 0,
      bandwidth_bits_per_s: 0,
      vfs: 0,
      local_controllers: 0,
      remote_controllers: 0,
    });
  }
  for (const pod of state.pods.values()) {
    if (pod.status.state !== 'running') continue;
    const u = out.get(pod.status.node);
    if (!u) continue;
    u.pods++;
    u.cpu_millicores += pod.cpu_millicores;
    u.memory_bytes += pod.memory_bytes;
    u.iops += pod.status.admitted_iops ?? pod.status.reserved_iops;
    // Its volumes' writes on the other nodes holding their plexes.
    for (const h of remotePlexHolds(state, pod, pod.status.volume_reservations, pod.status.node)) {
      const plexNode = out.get(h.node);
      if (plexNode) plexNode.iops += h.iops;
    }
    u.bandwidth_bits_per_s += pod.status.reserved_bandwidth_bits_per_s;
    u.vfs += pod.status.endpoints.length;
  }
  for (const v of state.volumes.values()) {
    if (v.attachment.state !== 'attached') continue;
    const u = out.get(v.attachment.node);
    if (!u) continue;
    if (v.attachment.via === 'local') u.local_controllers++;
    else u.remote_controllers++;
  }
  return out;
}

/**
 * A placed scenario as the host realiser's plan (bench/targets/host/realise/host-plan.ts): the pods the
 * control plane admitted, with the first endpoint's IP and MAC it allocated and its tier's network
 * guarantee and maximum; the volumes those pods use, each a bounded sparse file with Linux caps: its
 * tier's storage maximum, or, where other volumes on the node hold reservations, what the node can
 * guarantee (its profile's, from calibration on a host) less theirs, whichever is lower. What the host cannot realise yet is refused first, every item named at once.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { LoadedClusterScenario } from '../../bench/scenario/load.js';
import type { StackName } from '../../bench/scenario/schema.js';
import { tierIoCaps, type HostPlan, type HostPodPlan, type HostVolumePlan } from '../../bench/targets/host/realise/host-plan.js';
import type { ClusterState } from '../domain/cluster-state.js';
import { parseCidr } from '../domain/ip.js';
import { AnvilError } from '../errors.js';

/** Longest scenario a host run takes, ns: a run holds the machine, so it is bounded whatever the file says. */
export const MAX_HOST_SCENARIO_NS = 600e9;

/** Largest backing file of a volume, bytes: a 200Gi volume is realised as a 1 GiB sparse file (its jobs' I/O stays inside). */
export const MAX_HOST_VOLUME_BYTES = 2 ** 30;

/**
 * Refuses what `--target host` does not realise yet (before anything is placed or made), naming each
 * entry: the DIY stack, faults, snapshots, more than one node, VLANs. ANVIL_ERR_HOST_UNREALISED.
 */
export function checkHostRealisable(s: LoadedClusterScenario, stacks: readonly StackName[]): void {
  const problems: string[] = [];
  if (stacks.includes('diy'))
    problems.push(
      `/stack: diy (overlay CNI, software-defined storage) is not realised on a host yet; run --stack hci on the host, or --target sim for diy`,
    );
  s.faults.forEach((f, i) =>
    problems.push(`/faults/${i}: ${f.event} is not realised on a host yet (faults run on the model: --target sim)`),
  );
  s.snapshots.forEach((_, i) => problems.push(`/snapshots/${i}: snapshots are not realised on a host yet`));
  if (s.nodes.length > 1)
    problems.push(`/nodes: ${s.nodes.length} nodes; a host run realises one node (this machine); give the scenario one node`);
  s.spec.networks.forEach((n, i) => {
    if (n.vlan !== undefined) problems.push(`/networks/${i}/vlan: VLAN ${n.vlan} is not realised on the host bridge yet; leave vlan out`);
  });
  s.spec.volumes.forEach((v, i) => {
    if (v.mirrors > 1)
      problems.push(
        `/volumes/${i}/mirrors: ${v.mirrors} plexes; mirrored volumes (md RAID1, remote plexes over NVMe/TCP) are not realised on a host yet`,
      );
  });
  if (s.duration_ns > MAX_HOST_SCENARIO_NS)
    problems.push(`/duration: ${s.duration_ns / 1e9}s; a host run lasts at most ${MAX_HOST_SCENARIO_NS / 1e9}s`);
  if (problems.length > 0)
    throw new AnvilError(
      'ANVIL_ERR_HOST_UNREALISED',
      `${s.file} asks the host for what it does not realise yet (${problems.length} item${problems.length > 1 ? 's' : ''}); the host realises one node's pods (namespaces on a bridge, HTB classes), volumes (loop devices) and storage caps (cgroups), on the hci stack`,
      problems,
    );
}

/** Read fraction of the workloads on `volume` (their jobs' mean), or 0.5 when none run on it. */
function readFraction(s: LoadedClusterScenario, volume: string): number {
  const specs = s.workloads.filter((w) => w.volume === volume).flatMap((w) => w.specs);
  return specs.length === 0 ? 0.5 : specs.reduce((a, x) => a + x.readFraction, 0) / specs.length;
}

/** The plan and the notes a user should read (what was bounded or left out). */
export function hostPlanOf(s: LoadedClusterScenario, state: ClusterState): { plan: HostPlan; notes: string[] } {
  const notes: string[] = [];
  const problems: string[] = [];
  const runId = randomBytes(3).toString('hex');
  const running = [...state.pods.values()].filter((p) => p.status.state === 'running');
  const node = [...state.nodes.values()][0];
  const link_bits_per_s = node?.inventory.nic_ports.find((p) => p.role === 'pods')?.speed_bits_per_s ?? 10e9;
  const pods: HostPodPlan[] = [];
  for (const p of running) {
    if (p.status.state !== 'running') continue;
    const key = `${p.namespace}/${p.name}`;
    const ep = p.status.endpoints[0];
    if (!ep) {
      problems.push(`pod ${key} has no network endpoint; the host gives every pod a namespace on the bridge`);
      continue;
    }
    if (p.status.endpoints.length > 1)
      notes.push(`note: ${s.file}: pod ${key}: only its first endpoint (${ep.network}) is realised on the host`);
    const subnet = state.networks.get(ep.network)?.subnet;
    const prefix = subnet !== undefined ? parseCidr(subnet)?.prefix : undefined;
    const tier = state.perfTiers.get(ep.perf_tier);
    pods.push({
      key,
      ip: ep.ip,
      prefix: prefix ?? 24,
      mac: ep.mac,
      rate_bits_per_s: tier?.network_bandwidth_bits_per_s ?? 0,
      ceil_bits_per_s: tier?.max_network_bandwidth_bits_per_s ?? link_bits_per_s,
    });
    const podNode = p.status.node;
    for (const name of p.volumes) {
      const vkey = `${p.namespace}/${name}`;
      const v = state.volumes.get(vkey);
      if (!v) continue;
      const remote = v.plexes.filter((x) => x.node !== podNode);
      if (remote.length > 0)
        problems.push(
          `volume ${vkey}: a plex on node ${remote[0]!.node}, away from its pod's node; remote volumes are not realised on a host yet`,
        );
    }
  }
  if (problems.length > 0)
    throw new AnvilError('ANVIL_ERR_HOST_UNREALISED', `${s.file}: the placement asks the host for what it does not realise yet`, problems);

  // Linux caps, it keeps no floors: where the node's pods reserve IOPS, every other volume is capped at
  // what the node can guarantee less the others' reservations, so a neighbour cannot take a reservation.
  const reserved = new Map<string, number>();
  for (const p of running)
    if (p.status.state === 'running')
      for (const r of p.status.volume_reservations) {
        const key = `${p.namespace}/${r.volume}`;
        reserved.set(key, (reserved.get(key) ?? 0) + r.iops);
      }
  const totalReserved = [...reserved.values()].reduce((a, b) => a + b, 0);
  const capacity = node?.inventory.guaranteeable_iops ?? 0;
  const volumes: HostVolumePlan[] = [];
  const claimed = new Map<string, string>();
  for (const p of pods) {
    const pod = state.pods.get(p.key)!;
    for (const name of pod.volumes) {
      const vkey = `${pod.namespace}/${name}`;
      const v = state.volumes.get(vkey);
      if (!v) continue;
      const first = claimed.get(vkey);
      if (first !== undefined) {
        notes.push(`note: ${s.file}: volume ${vkey} is used by ${first} and ${p.key}; its caps apply to ${first}'s cgroup only`);
        continue;
      }
      claimed.set(vkey, p.key);
      const size_bytes = Math.min(v.size_bytes, MAX_HOST_VOLUME_BYTES);
      if (size_bytes < v.size_bytes)
        notes.push(
          `note: ${s.file}: volume ${vkey} is realised as a ${size_bytes / 2 ** 30} GiB sparse file (the host's bound), not ${v.size_bytes / 2 ** 30} GiB`,
        );
      const tierMax = state.perfTiers.get(v.perf_tier)?.max_storage_iops;
      const others = totalReserved - (reserved.get(vkey) ?? 0);
      const left = others > 0 ? Math.max(reserved.get(vkey) ?? 0, capacity - others) : undefined;
      const max = tierMax !== undefined && (left === undefined || tierMax <= left) ? tierMax : left;
      const cap_from = max === undefined ? undefined : max === tierMax ? ('tier' as const) : ('neighbours' as const);
      volumes.push({
        key: vkey,
        pod: p.key,
        size_bytes,
        ...(max !== undefined ? { caps: tierIoCaps(max, readFraction(s, vkey)), cap_iops: max, cap_from } : {}),
      });
    }
  }
  return { plan: { runId, link_bits_per_s, pods, volumes, workDir: join(tmpdir(), `anvil-host-${runId}`) }, notes };
}

/**
 * A placed scenario as the host realiser's plan (bench/targets/host/realise/host-plan.ts): the nodes, each
 * with its pods port speed (its segment's uplink); the pods the control plane admitted, on their node, with
 * the first endpoint's IP and MAC it allocated and its tier's network guarantee and maximum; the volumes
 * those pods use, each a bounded sparse file with Linux caps: its tier's storage maximum, or, where other
 * volumes on its node hold reservations, what the node can guarantee (its profile's, from calibration on a
 * host) less theirs, whichever is lower. What the host cannot run at all is refused first, every item named
 * at once; what the kernel lacks (VLANs, mirrors, remote plexes, snapshots) is a shortfall: left out, the rest runs.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { LoadedClusterScenario } from '../../bench/scenario/load.js';
import type { StackName } from '../../bench/scenario/schema.js';
import {
  MAX_HOST_NODES,
  tierIoCaps,
  type HostNodePlan,
  type HostPlan,
  type HostPodPlan,
  type HostVlanPlan,
  type HostVolumePlan,
} from '../../bench/targets/host/realise/host-plan.js';
import type { KernelFeature } from '../../bench/targets/host/realise/kernel-features.js';
import type { ClusterState } from '../domain/cluster-state.js';
import { parseCidr } from '../domain/ip.js';
import { AnvilError } from '../errors.js';
import { scenarioShortfalls, shortfall, type HostShortfall } from './host-shortfalls.js';
import { sriovPlanOf, type SriovPfChoice } from './host-sriov-of.js';

export type { SriovPfChoice } from './host-sriov-of.js';

/** One `--host-device`: a scenario volume (`TENANT/NAME`, or `NAME` where one tenant has it) and the user's block device it runs on. */
export interface HostDeviceChoice {
  readonly volume: string;
  /** The path as the user gave it (/dev/nvme0n2, /dev/vg0/lv1, /dev/disk/by-id/...). */
  readonly device: string;
}

/**
 * The user's own devices for volumes, those fio may write over although they hold a file system
 * (`--destroy-data-on`), and the PFs whose VFs the pods get (`--sriov-pf`).
 */
export interface HostDevices {
  readonly choices: readonly HostDeviceChoice[];
  readonly destroyDataOn: readonly string[];
  readonly sriovPfs?: readonly SriovPfChoice[];
  /** Where sysfs lists network devices for the SR-IOV checks (default /sys/class/net; a test's fake tree). */
  readonly sysClassNet?: string;
}

/**
 * Each `--host-device` choice by volume key; ANVIL_ERR_USAGE naming each volume the scenario does not have
 * (or that two tenants have under that name).
 */
function devicesByVolume(s: LoadedClusterScenario, devices: HostDevices): Map<string, string> {
  const out = new Map<string, string>();
  const problems: string[] = [];
  const keys = s.spec.volumes.map((v) => `${v.tenant}/${v.name}`);
  for (const c of devices.choices) {
    const matches = c.volume.includes('/') ? keys.filter((k) => k === c.volume) : keys.filter((k) => k.endsWith(`/${c.volume}`));
    if (matches.length === 1) out.set(matches[0]!, c.device);
    else
      problems.push(
        matches.length === 0
          ? `--host-device ${c.volume}=${c.device}: the scenario has no volume ${c.volume}; its volumes are ${keys.join(', ') || 'none'}`
          : `--host-device ${c.volume}=${c.device}: ${matches.join(' and ')} are both named ${c.volume}; say TENANT/NAME`,
      );
  }
  if (problems.length > 0) throw new AnvilError('ANVIL_ERR_USAGE', `${s.file}: --host-device names volumes the scenario lacks`, problems);
  return out;
}

/** Faults a host realises: a node's segment cut off and its pods stopped, a node's pods link down. */
export const HOST_FAULTS: readonly string[] = ['node-down', 'node-up', 'link-down', 'link-up'];

/** Longest scenario a host run takes, ns: a run holds the machine, so it is bounded whatever the file says. */
export const MAX_HOST_SCENARIO_NS = 600e9;

/** Largest backing file of a volume, bytes: a 200Gi volume is realised as a 1 GiB sparse file (its jobs' I/O stays inside). */
export const MAX_HOST_VOLUME_BYTES = 2 ** 30;

/**
 * Refuses what `--target host` cannot run at all (before anything is placed or made), naming each entry:
 * the DIY stack, drive faults, too many nodes, too long a run (link faults on a port other than a node's
 * pods port are refused by `hostPlanOf`, which knows the nodes' ports). ANVIL_ERR_HOST_UNREALISED. What it leaves out while the rest runs (VLANs, mirrors, remote plexes,
 * snapshots where the kernel lacks them) is a shortfall (host-shortfalls.ts), not a refusal.
 */
export function checkHostRealisable(s: LoadedClusterScenario, stacks: readonly StackName[]): void {
  const problems: string[] = [];
  if (stacks.includes('diy'))
    problems.push(
      `/stack: diy (overlay CNI, software-defined storage) is not realised on a host yet; run --stack hci on the host, or --target sim for diy`,
    );
  s.faults.forEach((f, i) => {
    if (!HOST_FAULTS.includes(f.event))
      problems.push(
        `/faults/${i}: ${f.event} is not realised on a host (failing a loop device needs device-mapper's error target); the host realises ${HOST_FAULTS.join(', ')}, the model all (--target sim)`,
      );
  });
  if (s.nodes.length > MAX_HOST_NODES)
    problems.push(`/nodes: ${s.nodes.length} nodes; a host run realises at most ${MAX_HOST_NODES} (a segment bridge and an uplink each)`);
  if (s.duration_ns > MAX_HOST_SCENARIO_NS)
    problems.push(`/duration: ${s.duration_ns / 1e9}s; a host run lasts at most ${MAX_HOST_SCENARIO_NS / 1e9}s`);
  if (problems.length > 0)
    throw new AnvilError(
      'ANVIL_ERR_HOST_UNREALISED',
      `${s.file} asks the host for what it does not realise yet (${problems.length} item${problems.length > 1 ? 's' : ''}); the host realises nodes as bridges on a ToR bridge, pods (namespaces, HTB classes), volumes (loop devices), storage caps (cgroups) and node and link faults, on the hci stack`,
      problems,
    );
}

/** Tools a host run needs for some items only (a mirror needs mdadm); the others are checked as they run. */
export type HostTool = 'mdadm';

/**
 * Which plexes of a volume (on `plexes`' nodes, in the control plane's order, so `#N` names the same plex in
 * the records) the host realises for a pod on `podNode`: all of them where the kernel has md RAID1 (and mdadm is installed) for a mirror and NVMe/TCP for a
 * plex on another node; else its pod's node's plex alone, or else one remote plex over NVMe/TCP; else none.
 * What is left out is a shortfall naming what it lacks.
 */
export function realisedPlexes(
  vkey: string,
  plexes: readonly string[],
  podNode: string,
  kernel: ReadonlySet<KernelFeature>,
  tools: ReadonlySet<HostTool>,
): { nodes: string[]; shortfall?: HostShortfall } {
  const local = plexes.filter((n) => n === podNode);
  const remote = plexes.filter((n) => n !== podNode);
  const ordered = [...local, ...remote];
  const mdadm = tools.has('mdadm') ? [] : ['mdadm (apt-get install mdadm)'];
  const remoteOk = remote.length === 0 || kernel.has('nvmet-tcp');
  if (plexes.length > 1) {
    if (kernel.has('md-raid1') && mdadm.length === 0 && remoteOk) return { nodes: [...plexes] };
    const where = `volume ${vkey} (${plexes.length} plexes${remote.length > 0 ? `, on ${ordered.join(', ')}` : ''})`;
    const needs: KernelFeature[] = remote.length > 0 ? ['md-raid1', 'nvmet-tcp'] : ['md-raid1'];
    const one = local.length > 0 ? podNode : kernel.has('nvmet-tcp') ? remote[0] : undefined;
    const effect =
      one === undefined
        ? 'it is not realised and its workloads do not run'
        : one === podNode
          ? `it is realised as its plex on ${podNode} alone (no mirror)`
          : `it is realised as its plex on ${one} alone, over NVMe/TCP (no mirror)`;
    return { nodes: one === undefined ? [] : [one], shortfall: shortfall(where, needs, kernel, effect, mdadm) };
  }
  if (remote.length === 0 || kernel.has('nvmet-tcp')) return { nodes: [...plexes] };
  return {
    nodes: [],
    shortfall: shortfall(
      `volume ${vkey} (every plex away from its pod's node ${podNode}, on ${remote.join(', ')})`,
      ['nvmet-tcp'],
      kernel,
      'it is not realised and its workloads do not run',
    ),
  };
}

/** Read fraction of the workloads on `volume` (their jobs' mean), or 0.5 when none run on it. */
function readFraction(s: LoadedClusterScenario, volume: string): number {
  const specs = s.workloads.filter((w) => w.volume === volume).flatMap((w) => w.specs);
  return specs.length === 0 ? 0.5 : specs.reduce((a, x) => a + x.readFraction, 0) / specs.length;
}

/** The plan, the notes a user should read (what was bounded) and what the run leaves out while the rest runs. */
export function hostPlanOf(
  s: LoadedClusterScenario,
  state: ClusterState,
  kernel: ReadonlySet<KernelFeature> = new Set(),
  tools: ReadonlySet<HostTool> = new Set(),
  devices: HostDevices = { choices: [], destroyDataOn: [] },
): { plan: HostPlan; notes: string[]; shortfalls: HostShortfall[] } {
  const notes: string[] = [];
  const problems: string[] = [];
  const deviceOf = devicesByVolume(s, devices);
  // On SR-IOV VFs the NIC tags a pod's VLAN (ip link set PF vf N vlan VID): the kernel's 802.1Q is not needed.
  const onVfs = (devices.sriovPfs?.length ?? 0) > 0;
  const shortfalls = scenarioShortfalls(s, onVfs ? new Set<KernelFeature>([...kernel, 'vlan']) : kernel);
  const runId = randomBytes(3).toString('hex');
  const running = [...state.pods.values()].filter((p) => p.status.state === 'running');
  const nodes: HostNodePlan[] = [...state.nodes.values()].map((n) => {
    const port = n.inventory.nic_ports.find((p) => p.role === 'pods');
    return { name: n.name, link_bits_per_s: port?.speed_bits_per_s ?? 10e9, port: port?.name ?? 'pod0' };
  });
  const nodeIndex = new Map(nodes.map((n, i) => [n.name, i]));
  s.faults.forEach((f, i) => {
    const port = f.port === undefined ? undefined : state.nodes.get(f.node)?.inventory.nic_ports.find((p) => p.name === f.port);
    if (port !== undefined && port.role !== 'pods')
      problems.push(
        `/faults/${i}/port: ${f.port} is a ${port.role} port; the host realises each node's pods port only (its uplink to the ToR bridge)`,
      );
  });
  const pods: HostPodPlan[] = [];
  const vlanPods = new Map<number, string[]>();
  /** Volumes realised as their pod's node's plex only, and volumes not realised (every plex elsewhere). */
  const unrealised = new Set<string>();
  /** Volumes realised as more than their pod's node's plex: their plexes' nodes (indices). */
  const plexNodes = new Map<string, number[]>();
  for (const p of running) {
    if (p.status.state !== 'running') continue;
    const key = `${p.namespace}/${p.name}`;
    const ep = p.status.endpoints[0];
    if (!ep) {
      problems.push(`pod ${key} has no network endpoint; the host gives every pod a namespace on its node's bridge`);
      continue;
    }
    if (p.status.endpoints.length > 1)
      notes.push(`note: ${s.file}: pod ${key}: only its first endpoint (${ep.network}) is realised on the host`);
    const network = state.networks.get(ep.network);
    const prefix = network?.subnet !== undefined ? parseCidr(network.subnet)?.prefix : undefined;
    if (network?.vlan !== undefined && (kernel.has('vlan') || onVfs))
      vlanPods.set(network.vlan, [...(vlanPods.get(network.vlan) ?? []), key]);
    const tier = state.perfTiers.get(ep.perf_tier);
    const node = nodeIndex.get(p.status.node) ?? 0;
    pods.push({
      key,
      node,
      ip: ep.ip,
      prefix: prefix ?? 24,
      mac: ep.mac,
      rate_bits_per_s: tier?.network_bandwidth_bits_per_s ?? 0,
      ceil_bits_per_s: tier?.max_network_bandwidth_bits_per_s ?? nodes[node]!.link_bits_per_s,
    });
    const podNode = p.status.node;
    for (const name of p.volumes) {
      const vkey = `${p.namespace}/${name}`;
      const v = state.volumes.get(vkey);
      if (!v || unrealised.has(vkey) || plexNodes.has(vkey)) continue;
      const choice = realisedPlexes(
        vkey,
        v.plexes.map((x) => x.node),
        podNode,
        kernel,
        tools,
      );
      if (choice.shortfall) shortfalls.push(choice.shortfall);
      if (choice.nodes.length === 0) unrealised.add(vkey);
      else if (choice.nodes.length > 1 || choice.nodes[0] !== podNode)
        plexNodes.set(
          vkey,
          choice.nodes.map((n) => nodeIndex.get(n) ?? 0),
        );
    }
  }
  if (problems.length > 0)
    throw new AnvilError('ANVIL_ERR_HOST_UNREALISED', `${s.file}: the placement asks the host for what it does not realise yet`, problems);

  // Linux caps, it keeps no floors: where a node's pods reserve IOPS, every other volume there is capped
  // at what the node can guarantee less the others' reservations, so a neighbour cannot take a reservation.
  const reserved = new Map<string, number>();
  const reservedOnNode = new Map<string, number>();
  for (const p of running)
    if (p.status.state === 'running')
      for (const r of p.status.volume_reservations) {
        const key = `${p.namespace}/${r.volume}`;
        reserved.set(key, (reserved.get(key) ?? 0) + r.iops);
        reservedOnNode.set(p.status.node, (reservedOnNode.get(p.status.node) ?? 0) + r.iops);
      }
  const volumes: HostVolumePlan[] = [];
  const claimed = new Map<string, string>();
  for (const p of pods) {
    const pod = state.pods.get(p.key)!;
    const nodeName = nodes[p.node]!.name;
    const capacity = state.nodes.get(nodeName)?.inventory.guaranteeable_iops ?? 0;
    for (const name of pod.volumes) {
      const vkey = `${pod.namespace}/${name}`;
      const v = state.volumes.get(vkey);
      if (!v || unrealised.has(vkey)) continue;
      const first = claimed.get(vkey);
      if (first !== undefined) {
        notes.push(`note: ${s.file}: volume ${vkey} is used by ${first} and ${p.key}; its caps apply to ${first}'s cgroup only`);
        continue;
      }
      claimed.set(vkey, p.key);
      const device = deviceOf.get(vkey);
      if (device !== undefined && plexNodes.has(vkey)) {
        problems.push(
          `--host-device ${vkey}=${device}: the host realises ${vkey} as ${plexNodes.get(vkey)!.length > 1 ? 'a mirror of' : 'a remote plex on'} loop devices; a named device replaces one local loop device only, so drop it for this volume`,
        );
        continue;
      }
      // A loop device's file is bounded; the user's device holds the volume whole (fio stays within its size).
      const size_bytes = device !== undefined ? v.size_bytes : Math.min(v.size_bytes, MAX_HOST_VOLUME_BYTES);
      if (size_bytes < v.size_bytes)
        notes.push(
          `note: ${s.file}: volume ${vkey} is realised as a ${size_bytes / 2 ** 30} GiB sparse file (the host's bound), not ${v.size_bytes / 2 ** 30} GiB`,
        );
      const tierMax = state.perfTiers.get(v.perf_tier)?.max_storage_iops;
      const others = (reservedOnNode.get(nodeName) ?? 0) - (reserved.get(vkey) ?? 0);
      const left = others > 0 ? Math.max(reserved.get(vkey) ?? 0, capacity - others) : undefined;
      const max = tierMax !== undefined && (left === undefined || tierMax <= left) ? tierMax : left;
      const cap_from = max === undefined ? undefined : max === tierMax ? ('tier' as const) : ('neighbours' as const);
      volumes.push({
        key: vkey,
        pod: p.key,
        size_bytes,
        ...(max !== undefined ? { caps: tierIoCaps(max, readFraction(s, vkey)), cap_iops: max, cap_from } : {}),
        ...(plexNodes.has(vkey) ? { plexes: plexNodes.get(vkey)! } : {}),
        ...(device !== undefined ? { device } : {}),
      });
    }
  }
  for (const [vkey, device] of deviceOf)
    if (!volumes.some((v) => v.key === vkey))
      notes.push(`note: ${s.file}: volume ${vkey} is not realised on this host (no running pod uses it): ${device} is not touched`);
  if (problems.length > 0)
    throw new AnvilError('ANVIL_ERR_HOST_UNREALISED', `${s.file}: the placement asks the host for what it does not realise yet`, problems);
  const vlans: HostVlanPlan[] = [...vlanPods.entries()].map(([vid, keys]) => ({ vid, pods: keys }));
  const sriov = sriovPlanOf(s, nodes, pods, devices.sriovPfs, devices.sysClassNet);
  return {
    plan: {
      runId,
      nodes,
      ...(vlans.length > 0 ? { vlans } : {}),
      pods,
      volumes,
      workDir: join(tmpdir(), `anvil-host-${runId}`),
      ...(devices.destroyDataOn.length > 0 ? { destroyDataOn: devices.destroyDataOn } : {}),
      ...(sriov ? { sriov } : {}),
    },
    notes,
    shortfalls,
  };
}

/**
 * The control plane's side of scheduling: builds the scheduler's node table and the networks' IP pools
 * from the state (running pods already take their share), turns a pod into a demand, and binds a pod
 * the scheduler placed: VFs, MACs, IPs, volume attachments. Pods that do not fit stay pending with the
 * scheduler's reasons and are retried whenever capacity may have appeared.
 */
import { AnvilError } from '../errors.js';
import type { PodDemand } from '../scheduler/demand.js';
import { NodeTable } from '../scheduler/node-table.js';
import { Scheduler } from '../scheduler/scheduler.js';
import type { Context } from './context.js';
import { IpPool } from './ip-pool.js';
import { podVfCount, type NodeInventory } from './node-profile.js';
import { remotePlexBlock, remotePlexHolds, tierIopsPerNode } from './storage-admission.js';
import type { Node } from './node.js';
import {
  STORED_NODE_REASONS,
  volumeReservations,
  type BoundEndpoint,
  type Pod,
  type SchedulingFailure,
  type VolumeReservation,
} from './pod.js';
import { keyOf, unusableReason, type Volume } from './volume.js';

/** A stable, locally administered unicast MAC from a counter (never reused: the counter persists). */
export function macFromCounter(n: number): string {
  const bytes = [0x02, 0xa7, (n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** The pods port and VF on it for a node-wide VF number (VFs are numbered across pods ports in order). */
export function portOfVf(node: Node, vf: number): { port: string; vf: number } {
  let base = 0;
  for (const port of node.inventory.nic_ports) {
    if (port.role !== 'pods') continue;
    if (vf < base + port.vfs) return { port: port.name, vf: vf - base };
    base += port.vfs;
  }
  throw new Error(`VF ${vf} is beyond node ${node.name}'s pod VFs`);
}

function vfNumber(node: Node, port: string, vf: number): number {
  let base = 0;
  for (const p of node.inventory.nic_ports) {
    if (p.role !== 'pods') continue;
    if (p.name === port) return base + vf;
    base += p.vfs;
  }
  return -1;
}

/** Scheduling views built so far in this process (the tests count them: a group of changes shares one). */
export let schedulingSessionsBuilt = 0;

export class SchedulingSession {
  readonly table: NodeTable;
  readonly scheduler: Scheduler;
  private readonly pools = new Map<string, IpPool>();
  /** The nodes' inventories, indexed as the table's nodes. */
  private readonly nodeInventories: readonly NodeInventory[];

  constructor(private ctx: Context) {
    schedulingSessionsBuilt++;
    const state = ctx.state;
    const nodes = [...state.nodes.values()];
    this.table = new NodeTable(
      nodes.map((n) => ({
        name: n.name,
        zone: n.zone,
        labels: n.labels,
        taints: n.taints.map((t) => t.key),
        schedulable: n.status.state === 'ready',
        cpu_millicores: n.inventory.cpu_millicores,
        memory_bytes: n.inventory.memory_bytes,
        pods: n.inventory.max_pods,
        vfs: podVfCount(n.inventory),
        ports: n.inventory.nic_ports
          .filter((p) => p.role === 'pods')
          .map((p) => ({ name: p.name, vfs: p.vfs, bandwidth_bits_per_s: p.speed_bits_per_s })),
        guaranteeable_iops: n.inventory.guaranteeable_iops,
        guaranteeable_bandwidth_bits_per_s: n.inventory.guaranteeable_bandwidth_bits_per_s,
        local_controllers: n.inventory.local_controllers,
        remote_controllers: n.inventory.remote_controllers,
      })),
    );
    this.nodeInventories = nodes.map((n) => n.inventory);
    this.scheduler = new Scheduler(this.table, { policy: state.cluster?.policy ?? 'balance' });
    for (const net of state.networks.values()) this.pools.set(net.name, new IpPool(net.start, net.end));
    for (const ep of state.endpoints.values()) this.pools.get(ep.network)?.take(ep.ip);
    for (const pod of state.pods.values()) {
      for (const a of pod.addresses ?? []) this.pools.get(a.network)?.take(a.ip);
      if (pod.status.state !== 'running') continue;
      const i = this.table.indexOf(pod.status.node)!;
      const node = state.nodes.get(pod.status.node)!;
      const demand = this.boundDemand(pod, i);
      this.scheduler.occupy(
        i,
        demand,
        pod.status.endpoints.map((e) => vfNumber(node, e.port, e.vf)),
      );
      this.holdPlexes(pod, pod.status.volume_reservations, pod.status.node, 1);
      for (const e of pod.status.endpoints) this.pools.get(e.network)?.take(e.ip);
    }
  }

  /**
   * The view now serves another change on the same state (the extender's view handed to a bind): that
   * change's actor is the one checked and its events are the ones recorded.
   */
  serve(ctx: Context): void {
    if (ctx.state !== this.ctx.state) throw new Error('a scheduling view serves only changes of the state it was built from');
    this.ctx = ctx;
  }

  pool(network: string): IpPool | undefined {
    return this.pools.get(network);
  }

  /** The pod's ask, in the scheduler's terms. */
  demandOf(pod: Pod): PodDemand {
    const state = this.ctx.state;
    const tier = (name: string) => state.perfTiers.get(name)!;
    let zone: string | undefined | null;
    for (const e of pod.endpoints) {
      const z = state.networks.get(e.network)?.zone;
      if (z === undefined) continue;
      if (zone === undefined) zone = z;
      else if (zone !== z) zone = null;
    }
    const volumes = pod.volumes.map((v) => state.volumes.get(keyOf(pod.namespace, v))!);
    const iopsPerNode = tierIopsPerNode(state, this.nodeInventories, [pod.perf_tier, ...volumes.map((v) => v.perf_tier)]);
    return {
      ...(iopsPerNode ? { iopsPerNode } : {}),
      cpu_millicores: pod.cpu_millicores,
      memory_bytes: pod.memory_bytes,
      vfs: pod.endpoints.length,
      zone,
      iops: tier(pod.perf_tier).storage_iops + volumes.reduce((s, v) => s + tier(v.perf_tier).storage_iops, 0),
      bandwidth_bits_per_s: pod.endpoints.reduce((s, e) => s + tier(e.perf_tier).network_bandwidth_bits_per_s, 0),
      endpoint_bandwidths_bits_per_s: pod.endpoints.map((e) => tier(e.perf_tier).network_bandwidth_bits_per_s),
      volumePlexNodes: volumes.map((v) =>
        v.plexes
          .filter((p) => p.state === 'in-sync')
          .map((p) => this.table.indexOf(p.node))
          .filter((i): i is number => i !== undefined),
      ),
      nodeSelector: Object.entries(pod.node_selector),
      tolerations: pod.tolerations,
    };
  }

  /** Takes (`sign` 1) or gives back (-1) what the pod's volumes' writes take of the other nodes holding their plexes, the pod on `podNode`. */
  private holdPlexes(pod: Pod, perVolume: readonly VolumeReservation[], podNode: string, sign: 1 | -1): void {
    for (const h of remotePlexHolds(this.ctx.state, pod, perVolume, podNode)) {
      const j = this.table.indexOf(h.node);
      if (j !== undefined) this.scheduler.holdIops(j, sign * h.iops);
    }
  }

  /** Why the pod cannot go to `podNode` because another node holding a plex of its volumes has no room for their writes. */
  plexBlock(pod: Pod, perVolume: readonly VolumeReservation[], podNode: string): string | undefined {
    return remotePlexBlock(this.ctx.state, this.table, pod, perVolume, podNode);
  }

  /** The pod's reservation per volume (`volumeReservations`), from the tiers now: the same tiers as `demandOf` sums. */
  volumeReservationsOf(pod: Pod): VolumeReservation[] {
    const state = this.ctx.state;
    const iopsOf = (tier: string) => state.perfTiers.get(tier)!.storage_iops;
    return volumeReservations(
      iopsOf(pod.perf_tier),
      pod.volumes.map((name) => ({ name, tierIops: iopsOf(state.volumes.get(keyOf(pod.namespace, name))!.perf_tier) })),
    );
  }

  /**
   * What a running pod holds on node `i`: the guarantees reserved when it was bound, and a storage
   * controller per attached volume, local or remote as attached (plexes may have changed state since).
   */
  private boundDemand(pod: Pod, i: number): PodDemand {
    const state = this.ctx.state;
    const reserved = pod.status.state === 'running' ? pod.status : undefined;
    const volumePlexNodes = pod.volumes.map((name) => {
      const v = state.volumes.get(keyOf(pod.namespace, name));
      return v?.attachment.state === 'attached' && v.attachment.pod === pod.name && v.attachment.via === 'local' ? [i] : [];
    });
    const { iopsPerNode: _perNode, ...demand } = this.demandOf(pod);
    return {
      ...demand,
      iops: reserved ? (reserved.admitted_iops ?? reserved.reserved_iops) : 0,
      bandwidth_bits_per_s: reserved?.reserved_bandwidth_bits_per_s ?? 0,
      volumePlexNodes,
    };
  }

  /**
   * Reasons that hold on every node (IPs run out, a volume attached elsewhere or with no in-sync copy on a
   * live node), checked before the scheduler.
   */
  private clusterWideBlock(pod: Pod): string | undefined {
    const state = this.ctx.state;
    const need = new Map<string, number>();
    pod.endpoints.forEach((e, k) => {
      if (e.ip === undefined && e.endpoint === undefined && pod.addresses?.[k] === undefined)
        need.set(e.network, (need.get(e.network) ?? 0) + 1);
    });
    for (const [net, count] of need) {
      const free = this.pools.get(net)!.free;
      if (free < count) return `network ${net} has ${free} free IPs in its range, the pod needs ${count}`;
    }
    for (const [k, e] of pod.endpoints.entries()) {
      if (e.ip !== undefined && pod.addresses?.[k] === undefined && this.pools.get(e.network)!.isTaken(e.ip))
        return `IP ${e.ip} on network ${e.network} is held by another pod`;
      if (e.endpoint !== undefined) {
        const ep = state.endpoints.get(keyOf(pod.namespace, e.endpoint));
        if (ep && ep.binding.state === 'bound' && ep.binding.pod !== pod.name)
          return `endpoint ${e.endpoint} is bound to pod ${ep.binding.pod}`;
      }
    }
    for (const name of pod.volumes) {
      const v = state.volumes.get(keyOf(pod.namespace, name))!;
      if (v.attachment.state === 'attached' && v.attachment.pod !== pod.name)
        return `volume ${name} is attached to pod ${v.attachment.pod} (volumes attach to one pod at a time)`;
      const unusable = unusableReason(v, (n) => state.nodes.get(n)?.status.state === 'down');
      if (unusable !== undefined) return unusable;
    }
    return undefined;
  }

  /** Why a pending pod fits nowhere now, with every node's reason. */
  explain(pod: Pod): SchedulingFailure {
    const block = this.clusterWideBlock(pod);
    if (block !== undefined) return { summary: block, nodes: [] };
    const demand = this.demandOf(pod);
    const decision = this.scheduler.decide(demand, STORED_NODE_REASONS);
    if (decision.ok) {
      const plexBlock = this.plexBlock(pod, this.volumeReservationsOf(pod), this.table.names[decision.node]!);
      if (plexBlock !== undefined) return { summary: plexBlock, nodes: [] };
    }
    const d = this.scheduler.diagnose(demand);
    return { summary: d.summary, nodes: d.nodes };
  }

  /** Places and binds `pod` if it fits; returns the pod as it now is (running, or pending with reasons). */
  place(pod: Pod): Pod {
    const block = this.clusterWideBlock(pod);
    if (block !== undefined) return this.pend(pod, { summary: block, nodes: [] });
    const demand = this.demandOf(pod);
    const perVolume = this.volumeReservationsOf(pod);
    const { decision, record } = this.scheduler.decideRecorded(demand, STORED_NODE_REASONS);
    if (!decision.ok) return this.pend(pod, { summary: decision.summary, nodes: decision.nodes });
    const i = decision.node;
    const plexBlock = this.plexBlock(pod, perVolume, this.table.names[i]!);
    if (plexBlock !== undefined) return this.pend(pod, { summary: plexBlock, nodes: [] });
    if (record !== undefined)
      this.ctx.placementDecisions.push({ namespace: pod.namespace, name: pod.name, seq: pod.seq, decision: record });
    const vfs = this.scheduler.reserve(i, demand);
    this.holdPlexes(pod, perVolume, this.table.names[i]!, 1);
    const node = this.ctx.state.nodes.get(this.table.names[i]!)!;
    const counters = this.ctx.state.counters;
    const endpoints: BoundEndpoint[] = pod.endpoints.map((e, k) => {
      const where = portOfVf(node, vfs[k]!);
      if (e.endpoint !== undefined) {
        const key = keyOf(pod.namespace, e.endpoint);
        const ep = this.ctx.state.endpoints.get(key)!;
        this.ctx.state.endpoints.set(key, { ...ep, binding: { state: 'bound', pod: pod.name } });
        return {
          network: ep.network,
          perf_tier: e.perf_tier,
          port: where.port,
          vf: where.vf,
          mac: ep.mac,
          ip: ep.ip,
          static: true,
          endpoint: ep.name,
        };
      }
      const pool = this.pools.get(e.network)!;
      const kept = pod.addresses?.[k];
      let ip = kept?.ip ?? e.ip;
      if (ip !== undefined) pool.take(ip);
      else ip = pool.allocate()!;
      const mac = kept?.mac ?? macFromCounter(counters.next_mac++);
      return { network: e.network, perf_tier: e.perf_tier, port: where.port, vf: where.vf, mac, ip, static: e.ip !== undefined };
    });
    for (const name of pod.volumes) this.attach(keyOf(pod.namespace, name), pod, node.name);
    const placed: Pod = {
      ...pod,
      addresses: endpoints.map((e) => ({ network: e.network, ip: e.ip, mac: e.mac })),
      status: {
        state: 'running',
        node: node.name,
        endpoints,
        reserved_iops: demand.iops,
        ...(demand.iopsPerNode ? { admitted_iops: demand.iopsPerNode[i]! } : {}),
        reserved_bandwidth_bits_per_s: demand.bandwidth_bits_per_s,
        volume_reservations: perVolume,
      },
    };
    this.ctx.state.pods.set(keyOf(pod.namespace, pod.name), placed);
    this.ctx.event(
      'info',
      'Scheduled',
      `pod/${pod.namespace}/${pod.name}`,
      `placed on ${node.name}: ${endpoints.map((e) => `${e.network} ${e.ip} (${e.port} vf${e.vf})`).join(', ') || 'no endpoints'}`,
    );
    return placed;
  }

  private pend(pod: Pod, failure: SchedulingFailure): Pod {
    const wasSame = pod.status.state === 'pending' && pod.status.failure.summary === failure.summary;
    const pending: Pod = { ...pod, status: { state: 'pending', failure } };
    this.ctx.state.pods.set(keyOf(pod.namespace, pod.name), pending);
    if (!wasSame) this.ctx.event('warning', 'FailedScheduling', `pod/${pod.namespace}/${pod.name}`, failure.summary);
    return pending;
  }

  private attach(volumeKey: string, pod: Pod, node: string): void {
    const v = this.ctx.state.volumes.get(volumeKey)!;
    const via = v.plexes.some((p) => p.node === node && p.state === 'in-sync') ? 'local' : 'remote';
    const attached: Volume = { ...v, attachment: { state: 'attached', pod: pod.name, node, via } };
    this.ctx.state.volumes.set(volumeKey, attached);
  }

  /**
   * Calls `use` with `pod`'s own reservation given back on its node in the scheduler's view (the state is not
   * touched), then takes it again: how the nodes would judge the pod were it placed now.
   */
  withoutReservation<T>(pod: Pod, use: (demand: PodDemand) => T): T {
    if (pod.status.state !== 'running') return use(this.demandOf(pod));
    const i = this.table.indexOf(pod.status.node)!;
    const node = this.ctx.state.nodes.get(pod.status.node)!;
    const bound = this.boundDemand(pod, i);
    const vfs = pod.status.endpoints.map((e) => vfNumber(node, e.port, e.vf));
    this.scheduler.release(i, bound, vfs);
    try {
      return use(this.demandOf(pod));
    } finally {
      this.scheduler.occupy(i, bound, vfs);
    }
  }

  /** Takes a running pod off its node: frees its resources, IPs and VFs, detaches its volumes. */
  unbind(pod: Pod): void {
    if (pod.status.state !== 'running') return;
    const i = this.table.indexOf(pod.status.node);
    const node = this.ctx.state.nodes.get(pod.status.node);
    if (i !== undefined && node) {
      const demand = this.boundDemand(pod, i);
      this.scheduler.release(
        i,
        demand,
        pod.status.endpoints.map((e) => vfNumber(node, e.port, e.vf)),
      );
    }
    this.holdPlexes(pod, pod.status.volume_reservations, pod.status.node, -1);
    // The pod keeps its addresses (they are in `addresses`); `forget` frees them when it is deleted.
    for (const name of pod.volumes) {
      const key = keyOf(pod.namespace, name);
      const v = this.ctx.state.volumes.get(key);
      if (v && v.attachment.state === 'attached' && v.attachment.pod === pod.name)
        this.ctx.state.volumes.set(key, { ...v, attachment: { state: 'detached' } });
    }
  }

  /** Frees the addresses of a pod being deleted. */
  forget(pod: Pod): void {
    pod.endpoints.forEach((e, k) => {
      if (e.endpoint === undefined) {
        const a = pod.addresses?.[k];
        if (a) this.pools.get(a.network)?.release(a.ip);
        return;
      }
      // A persistent endpoint keeps its address; it is only free for the next pod.
      const key = keyOf(pod.namespace, e.endpoint);
      const ep = this.ctx.state.endpoints.get(key);
      if (ep && ep.binding.state === 'bound' && ep.binding.pod === pod.name)
        this.ctx.state.endpoints.set(key, { ...ep, binding: { state: 'free' } });
    });
  }

  /** Retries every pending pod, oldest first. */
  schedulePending(): void {
    const pending = [...this.ctx.state.pods.values()].filter((p) => p.status.state === 'pending').sort((a, b) => a.seq - b.seq);
    for (const pod of pending) this.place(pod);
  }
}

/** Checks a pod's references (networks, tiers, volumes, pinned IPs) before it is stored: bad input is an error, not a pending pod. */
export function checkPodReferences(ctx: Context, pod: Pod): void {
  const state = ctx.state;
  const tiers = [pod.perf_tier, ...pod.endpoints.map((e) => e.perf_tier)];
  for (const t of tiers) {
    if (!state.perfTiers.has(t))
      throw new AnvilError(
        'ANVIL_ERR_OBJECT_NOT_FOUND',
        `pod ${pod.name}: perf tier ${t} does not exist; tiers: ${[...state.perfTiers.keys()].join(', ')}`,
      );
  }
  const pinned = new Set<string>();
  for (const e of pod.endpoints) {
    if (e.endpoint !== undefined) {
      const ep = state.endpoints.get(keyOf(pod.namespace, e.endpoint));
      if (!ep)
        throw new AnvilError(
          'ANVIL_ERR_OBJECT_NOT_FOUND',
          `pod ${pod.name}: endpoint ${e.endpoint} does not exist in namespace ${pod.namespace}; create it with: anvil endpoint create ${e.endpoint} --network NET`,
        );
      if (e.network !== ep.network)
        throw new AnvilError(
          'ANVIL_ERR_FIELD_INVALID',
          `pod ${pod.name}: endpoint ${e.endpoint} is on network ${ep.network}, not ${e.network}`,
        );
      if (ep.binding.state === 'bound' && ep.binding.pod !== pod.name)
        throw new AnvilError('ANVIL_ERR_IN_USE', `pod ${pod.name}: endpoint ${e.endpoint} is bound to pod ${ep.binding.pod}`);
      if (e.ip !== undefined && e.ip !== ep.ip)
        throw new AnvilError('ANVIL_ERR_FIELD_INVALID', `pod ${pod.name}: endpoint ${e.endpoint} has IP ${ep.ip}, not ${e.ip}`);
      if (pod.endpoints.filter((o) => o.endpoint === e.endpoint).length > 1)
        throw new AnvilError('ANVIL_ERR_FIELD_INVALID', `pod ${pod.name}: endpoint ${e.endpoint} is named twice`);
      continue;
    }
    const net = state.networks.get(e.network);
    if (!net)
      throw new AnvilError(
        'ANVIL_ERR_OBJECT_NOT_FOUND',
        `pod ${pod.name}: network ${e.network} does not exist; networks: ${[...state.networks.keys()].join(', ') || 'none (anvil network create ...)'}`,
      );
    if (e.ip !== undefined) {
      const pool = new IpPool(net.start, net.end);
      if (!pool.has(e.ip))
        throw new AnvilError(
          'ANVIL_ERR_FIELD_INVALID',
          `pod ${pod.name}: IP ${e.ip} is outside network ${net.name}'s range ${net.start}-${net.end}`,
        );
      if (pinned.has(e.ip)) throw new AnvilError('ANVIL_ERR_FIELD_INVALID', `pod ${pod.name}: IP ${e.ip} is pinned twice`);
      pinned.add(e.ip);
      for (const ep of state.endpoints.values()) {
        if (ep.network === e.network && ep.ip === e.ip)
          throw new AnvilError(
            'ANVIL_ERR_IN_USE',
            `pod ${pod.name}: IP ${e.ip} on network ${e.network} belongs to ${ctx.nameIfVisible('container', ep.namespace, `endpoint ${ep.namespace}/${ep.name}; ask for the endpoint instead`, 'an object you may not see; pin another address')}`,
          );
      }
      for (const other of state.pods.values()) {
        if (other.namespace === pod.namespace && other.name === pod.name) continue;
        const holds =
          other.endpoints.some((o) => o.network === e.network && o.ip === e.ip) ||
          (other.addresses ?? []).some((o) => o.network === e.network && o.ip === e.ip);
        if (holds)
          throw new AnvilError(
            'ANVIL_ERR_IN_USE',
            `pod ${pod.name}: IP ${e.ip} on network ${e.network} is already used by ${ctx.nameIfVisible('container', other.namespace, `pod ${other.namespace}/${other.name}`, 'another pod')}`,
          );
      }
    }
  }
  for (const v of pod.volumes) {
    if (!state.volumes.has(keyOf(pod.namespace, v)))
      throw new AnvilError(
        'ANVIL_ERR_OBJECT_NOT_FOUND',
        `pod ${pod.name}: volume ${v} does not exist in namespace ${pod.namespace}; create it first (anvil volume create, or a PersistentVolumeClaim)`,
      );
  }
}

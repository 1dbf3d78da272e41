/** What `anvil get`, `anvil describe` and `anvil cluster status` show for each kind of object. */
import { AnvilError } from '../errors.js';
import type { ClusterState } from '../domain/cluster-state.js';
import type { ClusterEvent } from '../domain/event.js';
import { formatBits, formatBytesBinary, formatBytesDecimal, formatCount } from '../domain/quantity.js';
import { podVfCount, storageCapacityBytes } from '../domain/node-profile.js';
import { nodeUsage } from '../domain/usage.js';
import type { Network } from '../domain/network.js';
import type { Node } from '../domain/node.js';
import type { PerfTier } from '../domain/perf-tier.js';
import type { Pod } from '../domain/pod.js';
import type { Tenant, User } from '../domain/tenancy.js';
import { keyOf, resyncFraction, type Plex, type Snapshot, type Volume } from '../domain/volume.js';
import { table } from './output.js';
import { formatQuotaFigure, QUOTA_RESOURCES, type QuotaView } from '../domain/quota.js';
import { KIND_ALIASES, KINDS, type EndpointView, type Kind, type WorkloadView } from '../domain/queries.js';

export { isNamespaced, objectsOf, type Kind } from '../domain/queries.js';

export function parseKind(text: string): Kind {
  const kind = KIND_ALIASES[text.toLowerCase()];
  if (!kind) throw new AnvilError('ANVIL_ERR_USAGE', `"${text}" is not a kind; kinds: ${KINDS.join(', ')}`);
  return kind;
}

const frac = (used: string, total: string) => `${used}/${total}`;

/** A node's state, with the NIC ports whose link is down (`ready, link down: storage0`). */
function nodeStatusText(n: Node): string {
  return n.links_down !== undefined && n.links_down.length > 0 ? `${n.status.state}, link down: ${n.links_down.join(',')}` : n.status.state;
}

/** The per-node table of `cluster status`, with the appliance's columns. */
/** `anvil cluster status` as a table: a header line over the cluster, then one row per node. */
export function clusterStatusText(state: ClusterState, cluster: { readonly name: string; readonly policy: string }): string {
  const pods = [...state.pods.values()];
  const pending = pods.filter((p) => p.status.state === 'pending').length;
  return `Cluster: ${cluster.name}  nodes: ${state.nodes.size}  pods: ${pods.length - pending} running, ${pending} pending  policy: ${cluster.policy}\n\n${clusterStatusTable(state)}`;
}

export function clusterStatusTable(state: ClusterState): string {
  const usage = nodeUsage(state);
  const rows = [...state.nodes.values()].map((n) => {
    const u = usage.get(n.name)!;
    const inv = n.inventory;
    return [
      n.name,
      nodeStatusText(n),
      n.zone,
      frac(String(u.pods), String(inv.max_pods)),
      frac(String(u.cpu_millicores), String(inv.cpu_millicores)),
      frac(formatBytesBinary(u.memory_bytes), formatBytesBinary(inv.memory_bytes)),
      frac(formatBytesDecimal(u.storage_bytes), formatBytesDecimal(storageCapacityBytes(inv))),
      frac(formatCount(u.iops), formatCount(inv.guaranteeable_iops)),
      frac(String(u.vfs), String(podVfCount(inv))),
      frac(formatBits(u.bandwidth_bits_per_s), formatBits(inv.guaranteeable_bandwidth_bits_per_s)),
      `${u.local_controllers}/${inv.local_controllers}, ${u.remote_controllers}/${inv.remote_controllers}`,
    ];
  });
  return table(
    ['NODE', 'STATUS', 'ZONE', 'PODS', 'MILLICORES', 'MEMORY', 'STORAGE', 'IOPS', 'VNICS', 'BANDWIDTH', 'SCTRLS(LOCAL,REMOTE)'],
    rows,
  );
}

/** A table of `objects` of `kind`. */
/** A plex's state as the CLI shows it: a resync with its progress at `nowMs` (`resyncing 40%`). */
function plexStateText(p: Plex, nowMs: number): string {
  // Whole percent, rounded down: 100% only once the copy time has passed.
  return p.state === 'resyncing' ? `resyncing ${Math.floor(resyncFraction(p.resync, nowMs) * 100)}%` : p.state;
}

export function kindTable(state: ClusterState, kind: Kind, objects: readonly unknown[], nowMs = Date.now()): string {
  switch (kind) {
    case 'nodes': {
      const usage = nodeUsage(state);
      return table(
        ['NAME', 'STATUS', 'ZONE', 'PROFILE', 'PODS', 'LABELS'],
        (objects as Node[]).map((n) => [
          n.name,
          nodeStatusText(n),
          n.zone,
          n.inventory.profile,
          `${usage.get(n.name)!.pods}/${n.inventory.max_pods}`,
          Object.entries(n.labels)
            .filter(([k]) => !k.includes('kubernetes.io/'))
            .map(([k, v]) => `${k}=${v}`)
            .join(',') || '-',
        ]),
      );
    }
    case 'networks':
      return table(
        ['NAME', 'SUBNET', 'START', 'END', 'GATEWAY', 'VLAN', 'ZONE', 'DEFAULT'],
        (objects as Network[]).map((n) => [
          n.name,
          n.subnet,
          n.start,
          n.end,
          n.gateway,
          n.vlan === undefined ? '-' : String(n.vlan),
          n.zone ?? '-',
          n.is_default ? 'yes' : '',
        ]),
      );
    case 'perf-tiers':
      return table(
        ['NAME', 'STORAGE-IOPS', 'NETWORK-BANDWIDTH', 'MAX-STORAGE-IOPS', 'MAX-NETWORK-BANDWIDTH'],
        (objects as PerfTier[]).map((t) => [
          t.name,
          formatCount(t.storage_iops),
          formatBits(t.network_bandwidth_bits_per_s),
          t.max_storage_iops === undefined ? '-' : formatCount(t.max_storage_iops),
          t.max_network_bandwidth_bits_per_s === undefined ? '-' : formatBits(t.max_network_bandwidth_bits_per_s),
        ]),
      );
    case 'volumes':
      // STATE is the volume's (in-sync, degraded, unavailable, lost); MIRRORS counts the in-sync plexes of the mirrors it should have.
      return table(
        ['NAMESPACE', 'NAME', 'SIZE', 'PERF-TIER', 'MIRRORS', 'PLEXES', 'STATE', 'ATTACHED-TO', 'SOURCE'],
        (objects as Volume[]).map((v) => [
          v.namespace,
          v.name,
          formatBytesBinary(v.size_bytes),
          v.perf_tier,
          `${v.plexes.filter((p) => p.state === 'in-sync').length}/${v.mirrors}`,
          v.plexes.map((p) => (p.state === 'in-sync' ? p.node : `${p.node}(${plexStateText(p, nowMs)})`)).join(',') || '-',
          v.state,
          v.attachment.state === 'attached' ? `${v.attachment.pod}@${v.attachment.node} (${v.attachment.via})` : '-',
          v.source_snapshot ?? '-',
        ]),
      );
    case 'snapshots':
      return table(
        ['NAMESPACE', 'NAME', 'VOLUME', 'SIZE', 'NODES', 'CREATED'],
        (objects as Snapshot[]).map((s) => [
          s.namespace,
          s.name,
          s.volume,
          formatBytesBinary(s.size_bytes),
          s.nodes.join(','),
          s.created_at,
        ]),
      );
    case 'pods':
      return table(
        ['NAMESPACE', 'NAME', 'STATUS', 'NODE', 'IPS', 'PERF-TIER', 'REASON'],
        (objects as Pod[]).map((p) => {
          const st = p.status;
          return [
            p.namespace,
            p.name,
            st.state,
            st.state === 'running' ? st.node : '-',
            st.state === 'running' ? st.endpoints.map((e) => e.ip).join(',') || '-' : '-',
            p.perf_tier,
            st.state === 'pending' ? st.failure.summary : '',
          ];
        }),
      );
    case 'endpoints':
      return table(
        ['NAMESPACE', 'NAME', 'POD', 'NETWORK', 'IP', 'MAC', 'GATEWAY', 'VLAN', 'VF', 'NODE', 'PERF-TIER'],
        (objects as EndpointView[]).map((e) => [
          e.namespace,
          e.name,
          e.pod,
          e.network,
          e.static ? `${e.ip} (static)` : e.ip,
          e.mac,
          e.gateway,
          e.vlan === undefined ? '-' : String(e.vlan),
          e.vf,
          e.node,
          e.perf_tier,
        ]),
      );
    case 'deployments':
    case 'statefulsets':
      return table(
        ['NAMESPACE', 'NAME', 'READY'],
        (objects as WorkloadView[]).map((w) => [w.namespace, w.name, `${w.running}/${w.pods}`]),
      );
    case 'namespaces':
      return table(
        ['NAME', 'CREATED'],
        (objects as Tenant[]).map((t) => [t.name, t.created_at]),
      );
    case 'users':
      return table(
        ['NAME', 'ROLES'],
        (objects as User[]).map((u) => [u.name, u.roles.join(',')]),
      );
    case 'quotas':
      // used/limit per resource, as kubectl shows a ResourceQuota; "-" is no limit.
      return table(
        ['NAMESPACE', 'PODS', 'VOLUMES', 'CAPACITY', 'IOPS', 'BANDWIDTH'],
        (objects as QuotaView[]).map((q) => [
          q.namespace,
          ...QUOTA_RESOURCES.map((r) => `${formatQuotaFigure(r, q.used[r])}/${formatQuotaFigure(r, q[r])}`),
        ]),
      );
  }
}

/** `anvil describe KIND NAME`: every field, then for pods the scheduler's per-node reasons, then recent events. */
export function describeText(
  state: ClusterState,
  kind: Kind,
  obj: unknown,
  events: readonly ClusterEvent[],
  podStatus?: Pod['status'],
  nowMs = Date.now(),
): string {
  const lines: string[] = [];
  const o = obj as Record<string, unknown>;
  const field = (label: string, value: unknown) =>
    lines.push(`${(label + ':').padEnd(22)}${typeof value === 'string' ? value : JSON.stringify(value)}`);
  field('Kind', kind);
  if (o.namespace !== undefined) field('Namespace', o.namespace);
  field('Name', o.name);
  if (kind === 'pods') {
    const stored = state.pods.get(keyOf(o.namespace as string, o.name as string))!;
    const pod: Pod = podStatus ? { ...stored, status: podStatus } : stored;
    field('CPU', `${pod.cpu_millicores}m`);
    field('Memory', formatBytesBinary(pod.memory_bytes));
    field('Perf tier', pod.perf_tier);
    field('Volumes', pod.volumes.join(', ') || '-');
    field('Status', pod.status.state);
    if (pod.status.state === 'running') {
      field('Node', pod.status.node);
      field('Reserved', `${formatCount(pod.status.reserved_iops)} IOPS, ${formatBits(pod.status.reserved_bandwidth_bits_per_s)} bit/s`);
      const perVolume = pod.status.volume_reservations ?? [];
      if (perVolume.length > 0) field('Reserved per volume', perVolume.map((r) => `${r.volume} ${formatCount(r.iops)} IOPS`).join(', '));
      lines.push('Endpoints:');
      for (const e of pod.status.endpoints)
        lines.push(`  ${e.network}  ip ${e.ip}  mac ${e.mac}  ${e.port} vf ${e.vf}  tier ${e.perf_tier}${e.static ? '  (static)' : ''}`);
    } else {
      field('Reason', pod.status.failure.summary);
      if (pod.status.failure.nodes.length > 0) {
        lines.push('Scheduling (per node):');
        for (const n of pod.status.failure.nodes) lines.push(`  ${n.node}: ${n.reason}`);
      }
    }
  } else if (kind === 'perf-tiers') {
    // Maximums cap pods on the model (scenario runs), not yet on a host: say so.
    const t = o as unknown as PerfTier;
    field('Storage IOPS', `${formatCount(t.storage_iops)} guaranteed (min)`);
    field('Network bandwidth', `${formatBits(t.network_bandwidth_bits_per_s)} bit/s guaranteed (min)`);
    field(
      'Max storage IOPS',
      t.max_storage_iops === undefined ? '-' : `${formatCount(t.max_storage_iops)} (enforced on the model, not on a host yet)`,
    );
    field(
      'Max bandwidth',
      t.max_network_bandwidth_bits_per_s === undefined
        ? '-'
        : `${formatBits(t.max_network_bandwidth_bits_per_s)} bit/s (enforced on the model, not on a host yet)`,
    );
    if (t.storage_weight !== undefined) field('Storage weight', `${t.storage_weight} shares of a drive's spare capacity per volume`);
    field('Built in', t.builtin ? 'yes' : 'no');
  } else {
    for (const [k, v] of Object.entries(o))
      if (!['kind', 'name', 'namespace'].includes(k) && !(kind === 'volumes' && k === 'plexes')) field(k, v);
  }
  if (kind === 'volumes') {
    // Where each copy lies (drive and byte offset on its node), and how far a resync has got.
    const plexes = (o as unknown as Volume).plexes;
    lines.push(`Plexes (${plexes.length}):`);
    for (const p of plexes) {
      const copy =
        p.state === 'resyncing'
          ? ` from ${p.resync.source}: ${p.resync.bytes} bytes at ${formatBytesDecimal(p.resync.rate_bytes_per_s)}/s, done at ${p.resync.finishes_at}`
          : '';
      lines.push(`  ${p.node}  drive ${p.drive}  offset ${p.offset_bytes}  ${plexStateText(p, nowMs)}${copy}`);
    }
  }
  if (kind === 'nodes') {
    const n = state.nodes.get(o.name as string)!;
    const u = nodeUsage(state).get(n.name)!;
    const inv = n.inventory;
    field('Status', nodeStatusText(n));
    // Each NIC port with its link's state: a downed storage link cuts the remote plexes over it.
    field(
      'NIC ports',
      inv.nic_ports
        .map((p) => `${p.name} (${p.role}, ${formatBits(p.speed_bits_per_s)}) ${n.links_down?.includes(p.name) ? 'down' : 'up'}`)
        .join(', '),
    );
    lines.push('Allocated (used / total):');
    lines.push(
      `  pods ${u.pods}/${inv.max_pods}  cpu ${u.cpu_millicores}m/${inv.cpu_millicores}m  memory ${formatBytesBinary(u.memory_bytes)}/${formatBytesBinary(inv.memory_bytes)}`,
    );
    lines.push(
      `  IOPS ${formatCount(u.iops)}/${formatCount(inv.guaranteeable_iops)}  bandwidth ${formatBits(u.bandwidth_bits_per_s)}/${formatBits(inv.guaranteeable_bandwidth_bits_per_s)}  VFs ${u.vfs}/${podVfCount(inv)}`,
    );
    lines.push(
      `  storage ${formatBytesDecimal(u.storage_bytes)}/${formatBytesDecimal(storageCapacityBytes(inv))}  volumes ${u.volumes}/${inv.max_volumes}  controllers local ${u.local_controllers}/${inv.local_controllers}, remote ${u.remote_controllers}/${inv.remote_controllers}`,
    );
    // Where the guaranteeable IOPS come from: each drive's guarantee at the default tier I/O, under the rated figure.
    const drives = inv.drives.map(
      (d) => `${d.profile} ${d.guaranteed_iops !== undefined ? formatCount(d.guaranteed_iops) : 'no guarantee'}`,
    );
    lines.push(
      `  IOPS guaranteed at 4K 70/30 (a tier's own I/O scales its share): drives ${drives.join(', ')}${inv.rated_iops !== undefined ? `; node rated ${formatCount(inv.rated_iops)}` : ''}`,
    );
    const pods = [...state.pods.values()].filter((p) => p.status.state === 'running' && p.status.node === n.name);
    lines.push(`Pods (${pods.length}):`);
    for (const p of pods)
      lines.push(`  ${p.namespace}/${p.name}  ${p.cpu_millicores}m  ${formatBytesBinary(p.memory_bytes)}  ${p.perf_tier}`);
  }
  if (events.length > 0) {
    lines.push('Events:');
    for (const e of events) lines.push(`  ${e.at}  ${e.severity.padEnd(7)}  ${e.reason}  ${e.message}`);
  }
  return lines.join('\n') + '\n';
}

/** Events as a table, oldest first. */
export function eventsTable(events: readonly ClusterEvent[]): string {
  return table(
    ['TIME', 'SEVERITY', 'REASON', 'OBJECT', 'MESSAGE'],
    events.map((e) => [e.at, e.severity, e.reason, e.object, e.message]),
  );
}

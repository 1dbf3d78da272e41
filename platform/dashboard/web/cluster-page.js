// Cluster: the nodes with their inventory and what is used or reserved of it, the networks' address pools,
// the perf tiers. Every figure is an API answer: /usage/nodes, /usage/networks, /perf-tiers, /cluster.
import { getIfAllowed } from './api.js';
import { card, h, of, si, bytes, stateText, table } from './dom.js';
import { chartWidth, figure } from './charts.js';
import { ipPoolChart, reservedAgainstCapacityChart } from '/dashboard/charts/cluster-usage.js';

const notAllowed = (what, role) => h('p', { class: 'note' }, `This token may not view ${what} (it needs the ${role} role).`);
const sum = (rows, pick) => rows.reduce((total, r) => total + pick(r), 0);
const cores = (millicores) => si(millicores / 1000);

function nodesSection(nodes, width) {
  const byState = {};
  for (const n of nodes) byState[n.state] = (byState[n.state] ?? 0) + 1;
  const cards = h(
    'div',
    { class: 'cards' },
    card(
      String(nodes.length),
      `nodes (${Object.entries(byState)
        .map(([s, k]) => `${k} ${s}`)
        .join(', ')})`,
    ),
    card(String(sum(nodes, (n) => n.pods.used)), 'pods running'),
    card(of(cores(sum(nodes, (n) => n.cpu_millicores.used)), cores(sum(nodes, (n) => n.cpu_millicores.total))), 'cores requested of total'),
    card(
      of(
        sum(nodes, (n) => n.vfs.used),
        sum(nodes, (n) => n.vfs.total),
      ),
      'VFs used of total',
    ),
    card(
      of(
        sum(nodes, (n) => n.iops.reserved),
        sum(nodes, (n) => n.iops.guaranteeable),
        si,
      ),
      'IOPS reserved of guaranteeable',
    ),
    card(
      of(
        sum(nodes, (n) => n.bandwidth_bits_per_s.reserved),
        sum(nodes, (n) => n.bandwidth_bits_per_s.guaranteeable),
        si,
      ),
      'bandwidth (bit/s) reserved of guaranteeable',
    ),
  );
  const rows = table(
    'Per node: used or reserved of what it has. Reserved is what admission counted for the running pods, not a measurement.',
    [
      ['Node', (n) => n.node],
      ['State', (n) => stateText(n.state)],
      ['Zone', (n) => n.zone],
      ['Profile', (n) => n.profile],
      ['Drives', (n) => String(n.drives), true],
      ['Pods', (n) => of(n.pods.used, n.pods.total), true],
      ['Cores', (n) => of(n.cpu_millicores.used, n.cpu_millicores.total, cores), true],
      ['Memory', (n) => of(n.memory_bytes.used, n.memory_bytes.total, bytes), true],
      ['Storage (B)', (n) => of(n.storage_bytes.used, n.storage_bytes.total, si), true],
      ['VFs', (n) => of(n.vfs.used, n.vfs.total), true],
      ['IOPS reserved', (n) => of(n.iops.reserved, n.iops.guaranteeable, si), true],
      ['Bandwidth reserved (bit/s)', (n) => of(n.bandwidth_bits_per_s.reserved, n.bandwidth_bits_per_s.guaranteeable, si), true],
    ],
    nodes,
  );
  const iops = nodes.map((n) => ({ node: n.node, reserved: n.iops.reserved, capacity: n.iops.guaranteeable }));
  const bandwidth = nodes.map((n) => ({
    node: n.node,
    reserved: n.bandwidth_bits_per_s.reserved,
    capacity: n.bandwidth_bits_per_s.guaranteeable,
  }));
  return [
    cards,
    h('h2', {}, 'Nodes'),
    rows,
    h('h2', {}, 'Guaranteed IOPS reserved'),
    figure(reservedAgainstCapacityChart(iops, 'guaranteed IOPS', width)),
    h('h2', {}, 'Guaranteed bandwidth reserved'),
    figure(reservedAgainstCapacityChart(bandwidth, 'bandwidth, bit/s', width)),
  ];
}

function networksSection(networks, pools, width) {
  const poolOf = new Map(pools.map((p) => [p.network, p]));
  return [
    table(
      'L2 networks and their address pools',
      [
        ['Network', (n) => n.name],
        ['Subnet', (n) => n.subnet],
        ['Range', (n) => `${n.start} – ${n.end}`],
        ['Gateway', (n) => n.gateway],
        ['VLAN', (n) => (n.vlan === undefined ? '-' : String(n.vlan)), true],
        ['Zone', (n) => n.zone ?? '-'],
        ['Default', (n) => (n.is_default ? 'yes' : '')],
        ['Addresses taken', (n) => (poolOf.has(n.name) ? of(poolOf.get(n.name).used, poolOf.get(n.name).size) : '-'), true],
      ],
      networks,
    ),
    figure(ipPoolChart(pools, width)),
  ];
}

function tiersSection(tiers) {
  const optional = (v, format) => (v === undefined ? '-' : format(v));
  return table(
    'Perf tiers: guaranteed minimums (admitted per node and per pod port) and recorded maximums',
    [
      ['Tier', (t) => t.name],
      ['Storage IOPS', (t) => si(t.storage_iops), true],
      ['Bandwidth (bit/s)', (t) => si(t.network_bandwidth_bits_per_s), true],
      ['Max IOPS', (t) => optional(t.max_storage_iops, si), true],
      ['Max bandwidth (bit/s)', (t) => optional(t.max_network_bandwidth_bits_per_s, si), true],
      ['Built in', (t) => (t.builtin ? 'yes' : '')],
    ],
    tiers,
  );
}

/**
 * The page's content for a content width in px and the caller (/whoami): only what its roles let it view
 * is asked for, so a tenant's page makes no refused request.
 */
export async function clusterPage(contentWidth, me) {
  const width = chartWidth(contentWidth);
  const may = (cls, path) => (me.cluster_views.includes(cls) ? getIfAllowed(path) : null);
  const [cluster, nodes, networks, pools, tiers] = await Promise.all([
    may('node', 'cluster'),
    may('node', 'usage/nodes'),
    may('network', 'networks'),
    may('network', 'usage/networks'),
    may('perftier', 'perf-tiers'),
  ]);
  const title = cluster ? `Cluster ${cluster.cluster.name}` : 'Cluster';
  return [
    h('h1', {}, title),
    cluster
      ? h('p', { class: 'note' }, `scoring policy ${cluster.cluster.policy}, default node profile ${cluster.cluster.node_profile}`)
      : null,
    ...(nodes ? nodesSection(nodes, width) : [h('h2', {}, 'Nodes'), notAllowed('nodes', 'node-view')]),
    h('h2', {}, 'Networks'),
    ...(networks && pools ? networksSection(networks, pools, width) : [notAllowed('networks', 'network-view')]),
    h('h2', {}, 'Perf tiers'),
    tiers ? tiersSection(tiers) : notAllowed('perf tiers', 'perftier-view'),
  ];
}

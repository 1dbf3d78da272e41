// Cluster: the nodes with their inventory and what is used or reserved of it, the networks' address pools,
// the perf tiers. Every figure is an API answer: /usage/cluster (the sums), /usage/nodes (paged), /usage/networks,
// /perf-tiers.
import { get, getIfAllowed } from './api.js';
import { card, h, of, si, bytes, stateText, table } from './dom.js';
import { chartWidth, figure } from './charts.js';
import { ipPoolChart, reservedAgainstCapacityChart } from '/dashboard/charts/cluster-usage.js';

const notAllowed = (what, role) => h('p', { class: 'note' }, `This token may not view ${what} (it needs the ${role} role).`);
const cores = (millicores) => si(millicores / 1000);

/** Nodes a page shows at a time: the list is paged by the server, so 5,000 nodes never come in one answer. */
const NODES_PER_PAGE = 200;

/** The summary cards of every node the caller may view, from the server's sums (/usage/cluster). */
function cardsOf(t) {
  return h(
    'div',
    { class: 'cards' },
    card(
      String(t.nodes),
      `nodes (${Object.entries(t.nodes_by_state)
        .map(([s, k]) => `${k} ${s}`)
        .join(', ')})`,
    ),
    card(String(t.pods.used), 'pods running'),
    card(of(cores(t.cpu_millicores.used), cores(t.cpu_millicores.total)), 'cores requested of total'),
    card(of(t.vfs.used, t.vfs.total), 'VFs used of total'),
    card(of(t.iops.reserved, t.iops.guaranteeable, si), 'IOPS reserved of guaranteeable'),
    card(of(t.bandwidth_bits_per_s.reserved, t.bandwidth_bits_per_s.guaranteeable, si), 'bandwidth (bit/s) reserved of guaranteeable'),
  );
}

function nodesTable(nodes) {
  return table(
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
}

/** One page of nodes (their table and reservation charts), with a button for the next when the server has more. */
async function nodesBlock(width, from = 0, cont) {
  const page = await get(`usage/nodes?limit=${NODES_PER_PAGE}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
  const nodes = page.items;
  const remaining = page.metadata.remainingItemCount;
  const block = h('section', { 'aria-label': 'nodes' });
  const iops = nodes.map((n) => ({ node: n.node, reserved: n.iops.reserved, capacity: n.iops.guaranteeable }));
  const bandwidth = nodes.map((n) => ({
    node: n.node,
    reserved: n.bandwidth_bits_per_s.reserved,
    capacity: n.bandwidth_bits_per_s.guaranteeable,
  }));
  const range = nodes.length ? `nodes ${from + 1} to ${from + nodes.length}` : 'no nodes';
  block.append(
    h('p', { class: 'note', tabindex: -1 }, `${range} shown${remaining > 0 ? `, ${remaining} more` : ''}`),
    nodesTable(nodes),
    remaining > 0
      ? h(
          'div',
          { class: 'pager' },
          h(
            'button',
            {
              type: 'button',
              onclick: async () => {
                const next = await nodesBlock(width, from + nodes.length, page.metadata.continue);
                block.replaceWith(next);
                // The button went with its block: the keyboard carries on from the new page's first line.
                next.querySelector('p.note').focus();
              },
            },
            `Next ${Math.min(remaining, NODES_PER_PAGE)} of ${remaining} more nodes`,
          ),
        )
      : '',
    h('h2', {}, `Guaranteed IOPS reserved (${range})`),
    figure(reservedAgainstCapacityChart(iops, 'guaranteed IOPS', width)),
    h('h2', {}, `Guaranteed bandwidth reserved (${range})`),
    figure(reservedAgainstCapacityChart(bandwidth, 'bandwidth, bit/s', width)),
  );
  return block;
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
  const [totals, networks, pools, tiers] = await Promise.all([
    may('node', 'usage/cluster'),
    may('network', 'networks'),
    may('network', 'usage/networks'),
    may('perftier', 'perf-tiers'),
  ]);
  const title = totals ? `Cluster ${totals.cluster.name}` : 'Cluster';
  return [
    h('h1', {}, title),
    totals
      ? h('p', { class: 'note' }, `scoring policy ${totals.cluster.policy}, default node profile ${totals.cluster.node_profile}`)
      : null,
    ...(totals
      ? [cardsOf(totals), h('h2', {}, 'Nodes'), await nodesBlock(width)]
      : [h('h2', {}, 'Nodes'), notAllowed('nodes', 'node-view')]),
    h('h2', {}, 'Networks'),
    ...(networks && pools ? networksSection(networks, pools, width) : [notAllowed('networks', 'network-view')]),
    h('h2', {}, 'Perf tiers'),
    tiers ? tiersSection(tiers) : notAllowed('perf tiers', 'perftier-view'),
  ];
}

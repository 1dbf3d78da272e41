// Pods and volumes: where each pod runs and why (its reservations, or the scheduler's reason per node for a
// pending one), its endpoints, its volumes with their plexes and nodes, the snapshots. Every figure is an
// API answer: /pods, /volumes, /snapshots (each paged).
import { get, getIfAllowed } from './api.js';
import { h, si, bytes, stateText, table } from './dom.js';
import { chartWidth, figure } from './charts.js';
import { decisionPartsChart, placementScoresChart } from '/dashboard/charts/placement-scores.js';

/** Pods a page shows at a time: the list is paged by the server, never fetched whole. */
const PODS_PER_PAGE = 500;

const key = (o) => `${o.namespace}/${o.name}`;

/** Where a pod runs and why, in words: what admission reserved there, or why it fits nowhere. */
function whyText(pod) {
  const s = pod.status;
  if (s.state === 'pending') return s.failure.summary;
  const parts = [`reserves ${si(s.reserved_iops)} IOPS and ${si(s.reserved_bandwidth_bits_per_s)} bit/s there (tier ${pod.perf_tier})`];
  const selector = Object.entries(pod.node_selector).map(([k, v]) => `${k}=${v}`);
  if (selector.length) parts.push(`node selector ${selector.join(', ')}`);
  if (pod.tolerations.length) parts.push(`tolerates ${pod.tolerations.join(', ')}`);
  return parts.join('; ');
}

function endpointsText(pod) {
  if (pod.status.state !== 'running') return pod.endpoints.map((e) => `${e.network} (not bound)`).join(', ') || '-';
  return h(
    'ul',
    {},
    pod.status.endpoints.map((e) => h('li', {}, `${e.network} ${e.ip} ${e.mac} VF ${e.port}/${e.vf}${e.static ? ' static' : ''}`)),
  );
}

function volumesText(pod, volumes) {
  if (pod.volumes.length === 0) return '-';
  return h(
    'ul',
    {},
    pod.volumes.map((name) => {
      const v = volumes.get(`${pod.namespace}/${name}`);
      return h('li', {}, v ? `${name}: plexes on ${v.plexes.map((p) => p.node).join(', ')}` : name);
    }),
  );
}

function podsTable(pods, volumes) {
  return table(
    'Pods: where each runs and why, its endpoints and volumes',
    [
      ['Pod', (p) => h('a', { href: `#/pods/${encodeURIComponent(p.namespace)}/${encodeURIComponent(p.name)}` }, key(p))],
      ['State', (p) => stateText(p.status.state)],
      ['Node', (p) => (p.status.state === 'running' ? p.status.node : '-')],
      ['Why', whyText, 'text'],
      ['Requests', (p) => `${p.cpu_millicores}m, ${bytes(p.memory_bytes)}`],
      ['Endpoints (network, IP, MAC, VF)', endpointsText, 'text'],
      ['Volumes', (p) => volumesText(p, volumes), 'text'],
    ],
    pods,
  );
}

/** Each pending pod with every node's reason (what anvil describe shows). */
function pendingSection(pods) {
  const pending = pods.filter((p) => p.status.state === 'pending');
  if (pending.length === 0) return [];
  return [
    h('h2', {}, 'Pending pods: why no node takes them'),
    ...pending.map((p) =>
      table(
        `${key(p)}: ${p.status.failure.summary}`,
        [
          ['Node', (n) => n.node],
          ['Reason', (n) => n.reason, 'text'],
        ],
        p.status.failure.nodes,
      ),
    ),
  ];
}

function plexesText(v) {
  return h(
    'ul',
    {},
    v.plexes.map((p) =>
      h(
        'li',
        {},
        `${p.node} drive ${p.drive} `,
        stateText(p.state),
        p.resync ? ` from ${p.resync.source}, done at ${p.resync.finishes_at}` : '',
      ),
    ),
  );
}

function attachmentText(v) {
  const a = v.attachment;
  return a.state === 'attached' ? `${a.pod} on ${a.node} (${a.via})` : 'detached';
}

function volumesSection(volumes, snapshots) {
  return [
    h('h2', {}, 'Volumes'),
    table(
      'Mirrored volumes: their plexes (a copy on a node) and the pod they are attached to',
      [
        ['Volume', (v) => key(v)],
        ['Size (B)', (v) => si(v.size_bytes), true],
        ['Tier', (v) => v.perf_tier],
        ['State', (v) => stateText(v.state)],
        ['Mirrors', (v) => `${v.plexes.filter((p) => p.state === 'in-sync').length}/${v.mirrors}`, true],
        ['Plexes', plexesText],
        ['Attached to', attachmentText],
      ],
      volumes,
    ),
    h('h2', {}, 'Snapshots'),
    snapshots === null
      ? h('p', { class: 'note' }, 'This token may not view snapshots.')
      : table(
          'Snapshots: the volume each was taken of and the nodes holding it',
          [
            ['Snapshot', (s) => key(s)],
            ['Volume', (s) => s.volume],
            ['Size (B)', (s) => si(s.size_bytes), true],
            ['Nodes', (s) => s.nodes.join(', ')],
            ['Taken', (s) => s.created_at],
          ],
          snapshots,
        ),
  ];
}

/** One page of pods, with a button for the next when the server has more. */
async function podsBlock(volumes, cont) {
  const page = await get(`pods?limit=${PODS_PER_PAGE}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
  const block = h('section', { 'aria-label': 'pods' });
  const remaining = page.metadata.remainingItemCount;
  const next =
    remaining > 0
      ? h(
          'button',
          {
            type: 'button',
            onclick: async () => block.replaceWith(await podsBlock(volumes, page.metadata.continue)),
          },
          `Next ${Math.min(remaining, PODS_PER_PAGE)} of ${remaining} more pods`,
        )
      : null;
  block.append(
    h('p', { class: 'note' }, `${page.items.length} pods shown${remaining > 0 ? `, ${remaining} more` : ''}`),
    podsTable(page.items, volumes),
    ...pendingSection(page.items),
    next ?? '',
  );
  return block;
}

/** Volumes and snapshots a page shows: the first page of each, never the whole list (a note says how many more). */
const VOLUMES_SHOWN = 500;

/** "500 volumes shown, 20 more (anvil get volumes -A lists them all)" when the server has more. */
const moreNote = (page, what) =>
  page && page.metadata.remainingItemCount > 0
    ? h(
        'p',
        { class: 'note' },
        `${page.items.length} ${what} shown, ${page.metadata.remainingItemCount} more (anvil get ${what} -A lists them all)`,
      )
    : null;

/** A node's verdict in words: where the pod runs, fits (and could run) or is rejected. */
const verdictWord = (n) => (n.chosen ? 'runs here' : n.fits ? 'fits' : 'rejected');

const partsText = (n) => (n.score_parts ? n.score_parts.map((p) => `${p.name} ${p.value.toFixed(3)}×${p.weight}`).join(' + ') : '-');

/** The decision the scheduler recorded when it placed the pod: the chart of score parts, each node's verdict, the rejections' counts. */
function recordedWhy(decision, contentWidth) {
  return [
    h('h2', {}, 'Why this node (recorded when the scheduler placed the pod)'),
    figure(decisionPartsChart(decision.nodes, chartWidth(contentWidth))),
    table(
      decision.summary,
      [
        ['Node', (n) => n.node],
        ['Verdict', (n) => h('span', { class: n.chosen ? 'state-running' : n.fits ? null : 'state-pending' }, verdictWord(n))],
        ['Score parts (value × weight)', partsText, 'text'],
        ['Score', (n) => (n.score === undefined ? '-' : n.score.toFixed(3)), true],
        ['Reason', (n) => n.rejection?.reason ?? (n.chosen ? 'fits, highest score: chosen' : 'fits'), 'text'],
      ],
      decision.nodes,
    ),
    decision.rejections.length > 0
      ? table(
          `Rejections over the ${decision.nodes_evaluated} nodes evaluated (of ${decision.nodes_in_cluster})`,
          [
            ['Rejection', (r) => r.code],
            ['Filter', (r) => r.filter],
            ['Nodes', (r) => String(r.nodes), true],
          ],
          decision.rejections,
        )
      : h('p', {}, `No node evaluated was rejected (${decision.nodes_evaluated} of ${decision.nodes_in_cluster} evaluated).`),
  ];
}

/** Every node's verdict as the cluster is now (the pod's own reservation given back): for a pod placed before decisions were recorded. */
function workedOutWhy(scheduling, contentWidth) {
  const note =
    scheduling.decision && !scheduling.decision.recorded ? `${scheduling.decision.code}: ${scheduling.decision.explanation}` : null;
  return [
    h('h2', {}, 'Why this node (worked out now, not recorded)'),
    note ? h('p', { class: 'note' }, note) : null,
    figure(placementScoresChart(scheduling.placement.nodes, chartWidth(contentWidth))),
    table(
      `${scheduling.placement.summary}`,
      [
        ['Node', (n) => n.node],
        ['Verdict', (n) => h('span', { class: n.chosen ? 'state-running' : n.fits ? null : 'state-pending' }, verdictWord(n))],
        ['Score', (n) => (n.score === undefined ? '-' : n.score.toFixed(3)), true],
        ['Reason', (n) => n.reason ?? (n.chosen ? 'fits; the pod runs here' : 'fits'), 'text'],
      ],
      scheduling.placement.nodes,
    ),
  ].filter((x) => x !== null);
}

/**
 * One pod (#/pods/NS/NAME): its status, endpoints and volumes, and why it is where it is: for a running pod
 * the scheduler's decision as recorded when it placed the pod (score parts per node, the rejected with their
 * reason, the counts per rejection), or, for a pod placed before decisions were recorded, every node's verdict
 * worked out now; for a pending pod every node's reason. From /pods/NAME and /pods/NAME/scheduling.
 */
async function podPage(namespace, name, contentWidth) {
  const base = `namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`;
  const [pod, scheduling, volumeList] = await Promise.all([
    get(base),
    get(`${base}/scheduling`),
    get(`namespaces/${encodeURIComponent(namespace)}/volumes`),
  ]);
  const volumes = new Map(volumeList.map((v) => [key(v), v]));
  const why =
    scheduling.state === 'running'
      ? scheduling.decision?.recorded
        ? recordedWhy(scheduling.decision, contentWidth)
        : workedOutWhy(scheduling, contentWidth)
      : [
          h('h2', {}, 'Why no node takes it'),
          table(
            scheduling.failure.summary,
            [
              ['Node', (n) => n.node],
              ['Reason', (n) => n.reason, 'text'],
            ],
            scheduling.failure.nodes,
          ),
        ];
  return [h('p', {}, h('a', { href: '#/pods' }, '← all pods')), h('h1', {}, `Pod ${key(pod)}`), podsTable([pod], volumes), ...why];
}

export async function podsPage(contentWidth, _me, rest) {
  if (rest) {
    const [namespace, name] = rest.split('/').map(decodeURIComponent);
    return podPage(namespace, name, contentWidth);
  }
  const [volumePage, snapshotPage] = await Promise.all([
    get(`volumes?limit=${VOLUMES_SHOWN}`),
    getIfAllowed(`snapshots?limit=${VOLUMES_SHOWN}`),
  ]);
  // A pod's volumes show their plexes when on this page, else by name only.
  const volumes = new Map(volumePage.items.map((v) => [key(v), v]));
  return [
    h('h1', {}, 'Pods and volumes'),
    await podsBlock(volumes),
    ...volumesSection(volumePage.items, snapshotPage?.items ?? null),
    moreNote(volumePage, 'volumes'),
    moreNote(snapshotPage, 'snapshots'),
  ].filter((x) => x !== null);
}

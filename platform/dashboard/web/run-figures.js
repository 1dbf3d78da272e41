// A finished run's page beyond its intervals: the SLA verdict table (GET /runs/ID/verdicts), each pod's
// latency CDF from the merged histograms (GET /runs/ID/latency-cdf) and each node's utilisation (GET
// /runs/ID/nodes). Every figure is the API's; the charts are the report chart functions.
import { get } from './api.js';
import { h, scrollBox, si, table } from './dom.js';
import { figure } from './charts.js';
import { downloadLinks } from './downloads.js';
import { latencyCdfPerPodChart } from '/dashboard/charts/run-latency-cdf.js';
import { nodeUtilisationChart } from '/dashboard/charts/node-utilisation.js';

/** The three answers of run `id`'s page, fetched at once. */
export function fetchRunFigures(id) {
  const run = `runs/${encodeURIComponent(id)}`;
  return Promise.all([get(`${run}/verdicts`), get(`${run}/latency-cdf`), get(`${run}/nodes`)]);
}

/** Each SLA check: its SLA as the row's header, what it covers, the check, measured, limit, margin, verdict and why. */
function verdictTable(answer) {
  const columns = ['SLA', 'Scope', 'Check', 'Measured', 'Limit', 'Margin', 'Verdict', 'Why'];
  const verdicts = h(
    'table',
    { id: 'run-verdicts' },
    h(
      'caption',
      { class: 'note' },
      `Each SLA check of ${answer.source}: the measured figure (the worst interval for a per-interval check) against its limit`,
    ),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columns.map((c) =>
          h('th', { scope: 'col', class: ['Measured', 'Margin'].includes(c) ? 'num' : ['Check', 'Why'].includes(c) ? 'text' : null }, c),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      answer.verdicts.map((v) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, v.sla),
          h('td', {}, v.scope),
          h('td', { class: 'text' }, v.check_text),
          h('td', { class: 'num' }, v.measured_text),
          h('td', {}, v.limit_text),
          h('td', { class: 'num' }, v.margin_text),
          h('td', {}, h('span', { class: `verdict-${v.status}` }, v.status)),
          h('td', { class: 'text' }, v.reason),
        ),
      ),
    ),
  );
  return scrollBox(verdicts);
}

function verdictSection(answer) {
  return [
    h('h2', {}, 'SLA verdicts'),
    answer.source === null ? h('p', { class: 'note', id: 'run-verdicts-none' }, answer.note) : verdictTable(answer),
  ];
}

/** The CSV of each chart: the API's fields, one line per point (the CDF) or per resource (the nodes). */
const CDF_FIELDS = ['pod', 'direction', 'fraction', 'latency_us'];
const NODE_FIELDS = ['stack', 'node', 'kind', 'resource', 'utilisation', 'detail'];
const cdfRows = (series) => series.flatMap((s) => s.points.map((p) => ({ pod: s.pod, direction: s.direction, ...p })));

/** A chart in a box of id `id`, with the links to download its data (`fields` of `rows`) and itself as `name`. */
export function withDownloads(id, name, figureEl, fields, rows) {
  return h('div', { id }, figureEl, downloadLinks(name, fields, rows, figureEl));
}

function cdfSection(answer, width) {
  if (answer.series.length === 0) return [h('h2', {}, 'Completion latency CDF per pod'), h('p', { class: 'note' }, answer.note)];
  return [
    h('h2', {}, 'Completion latency CDF per pod'),
    answer.note ? h('p', { class: 'note' }, answer.note) : null,
    withDownloads('run-cdf', 'latency-cdf', figure(latencyCdfPerPodChart(answer.series, width)), CDF_FIELDS, cdfRows(answer.series)),
    table(
      "Each pod's completion latency percentiles per direction, from its jobs' histograms merged (never averaged)",
      [
        ['Pod', (s) => s.pod],
        ['Direction', (s) => s.direction],
        ['I/Os', (s) => si(s.ios), true],
        ['p50 (us)', (s) => si(s.p50_us), true],
        ['p99 (us)', (s) => si(s.p99_us), true],
        ['p99.9 (us)', (s) => si(s.p999_us), true],
      ],
      answer.series,
    ),
  ];
}

function nodeSection(answer, width) {
  if (answer.rows.length === 0) return [h('h2', {}, 'Node utilisation'), h('p', { class: 'note' }, answer.note)];
  return [
    h('h2', {}, 'Node utilisation'),
    h('p', { class: 'note' }, 'Averaged over the whole run, warm-up included: the model keeps no per-interval node tables.'),
    withDownloads('run-nodes', 'node-utilisation', figure(nodeUtilisationChart(answer.rows, width)), NODE_FIELDS, answer.rows),
    table(
      "How busy the run kept each node's CPU, drives and NIC lines",
      [
        ['Stack', (r) => r.stack],
        ['Node', (r) => r.node],
        ['Resource', (r) => r.resource],
        ['Busy (%)', (r) => (100 * r.utilisation).toFixed(1), true],
        ['Figure', (r) => r.detail],
      ],
      answer.rows,
    ),
  ];
}

/** The sections of the run page these answers give: the verdicts first (the run's outcome), then the charts. */
export function runFigureSections([verdicts, cdf, nodes], width) {
  return { verdicts: verdictSection(verdicts), charts: [...cdfSection(cdf, width), ...nodeSection(nodes, width)] };
}

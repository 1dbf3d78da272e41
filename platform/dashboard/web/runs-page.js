// Runs: the results folders anvil serve --runs knows of, newest first, and a run's page with each pod's
// IOPS and latency percentiles over time. Every figure is an API answer: /runs, /runs/ID/intervals.
import { get } from './api.js';
import { h, si, table } from './dom.js';
import { chartWidth, figure } from './charts.js';
import { iopsOverTimeChart, latencyOverTimeChart } from '/dashboard/charts/run-series.js';

/** The SLA verdict of verdicts.json, in words and colour: "fail: 2 of 5 checks failed". */
function verdictCell(r) {
  const v = r.verdict;
  if (v === undefined) return '-';
  const words =
    v.status === 'fail'
      ? `fail: ${v.failed} of ${v.checks} checks failed`
      : v.status === 'pass'
        ? `pass: ${v.passed} of ${v.checks} checks held`
        : `skipped: none of ${v.checks} checks judged`;
  return h('span', { class: `verdict-${v.status}` }, words);
}

function listPage(list) {
  if (list.folder === null)
    return [
      h('h1', {}, 'Runs'),
      h(
        'p',
        { class: 'note' },
        'This server has no runs folder: start it with anvil serve --runs DIR, where anvil run ... --out DIR/NAME writes.',
      ),
    ];
  return [
    h('h1', {}, 'Runs'),
    h(
      'p',
      { class: 'note' },
      `${list.runs.length} runs in ${list.folder}, newest first. `,
      list.runs.length >= 2
        ? h(
            'a',
            { href: `#/compare?runs=${[list.runs[1].id, list.runs[0].id].map(encodeURIComponent).join(',')}` },
            'Compare the newest two',
          )
        : null,
    ),
    table(
      'Runs: target, scenario, stack, seed and simulated seconds',
      [
        ['Run', (r) => h('a', { href: `#/runs/${encodeURIComponent(r.id)}` }, r.id)],
        ['Target', (r) => r.target],
        ['Scenario', (r) => r.scenario],
        ['Stack', (r) => r.stack ?? '-'],
        ['Seed', (r) => String(r.seed), true],
        ['Simulated (s)', (r) => (r.duration_s === undefined ? '-' : r.duration_s.toFixed(2)), true],
        ['Pods', (r) => (r.pods === undefined ? '-' : String(r.pods)), true],
        ['SLA verdict', verdictCell],
        ['Finished', (r) => r.finished_at],
      ],
      list.runs,
    ),
  ];
}

async function runPage(id, contentWidth) {
  const rows = await get(`runs/${encodeURIComponent(id)}/intervals`);
  const width = chartWidth(contentWidth);
  const series = [...new Set(rows.map((r) => `${r.pod} ${r.direction}`))];
  return [
    h('p', {}, h('a', { href: '#/runs' }, '← all runs')),
    h('h1', {}, `Run ${id}`),
    h('p', { class: 'note' }, `${series.length} pod and direction series over ${new Set(rows.map((r) => r.time_s)).size} intervals`),
    h('h2', {}, 'IOPS per pod'),
    figure(iopsOverTimeChart(rows, width)),
    h('h2', {}, 'Completion latency per pod'),
    figure(latencyOverTimeChart(rows, width)),
    h('h2', {}, 'The figures'),
    table(
      "Each interval's IOPS and completion latency percentiles (from the interval's histogram) per pod and direction",
      [
        ['Time (s)', (r) => r.time_s.toFixed(3), true],
        ['Pod', (r) => r.pod],
        ['Direction', (r) => r.direction],
        ['IOPS', (r) => si(r.iops), true],
        ['p50 (us)', (r) => si(r.clat_p50_us), true],
        ['p99 (us)', (r) => si(r.clat_p99_us), true],
      ],
      rows,
    ),
  ];
}

/** #/runs lists them; #/runs/ID opens one. */
export async function runsPage(contentWidth, _me, rest) {
  if (rest) return runPage(decodeURIComponent(rest), contentWidth);
  return listPage(await get('runs'));
}

// Runs: the results folders anvil serve --runs knows of, newest first, the form that starts a run on the
// model, and a run's page with each pod's IOPS and latency percentiles over time, drawn live from the run's
// events while it runs; a finished run's page adds its SLA verdicts, latency CDFs and node utilisation
// (run-figures.js). Every figure is an API answer: /runs, /runs/ID/intervals, /runs/ID/events,
// /runs/ID/verdicts, /runs/ID/latency-cdf, /runs/ID/nodes.
import { get } from './api.js';
import { h, si, table } from './dom.js';
import { chartWidth, figure } from './charts.js';
import { followRun, startRunForm } from './live-run.js';
import { fetchRunFigures, runFigureSections, withDownloads } from './run-figures.js';
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

/** The runs this server started and still keeps: running, and the last finished. */
function liveTable(live) {
  if (live.length === 0) return [];
  return [
    table(
      'Runs started from this server: status and simulated time done',
      [
        ['Run', (r) => h('a', { href: `#/runs/${encodeURIComponent(r.id)}` }, r.id)],
        ['Scenario', (r) => r.scenario_file],
        ['Stack', (r) => r.stack],
        ['Seed', (r) => String(r.seed), true],
        ['Status', (r) => h('span', { class: `run-${r.status}` }, r.status)],
        ['Done (s)', (r) => `${r.done_s.toFixed(2)} of ${r.duration_s}`, true],
      ],
      live,
    ),
  ];
}

/** The tenants `me` may start runs under (container edit there: POST /runs with a tenant). */
const runTenants = (me) =>
  Object.entries(me.namespace_edits)
    .filter(([, classes]) => classes.includes('container'))
    .map(([ns]) => ns)
    .sort();

/** A run of the cluster's own is a cluster edit, a tenant's run container edit in it: the form shows to who may make either. */
const mayStartRuns = (me) => me.cluster_edits.includes('cluster') || runTenants(me).length > 0;

async function listPage(list, me) {
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
    mayStartRuns(me)
      ? await startRunForm(me.cluster_edits.includes('cluster'), runTenants(me))
      : h(
          'p',
          { class: 'note', id: 'start-run-denied' },
          `${me.user} may view runs but not start them (that takes cluster edit, or container edit in a tenant).`,
        ),
    ...liveTable(list.live),
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
        ['SLA verdict', verdictCell, 'text'],
        ['Finished', (r) => r.finished_at],
      ],
      list.runs,
    ),
  ];
}

/**
 * A run's figures: both charts (the report's chart functions) and the table, from `rows` (its intervals);
 * `charts` (a finished run's other charts) go before the table. A finished run's charts (`finished`) have
 * their downloads; a running run's are drawn again each second and have none.
 */
function runFigures(rows, width, charts = [], finished = false) {
  const iops = figure(iopsOverTimeChart(rows, width));
  const latency = figure(latencyOverTimeChart(rows, width));
  const fields = ['time_s', 'pod', 'direction', 'iops', 'clat_p50_us', 'clat_p99_us'];
  return [
    h('h2', {}, 'IOPS per pod'),
    finished ? withDownloads('run-iops', 'iops', iops, fields, rows) : iops,
    h('h2', {}, 'Completion latency per pod'),
    finished ? withDownloads('run-latency', 'latency', latency, fields, rows) : latency,
    ...charts,
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

async function runPage(id, contentWidth, listing, followed) {
  const [rows, figures] = await Promise.all([get(`runs/${encodeURIComponent(id)}/intervals`), fetchRunFigures(id)]);
  const width = chartWidth(contentWidth);
  const sections = runFigureSections(figures, width);
  const series = [...new Set(rows.map((r) => `${r.pod} ${r.direction}`))];
  // The parts a run lacks (a listing, a live follow, a note) are null: left out, never drawn as text.
  const parts = [
    h('p', {}, h('a', { href: '#/runs' }, '← all runs')),
    h('h1', {}, `Run ${id}`),
    listing
      ? h(
          'p',
          { class: 'run-verdict' },
          `${listing.scenario}, stack ${listing.stack ?? '-'}, seed ${listing.seed}. SLA verdict: `,
          verdictCell(listing),
        )
      : null,
    followed
      ? h(
          'p',
          { class: 'note', id: 'run-followed', 'data-events': followed.events, 'data-gaps': followed.gaps },
          `Followed live: ${followed.events} events${followed.gaps > 0 ? `, ${followed.gaps} of them after a gap` : ', each once and in order'}.`,
        )
      : null,
    ...sections.verdicts,
    h('p', { class: 'note' }, `${series.length} pod and direction series over ${new Set(rows.map((r) => r.time_s)).size} intervals`),
    ...runFigures(rows, width, sections.charts, true),
  ];
  return parts.filter((part) => part !== null);
}

/** A running run's page: its progress and figures from its events, then (same URL) the finished page. */
function liveRunPage(run, contentWidth) {
  const width = chartWidth(contentWidth);
  const rows = [];
  const bar = h('progress', { id: 'run-progress', max: run.duration_s, value: run.done_s, 'aria-labelledby': 'run-progress-label' });
  const label = h('span', { id: 'run-progress-label' }, 'starting');
  const state = h('p', { class: 'note', id: 'run-state', 'data-events': '0', 'data-gaps': '0' }, 'running');
  const figures = h('div', { id: 'run-figures' });
  const controller = new AbortController();
  window.addEventListener('hashchange', () => controller.abort(), { once: true });
  let drawn = 0;
  let lastId = 0;
  const draw = () => {
    drawn = performance.now();
    figures.replaceChildren(...(rows.length > 0 ? runFigures(rows, width) : [h('p', { class: 'note' }, 'No interval has closed yet.')]));
  };
  const onEvent = (e) => {
    // Event ids follow each other: a gap would be figures lost (counted for the page's tests).
    if (e.id !== lastId + 1) state.dataset.gaps = String(Number(state.dataset.gaps) + 1);
    lastId = e.id;
    state.dataset.events = String(e.id);
    if (e.event === 'progress') {
      bar.value = e.data.now_s;
      label.textContent = `${e.data.now_s.toFixed(2)} s of ${e.data.end_s} s simulated (${Math.round((100 * e.data.now_s) / e.data.end_s)}%)`;
    } else if (e.event === 'sample') {
      rows.push(...e.data.rows);
      // The charts are drawn again at most once a second.
      if (performance.now() - drawn > 1000) draw();
    } else if (e.event === 'failed') {
      state.replaceChildren(h('span', { class: 'error', role: 'alert' }, `${e.data.code}: ${e.data.message}`));
    }
  };
  void followRun(run.id, onEvent, controller.signal)
    .then(async () => {
      if (controller.signal.aborted || state.querySelector('.error')) return draw();
      // Ended: the page becomes the finished run's, at the same URL.
      const list = await get('runs');
      const main = document.getElementById('main');
      const followed = { events: Number(state.dataset.events), gaps: Number(state.dataset.gaps) };
      main.replaceChildren(
        ...(await runPage(
          run.id,
          main.clientWidth,
          list.runs.find((r) => r.id === run.id),
          followed,
        )),
      );
    })
    .catch((e) => state.replaceChildren(h('span', { class: 'error', role: 'alert' }, e.message)));
  draw();
  return [
    h('p', {}, h('a', { href: '#/runs' }, '← all runs')),
    h('h1', {}, `Run ${run.id}`),
    h('p', {}, `${run.scenario}, stack ${run.stack}, seed ${run.seed}: ${run.status === 'running' ? 'running on the model' : run.status}.`),
    h('p', { class: 'progress' }, h('label', { for: 'run-progress' }, 'Simulated time '), bar, ' ', label),
    state,
    figures,
  ];
}

/** #/runs lists them; #/runs/ID opens one. */
export async function runsPage(contentWidth, me, rest) {
  const list = await get('runs');
  if (!rest) return listPage(list, me);
  const id = decodeURIComponent(rest);
  const live = list.live.find((r) => r.id === id);
  // A run this server started: its events (kept in memory) replayed and followed, then its finished page.
  if (live !== undefined) return liveRunPage(live, contentWidth);
  return runPage(
    id,
    contentWidth,
    list.runs.find((r) => r.id === id),
  );
}

// Compare: two runs side by side (#/compare?runs=A,B, a deep link): each pod's IOPS and p99 over time with
// both runs on one chart, and a table of each pod's figures with the change. Every figure is an API answer:
// /runs for the choice, /runs/ID/intervals for each run.
import { get } from './api.js';
import { h, si, table } from './dom.js';
import { chartWidth, figure } from './charts.js';
import { compareIopsChart, compareP99Chart } from '/dashboard/charts/run-compare.js';

/** The runs the URL names (#/compare?runs=a,b). */
function runsOfUrl() {
  const query = location.hash.split('?')[1] ?? '';
  const named = new URLSearchParams(query).get('runs');
  return named ? named.split(',').filter((id) => id !== '') : [];
}

function chooser(list, chosen) {
  const pick = (id, label, value) => {
    const select = h(
      'select',
      { id, name: id },
      ...list.runs.map((r) =>
        h('option', { value: r.id, ...(r.id === value ? { selected: true } : {}) }, `${r.id} (${r.scenario}, seed ${r.seed})`),
      ),
    );
    return [h('label', { for: id }, label), select];
  };
  const form = h(
    'form',
    { class: 'compare-choice' },
    ...pick('run-a', 'Baseline run', chosen[0] ?? list.runs[1]?.id),
    ...pick('run-b', 'Compared run', chosen[1] ?? list.runs[0]?.id),
    h('button', { type: 'submit' }, 'Compare'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const ids = [form.elements['run-a'].value, form.elements['run-b'].value].map(encodeURIComponent);
    location.hash = `#/compare?runs=${ids.join(',')}`;
  });
  return form;
}

const mean = (xs) => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);
/** The change from a to b in per cent, signed: "+50.0%", "-20.0%"; "-" when there is nothing to compare. */
function change(a, b) {
  if (!(Number.isFinite(a) && Number.isFinite(b) && a !== 0)) return '-';
  const pct = ((b - a) / a) * 100;
  return `${pct > 0 ? '+' : ''}${pct.toFixed(1)}%`;
}

/** Each pod and direction: mean IOPS and worst interval p99 of each run, with the change from the first. */
function figuresOf(rows, runs) {
  const keys = [...new Set(rows.map((r) => `${r.pod} ${r.direction}`))].sort();
  return keys.map((key) => {
    const of = (run) => rows.filter((r) => r.run === run && `${r.pod} ${r.direction}` === key);
    const [a, b] = runs.map(of);
    const iops = [mean(a.map((r) => r.iops)), mean(b.map((r) => r.iops))];
    const p99 = [Math.max(-Infinity, ...a.map((r) => r.clat_p99_us)), Math.max(-Infinity, ...b.map((r) => r.clat_p99_us))];
    return { key, iops, p99 };
  });
}

const shown = (x) => (Number.isFinite(x) ? si(x) : '-');

/** #/compare chooses two runs; #/compare?runs=A,B shows them side by side. */
export async function comparePage(contentWidth) {
  const list = await get('runs');
  const runs = runsOfUrl().map(decodeURIComponent);
  const head = [h('h1', {}, 'Compare runs'), chooser(list, runs)];
  if (runs.length !== 2) return [...head, h('p', { class: 'note' }, 'Choose two runs: the baseline is drawn grey, the compared run blue.')];
  const answers = await Promise.all(runs.map((id) => get(`runs/${encodeURIComponent(id)}/intervals`)));
  const rows = answers.flatMap((rs, i) => rs.map((r) => ({ ...r, run: runs[i] })));
  const width = chartWidth(contentWidth);
  return [
    ...head,
    h('h2', {}, `IOPS per pod: ${runs[0]} against ${runs[1]}`),
    figure(compareIopsChart(rows, runs, width)),
    h('h2', {}, 'p99 completion latency per pod'),
    figure(compareP99Chart(rows, runs, width)),
    h('h2', {}, 'The figures'),
    table(
      "Each pod and direction: mean IOPS over the intervals and the worst interval's p99 of each run, with the change from the baseline",
      [
        ['Pod and direction', (f) => f.key],
        [`IOPS ${runs[0]}`, (f) => shown(f.iops[0]), true],
        [`IOPS ${runs[1]}`, (f) => shown(f.iops[1]), true],
        ['IOPS change', (f) => change(f.iops[0], f.iops[1]), true],
        [`worst p99 (us) ${runs[0]}`, (f) => shown(f.p99[0]), true],
        [`worst p99 (us) ${runs[1]}`, (f) => shown(f.p99[1]), true],
        ['p99 change', (f) => change(f.p99[0], f.p99[1]), true],
      ],
      figuresOf(rows, runs),
    ),
  ];
}

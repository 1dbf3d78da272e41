// Reports: the TCO, comparison and validation reports of the server's reports folder (GET /reports), each
// opened in place: its file (GET /reports/file) drawn in a sandboxed frame that runs no script, under this
// page's own Content-Security-Policy (a srcdoc frame inherits it).
import { getText, get } from './api.js';
import { bytes, h, table } from './dom.js';

const KINDS = { tco: 'TCO report', 'tco-summary': 'TCO summary', compare: 'comparison', validation: 'model validation' };

function listPage(list) {
  if (list.folder === null)
    return [
      h('h1', {}, 'Reports'),
      h(
        'p',
        { class: 'note' },
        'This server has no reports folder: start it with anvil serve --reports DIR (or --runs DIR), where anvil tco --out and anvil compare --out write.',
      ),
    ];
  return [
    h('h1', {}, 'Reports'),
    h('p', { class: 'note' }, `${list.reports.length} reports in ${list.folder}, newest first`),
    table(
      'Reports: kind, title, file and when it was written',
      [
        ['Report', (r) => h('a', { href: `#/reports/${encodeURIComponent(r.path)}` }, r.title ?? r.path)],
        ['Kind', (r) => KINDS[r.kind] ?? r.kind],
        ['File', (r) => r.path],
        ['Size', (r) => bytes(r.size_bytes), true],
        ['Written', (r) => r.modified_at],
      ],
      list.reports,
    ),
  ];
}

async function reportPage(path) {
  const html = await getText(`reports/file?path=${encodeURIComponent(path)}`);
  const title = /<title>([^<]*)<\/title>/i.exec(html)?.[1]?.trim() || path;
  // sandbox with no allowances: the report runs no script and cannot reach this page or the API.
  const frame = h('iframe', { class: 'report', title: `report ${title}`, sandbox: '', srcdoc: html });
  return [h('p', {}, h('a', { href: '#/reports' }, '← all reports')), h('h1', {}, title), h('p', { class: 'note' }, path), frame];
}

/** #/reports lists them; #/reports/PATH opens one in place. */
export async function reportsPage(_contentWidth, _me, rest) {
  if (rest) return reportPage(decodeURIComponent(rest));
  return listPage(await get('reports'));
}

// Downloads beside a chart: its data as CSV (the API's figures it was drawn from) and the chart as SVG.
// Both are made in the page from what it already holds; nothing is fetched again.
import { h } from './dom.js';

/** A CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180). */
const field = (value) => {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** `rows` as CSV text: a header line of `fields`, then a line per row, each row's value of each field. */
export function csvOf(fields, rows) {
  return [fields, ...rows.map((r) => fields.map((f) => r[f]))].map((line) => line.map(field).join(',')).join('\r\n') + '\r\n';
}

/** The chart's own SVG (the one Plot named with its aria-label, not a legend's swatch) as a standalone file. */
function svgOf(figureEl) {
  const svg = figureEl.querySelector('svg[aria-label]') ?? figureEl.querySelector('svg');
  const copy = svg.cloneNode(true);
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  return new XMLSerializer().serializeToString(copy);
}

/** Links to download `rows` (with `fields`) as NAME.csv and the chart in `figureEl` as NAME.svg. */
export function downloadLinks(name, fields, rows, figureEl) {
  const link = (text, type, file, what) =>
    h('a', { href: URL.createObjectURL(new Blob([text], { type })), download: file, class: 'download' }, what);
  return h(
    'p',
    { class: 'downloads note' },
    'Download: ',
    link(csvOf(fields, rows), 'text/csv', `${name}.csv`, `${name}.csv (the data)`),
    ' · ',
    link(svgOf(figureEl), 'image/svg+xml', `${name}.svg`, `${name}.svg (the chart)`),
  );
}

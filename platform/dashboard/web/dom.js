// Small DOM helpers: every text goes in through textContent (names and reasons are data, never markup).

/** An element with attributes and children (strings become text nodes; null and false are skipped). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

let scrollBoxes = 0;

/**
 * `tableEl` in a box of the column's width that scrolls sideways when the table is wider (a narrow window):
 * the table keeps the width its cells need and the page itself never scrolls sideways. The box is a named
 * region in the tab order, so a keyboard can scroll it too; its name is the table's caption.
 */
export function scrollBox(tableEl) {
  const caption = tableEl.querySelector('caption');
  if (caption && !caption.id) caption.id = `table-caption-${++scrollBoxes}`;
  return h('div', { class: 'table-scroll', role: 'region', tabindex: 0, 'aria-labelledby': caption?.id }, tableEl);
}

/**
 * A table: `columns` are [header, cell(row), kind?]; a cell returns text or a node; kind true is a number
 * (right-aligned), 'text' a sentence that wraps (every other cell keeps to one line: a name or a date is
 * never broken at its hyphens, the box scrolls instead). `caption` says what the table holds (read by screen
 * readers and shown above it). It comes in its scroll box (scrollBox).
 */
export function table(caption, columns, rows) {
  return scrollBox(bareTable(caption, columns, rows));
}

/** A column's kind as its cells' class: a number 'num', a sentence 'text'. */
const kindClass = (kind) => (kind === true ? 'num' : kind === 'text' ? 'text' : null);

function bareTable(caption, columns, rows) {
  return h(
    'table',
    {},
    h('caption', { class: 'note' }, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columns.map(([head, , kind]) => h('th', { scope: 'col', class: kindClass(kind) }, head)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((row) =>
        h(
          'tr',
          {},
          columns.map(([, cell, kind]) => h('td', { class: kindClass(kind) }, cell(row))),
        ),
      ),
    ),
  );
}

/** A summary card: a figure and what it counts. */
export function card(figure, what) {
  return h('div', { class: 'card' }, h('div', { class: 'figure' }, figure), h('div', { class: 'what' }, what));
}

/** A state word coloured by its meaning (ready, running, in-sync; pending, degraded; down, lost). */
export function stateText(state) {
  return h('span', { class: `state-${state}` }, state);
}

/** 1234 → "1.23k": a compact figure (the unit is said by the column). */
export function si(value) {
  const a = Math.abs(value);
  for (const [scale, suffix] of [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ]) {
    if (a >= scale) return `${Number((value / scale).toPrecision(3))}${suffix}`;
  }
  return String(Number(value.toPrecision(3)));
}

/** Bytes in binary units, as the CLI prints memory: "128Mi". */
export function bytes(value) {
  const units = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi'];
  let v = value;
  let k = 0;
  while (v >= 1024 && k < units.length - 1) {
    v /= 1024;
    k++;
  }
  return `${Number(v.toPrecision(3))}${units[k]}`;
}

/** "used/total" for a column. */
export const of = (used, total, format = String) => `${format(used)}/${format(total)}`;

/**
 * Observable Plot rendered on the server: Plot builds its SVG in a jsdom document, and the chart is
 * returned as markup to inline in a self-contained HTML file. One document serves every chart.
 */
import { JSDOM } from 'jsdom';
import * as Plot from '@observablehq/plot';

let shared: Document | undefined;

function document(): Document {
  shared ??= new JSDOM('<!DOCTYPE html><html><body></body></html>').window.document;
  return shared;
}

/** Common look: system fonts (no web font to fetch), white background, a readable size. */
export const CHART_STYLE = { fontFamily: 'system-ui, sans-serif', fontSize: '12px', background: 'white', overflow: 'visible' } as const;

/** Renders a Plot specification to SVG (or a <figure> when the plot has a legend) markup. */
export function renderPlot(options: Plot.PlotOptions): string {
  const node = Plot.plot({ ...options, document: document(), style: CHART_STYLE });
  const svgs = node.tagName.toLowerCase() === 'svg' ? [node] : [...node.querySelectorAll('svg')];
  for (const svg of svgs) svg.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  return node.outerHTML;
}

/** "$1.2M", "$350k", "$900" for axes and labels. */
export function formatUsd(usd: number): string {
  const sign = usd < 0 ? '-' : '';
  const a = Math.abs(usd);
  if (a >= 1e6) return `${sign}$${(a / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`;
  if (a >= 1e3) return `${sign}$${(a / 1e3).toFixed(0)}k`;
  return `${sign}$${a.toFixed(0)}`;
}

/** Breaks a label into lines of at most `width` characters at spaces (Plot draws "\n" as separate lines). */
export function wrapLabel(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

export { Plot };

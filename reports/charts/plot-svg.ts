/**
 * Observable Plot rendered on the server: Plot builds its SVG in a jsdom document, and the chart is
 * returned as markup to inline in a self-contained HTML file. One document serves every chart. The
 * charts themselves (data to Plot options) need none of this: see plot-options.ts.
 */
import { JSDOM } from 'jsdom';
import type * as PlotTypes from '@observablehq/plot';
import { CHART_STYLE, Plot } from './plot-options.js';

let shared: Document | undefined;

function document(): Document {
  shared ??= new JSDOM('<!DOCTYPE html><html><body></body></html>').window.document;
  return shared;
}

/** Renders a Plot specification to SVG (or a <figure> when the plot has a legend) markup. */
export function renderPlot(options: PlotTypes.PlotOptions): string {
  const node = Plot.plot({ ...options, document: document(), style: CHART_STYLE });
  const svgs = node.tagName.toLowerCase() === 'svg' ? [node] : [...node.querySelectorAll('svg')];
  for (const svg of svgs) svg.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  return node.outerHTML;
}

export { CHART_STYLE, formatUsd, Plot, wrapLabel } from './plot-options.js';

// The report charts drawn in the page: the same functions as the server's reports (data to Plot options).
import { CHART_STYLE, Plot } from '/dashboard/charts/plot-options.js';
import { h } from './dom.js';

/** A chart's figure, drawn by Plot in this document. */
export function figure(options) {
  return h('figure', {}, Plot.plot({ ...options, style: CHART_STYLE }));
}

/** A chart's width for the page's content width, px. */
export const chartWidth = (contentWidth) => Math.max(360, Math.min(900, contentWidth - 20));

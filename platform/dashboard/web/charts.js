// The report charts drawn in the page: the same functions as the server's reports (data to Plot options).
import { CHART_STYLE, Plot } from '/dashboard/charts/plot-options.js';
import { h } from './dom.js';

/**
 * A chart's figure, drawn by Plot in this document. Plot names each mark's group (aria-label "bar",
 * "rule") on a plain <g>, where ARIA permits no name: the groups are given the role group, so a screen
 * reader reads them as the named parts of the chart (the chart itself is named by its ariaLabel).
 */
export function figure(options) {
  const chart = Plot.plot({ ...options, style: CHART_STYLE });
  for (const g of chart.querySelectorAll('g[aria-label]:not([role])')) g.setAttribute('role', 'group');
  return h('figure', {}, chart);
}

/** A chart's width for the page's content width, px. */
export const chartWidth = (contentWidth) => Math.max(360, Math.min(900, contentWidth - 20));

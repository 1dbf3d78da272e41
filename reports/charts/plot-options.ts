/**
 * What every chart shares, with nothing of a renderer: Plot itself, the common look and the label helpers.
 * The chart functions import this file only, so they run in a browser as well as on the server; a chart is
 * a function from data to Plot options, drawn by `renderPlot` (plot-svg.ts, jsdom) for a report or by
 * `Plot.plot` in the dashboard's page (platform/dashboard/web/).
 */
import * as Plot from '@observablehq/plot';

/** Common look: system fonts (no web font to fetch), white background, a readable size. */
export const CHART_STYLE = { fontFamily: 'system-ui, sans-serif', fontSize: '12px', background: 'white', overflow: 'visible' } as const;

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

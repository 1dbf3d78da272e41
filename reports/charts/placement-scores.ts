/**
 * "Why this node" as a chart, from a running pod's placement (GET .../pods/NAME/scheduling): each node that
 * fits as a bar of its scheduler score, the chosen node's bar highlighted with a rule at its score, and each
 * rejected node with a cross and the first filter it fails. Data to Plot options only, like every chart
 * here: the dashboard draws it with Plot in the browser, a test with renderPlot.
 */
import type * as PlotTypes from '@observablehq/plot';
import { Plot, wrapLabel } from './plot-options.js';

/** One node's verdict for the pod, as the API's placement gives it. */
export interface PlacementNodeRow {
  readonly node: string;
  readonly chosen: boolean;
  readonly fits: boolean;
  /** The scheduler score where the node fits, higher wins (unitless). */
  readonly score?: number;
  /** Where the node does not fit: the first filter it fails. */
  readonly reason?: string;
}

/** Height of one node's band, px. */
const BAND_PX = 22;
const CHOSEN_FILL = '#2f6db5';
const FITS_FILL = '#9aa7b5';
const REJECTED_TEXT = '#9b1c1c';
/** A rejection's reason is cut to this many characters in the chart (the table beside it has it whole). */
const REASON_CHARS = 70;

const cut = (text: string) => (text.length > REASON_CHARS ? `${text.slice(0, REASON_CHARS - 1)}…` : text);
const verdictWords = (n: PlacementNodeRow) => (n.fits ? scoreWords(n.chosen, n.score) : `rejected: ${n.reason ?? 'does not fit'}`);

/** "chosen, score 1.234" or "score 1.234": a fitting node's verdict. */
const scoreWords = (chosen: boolean, score: number | undefined) => `${chosen ? 'chosen, ' : ''}score ${(score ?? 0).toFixed(3)}`;

/**
 * The verdict texts both charts write beside their bars: a fitting node's score right of the frame (never over a
 * bar), a rejected node's "✗ reason" from the left edge, and the zero rule.
 */
function verdictTextMarks<N extends { readonly node: string }>(
  fitting: readonly N[],
  rejected: readonly N[],
  fittingText: (n: N) => string,
  reasonOf: (n: N) => string | undefined,
  words: (n: N) => string,
): PlotTypes.Markish[] {
  return [
    Plot.text(fitting, { y: 'node', text: fittingText, frameAnchor: 'right', textAnchor: 'start', dx: 6, fill: 'black' }),
    Plot.text(rejected, {
      y: 'node',
      text: (n: N) => `✗ ${cut(reasonOf(n) ?? 'does not fit')}`,
      frameAnchor: 'left',
      textAnchor: 'start',
      dx: 4,
      fill: REJECTED_TEXT,
      title: (n: N) => `${n.node}: ${words(n)}`,
    }),
    Plot.ruleX([0]),
  ];
}

/** Per node, in the placement's order (its node first): the score bar where it fits, "✗ reason" where not. */
export function placementScoresChart(nodes: readonly PlacementNodeRow[], width = 640): PlotTypes.PlotOptions {
  const fitting = nodes.filter((n) => n.fits && n.score !== undefined);
  const rejected = nodes.filter((n) => !n.fits);
  const chosen = fitting.filter((n) => n.chosen);
  return {
    ariaLabel: "why this node: each node's scheduler score, the chosen node highlighted, the rejected with their reason",
    ariaDescription: nodes.map((n) => `${n.node} ${verdictWords(n)}`).join('; '),
    width,
    height: 50 + BAND_PX * Math.max(1, nodes.length),
    marginLeft: 90,
    // The verdicts are written right of the frame, never over a bar (readable on any bar's colour).
    marginRight: 150,
    x: {
      label: 'scheduler score (higher wins)',
      grid: true,
      domain: [0, fitting.length > 0 ? Math.max(...fitting.map((n) => n.score!)) : 1],
      nice: true,
    },
    y: { domain: nodes.map((n) => n.node), label: null, tickFormat: (n: string) => wrapLabel(n, 12) },
    marks: [
      Plot.barX(fitting, {
        x: 'score',
        y: 'node',
        fill: (n: PlacementNodeRow) => (n.chosen ? CHOSEN_FILL : FITS_FILL),
        insetTop: 3,
        insetBottom: 3,
        title: (n: PlacementNodeRow) => `${n.node}: ${verdictWords(n)}`,
      }),
      Plot.ruleX(chosen, { x: 'score', stroke: CHOSEN_FILL, strokeDasharray: '4,3' }),
      ...verdictTextMarks(fitting, rejected, verdictWords, (n) => n.reason, verdictWords),
    ],
  };
}

/** One node of a recorded decision (GET .../pods/NAME/scheduling's `decision.nodes`). */
export interface DecisionNodeRow {
  readonly node: string;
  readonly chosen: boolean;
  readonly fits: boolean;
  readonly score_parts?: readonly { readonly name: string; readonly value: number; readonly weight: number }[];
  readonly score?: number;
  readonly rejection?: { readonly code: string; readonly reason: string };
}

/** Fill of each score part (the chosen node is told by its label and rule, not by colour). */
const PART_FILLS: Record<string, string> = {
  'cpu-left': '#2f6db5',
  'memory-left': '#7fa7d8',
  'cpu-used': '#b5542f',
  'memory-used': '#d89a7f',
  'volume-locality': '#3c8a4a',
};

/**
 * The decision the scheduler recorded when it placed the pod: per node evaluated, its score as a stack of
 * its parts (value x weight each, so the stack's length is the score it was picked by), the chosen node's
 * marked with a rule at its score; each rejected node with a cross and the rejection that decided it.
 */
export function decisionPartsChart(nodes: readonly DecisionNodeRow[], width = 640): PlotTypes.PlotOptions {
  const fitting = nodes.filter((n) => n.fits && n.score_parts !== undefined);
  const rejected = nodes.filter((n) => !n.fits);
  const parts = fitting.flatMap((n) => n.score_parts!.map((p) => ({ node: n.node, part: p.name, contribution: p.value * p.weight })));
  const chosen = fitting.filter((n) => n.chosen);
  const words = (n: DecisionNodeRow) =>
    n.fits
      ? `${scoreWords(n.chosen, n.score)} = ${n.score_parts!.map((p) => `${p.name} ${p.value.toFixed(3)}×${p.weight}`).join(' + ')}`
      : `rejected: ${n.rejection?.reason ?? 'does not fit'}`;
  const names = [...new Set(parts.map((p) => p.part))];
  return {
    ariaLabel:
      "why this node, as recorded: each node's score as a stack of its parts, the chosen node marked, the rejected with their reason",
    ariaDescription: nodes.map((n) => `${n.node} ${words(n)}`).join('; '),
    width,
    height: 80 + BAND_PX * Math.max(1, nodes.length),
    marginLeft: 90,
    marginRight: 150,
    x: {
      label: 'score when placed: parts stacked (value × weight; higher wins)',
      grid: true,
      domain: [0, fitting.length > 0 ? Math.max(...fitting.map((n) => n.score ?? 0)) : 1],
      nice: true,
    },
    y: { domain: nodes.map((n) => n.node), label: null, tickFormat: (n: string) => wrapLabel(n, 12) },
    color: { domain: names, range: names.map((n) => PART_FILLS[n] ?? FITS_FILL), legend: true },
    marks: [
      Plot.barX(parts, {
        x: 'contribution',
        y: 'node',
        fill: 'part',
        insetTop: 3,
        insetBottom: 3,
        title: (p: { node: string; part: string; contribution: number }) => `${p.node}: ${p.part} ${p.contribution.toFixed(3)}`,
      }),
      Plot.ruleX(chosen, { x: 'score', stroke: 'black', strokeDasharray: '4,3' }),
      ...verdictTextMarks(
        fitting,
        rejected,
        (n) => scoreWords(n.chosen, n.score),
        (n) => n.rejection?.reason,
        words,
      ),
    ],
  };
}

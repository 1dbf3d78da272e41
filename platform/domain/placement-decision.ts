/**
 * A running pod's placement decision as the scheduler recorded it when it placed the pod
 * (scheduler/decision-record.ts, stored beside the pod: state/store-tables.ts), in the API's words: per node
 * evaluated, each filter's verdict (the rejecting one with the figures that decided it) or each part of its
 * score; the counts of each rejection. A pod placed before decisions were recorded says so, with a code.
 */
import { FILTER_ORDER, Reject, REJECTIONS, scoreParts, type RecordedDecisionJson, type ScorePart } from '../scheduler/decision-record.js';
import type { Pod } from './pod.js';

/** A decision as the store keeps it (state/store-tables.ts's StoredPlacementDecision). */
export interface StoredDecision {
  readonly pod_seq: number;
  readonly revision: number;
  readonly decision: string;
}

export interface FilterVerdict {
  readonly filter: string;
  readonly verdict: 'pass' | 'reject';
}

export interface DecisionNode {
  readonly node: string;
  readonly chosen: boolean;
  readonly fits: boolean;
  /** The filters in the order applied, up to the one that rejected the node (those after it were not checked). */
  readonly filters: readonly FilterVerdict[];
  readonly rejection?: {
    readonly code: string;
    readonly filter: string;
    /** What the pod asks, what the node has free and in all, in `unit` (absent where words say it: `reason`). */
    readonly asked?: number;
    readonly free?: number;
    readonly total?: number;
    readonly unit?: string;
    readonly reason: string;
  };
  readonly score_parts?: readonly ScorePart[];
  /** Sum of the parts' value x weight; the chosen node's is the highest of the nodes that fit. */
  readonly score?: number;
}

export type PlacementDecision =
  | {
      readonly recorded: true;
      /** The state's revision that placed the pod: when the scheduler decided. */
      readonly revision: number;
      readonly policy: 'balance' | 'pack';
      readonly chosen: string;
      readonly summary: string;
      readonly nodes_in_cluster: number;
      readonly nodes_evaluated: number;
      readonly sample_size: number;
      readonly filters: readonly string[];
      /** Per rejection code, how many of the nodes evaluated it rejected. */
      readonly rejections: readonly { readonly code: string; readonly filter: string; readonly nodes: number }[];
      /** The first nodes evaluated (at most RECORDED_NODES, plus the chosen one), the chosen first. */
      readonly nodes: readonly DecisionNode[];
    }
  | { readonly recorded: false; readonly code: 'not-recorded' | 'superseded'; readonly explanation: string };

const round = (x: number) => Math.round(x * 1e6) / 1e6;

const FILTER_NAMES = FILTER_ORDER.map((r) => REJECTIONS[r]!.filter);

function node(
  policy: 'balance' | 'pack',
  chosen: string,
  [name, code, a, b, c, detail]: RecordedDecisionJson['nodes'][number],
): DecisionNode {
  const r = code as Reject;
  if (r === Reject.None) {
    const parts = scoreParts(policy, a, b, c).map((p) => ({ ...p, value: round(p.value) }));
    return {
      node: name,
      chosen: name === chosen,
      fits: true,
      filters: FILTER_NAMES.map((filter) => ({ filter, verdict: 'pass' as const })),
      score_parts: parts,
      score: round(scoreParts(policy, a, b, c).reduce((sum, p) => sum + p.value * p.weight, 0)),
    };
  }
  const meta = REJECTIONS[r]!;
  const at = FILTER_ORDER.indexOf(r);
  const filters = FILTER_ORDER.slice(0, at + 1).map((f, k) => ({
    filter: REJECTIONS[f]!.filter,
    verdict: k === at ? ('reject' as const) : ('pass' as const),
  }));
  const rejection =
    meta.unit === undefined
      ? { code: meta.code, filter: meta.filter, reason: detail ?? meta.code }
      : {
          code: meta.code,
          filter: meta.filter,
          asked: a,
          free: b,
          total: c,
          unit: meta.unit!,
          reason: `${meta.words}: the pod asks ${a} ${meta.unit}, ${b} of ${c} free`,
        };
  return { node: name, chosen: false, fits: false, filters, rejection };
}

/** The decision stored for running `pod`, in the API's words; `stored` undefined: not recorded. */
export function placementDecision(pod: Pod, stored: StoredDecision | undefined): PlacementDecision {
  if (pod.status.state !== 'running') throw new Error('placementDecision: the pod is not running');
  if (stored === undefined)
    return {
      recorded: false,
      code: 'not-recorded',
      explanation:
        "the pod was placed before Anvil recorded the scheduler's decisions; `placement` says why it fits its node, worked out now from the cluster as it is",
    };
  const d = JSON.parse(stored.decision) as RecordedDecisionJson;
  if (stored.pod_seq !== pod.seq || d.chosen !== pod.status.node)
    return {
      recorded: false,
      code: 'superseded',
      explanation: `the decision recorded (revision ${stored.revision}) placed an earlier pod of this name or put it on ${d.chosen}, not ${pod.status.node}; \`placement\` is worked out now`,
    };
  const nodes = d.nodes.map((n) => node(d.policy, d.chosen, n));
  const mine = nodes.find((n) => n.chosen);
  const fitting = nodes.filter((n) => n.fits).length;
  const rejections = Object.entries(d.rejections)
    .map(([code, count]) => ({ code, filter: REJECTIONS.find((x) => x.code === code)?.filter ?? code, nodes: count }))
    .sort((x, y) => y.nodes - x.nodes || x.code.localeCompare(y.code));
  const rejected = rejections.reduce((sum, x) => sum + x.nodes, 0);
  const summary =
    `placed on ${d.chosen} at revision ${stored.revision}: ${d.evaluated} of ${d.considered} nodes evaluated (${d.policy}, sample of ${d.sample_size}), ` +
    `${rejected} rejected${rejections.length > 0 ? ` (${rejections.map((x) => `${x.nodes} ${x.code}`).join(', ')})` : ''}; ` +
    `${d.chosen} scored ${mine?.score ?? '?'}, the highest of the ${d.evaluated - rejected} that fit${fitting < d.evaluated - rejected ? ` (${fitting} shown)` : ''}`;
  return {
    recorded: true,
    revision: stored.revision,
    policy: d.policy,
    chosen: d.chosen,
    summary,
    nodes_in_cluster: d.considered,
    nodes_evaluated: d.evaluated,
    sample_size: d.sample_size,
    filters: FILTER_NAMES,
    rejections,
    nodes: [...(mine ? [mine] : []), ...nodes.filter((n) => !n.chosen)],
  };
}

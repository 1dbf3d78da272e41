/**
 * Why a running pod is where it is: every node's verdict for the pod as the cluster is now, with the pod's
 * own reservation given back first (so its node is judged as it was when it took the pod): the filters'
 * reason for each node rejected, the score of each node that fits, and where the pod's node ranks. Worked
 * out on request, as a pending pod's reasons are; nothing is stored with the pod (at 50,000 pods a record
 * per pod would be most of the state).
 */
import type { ChangeContext } from './change-context.js';
import { notFound } from './context.js';
import type { Pod } from './pod.js';
import { explainPending } from './pod-service.js';
import { placementDecision, type PlacementDecision, type StoredDecision } from './placement-decision.js';
import { keyOf } from './volume.js';

/** One node's verdict for a running pod. */
export interface NodeVerdict {
  readonly node: string;
  /** The node the pod runs on. */
  readonly chosen: boolean;
  readonly fits: boolean;
  /** The scheduler's score where the node fits (higher wins): free CPU and memory left, plus locality. */
  readonly score?: number;
  /** Why the node is rejected (the first filter it fails). */
  readonly reason?: string;
}

export interface PlacementExplanation {
  /** Worked out on request from the cluster as it is now, not recorded when the pod was placed (that is `decision`). */
  readonly basis: 'worked-out-now';
  readonly summary: string;
  /** The pod's node first, then the nodes that fit by score (highest first), then those rejected; at most PLACEMENT_NODES_SHOWN. */
  readonly nodes: readonly NodeVerdict[];
}

/** Nodes listed in an explanation; the summary counts them all. */
export const PLACEMENT_NODES_SHOWN = 100;

const round = (x: number) => Math.round(x * 1000) / 1000;

/** Why running `pod` is on its node (`ctx` from a read: the scheduler's view is given back as it was). */
export function explainPlacement(ctx: ChangeContext, pod: Pod): PlacementExplanation {
  if (pod.status.state !== 'running') throw new Error('explainPlacement: the pod is not running');
  const on = pod.status.node;
  const session = ctx.scheduling();
  const verdicts = session.withoutReservation(pod, (demand) =>
    session.table.names.map((node, i): NodeVerdict => {
      const a = session.scheduler.assess(i, demand);
      return a.fits
        ? { node, chosen: node === on, fits: true, score: round(a.score) }
        : { node, chosen: node === on, fits: false, reason: a.reason };
    }),
  );
  const fitting = verdicts.filter((v) => v.fits).sort((a, b) => b.score! - a.score! || a.node.localeCompare(b.node));
  const rejected = verdicts.filter((v) => !v.fits);
  const mine = verdicts.find((v) => v.chosen);
  const best = fitting[0];
  const rank = fitting.findIndex((v) => v.chosen) + 1;
  const standing =
    mine === undefined
      ? `its node ${on} is no longer in the cluster`
      : !mine.fits
        ? `its node ${on} would not take it now: ${mine.reason}`
        : rank === 1
          ? `${on} scores highest (${mine.score})`
          : `${on} scores ${mine.score}, ${rank === 0 ? '' : `rank ${rank}; `}${best!.node} would score ${best!.score} now`;
  const summary = `running on ${on}; as the cluster is now, ${fitting.length}/${verdicts.length} nodes fit the pod (${rejected.length} rejected) and ${standing}`;
  const nodes = [...(mine ? [mine] : []), ...fitting.filter((v) => !v.chosen), ...rejected.filter((v) => !v.chosen)].slice(
    0,
    PLACEMENT_NODES_SHOWN,
  );
  return { basis: 'worked-out-now', summary, nodes };
}

/**
 * A pod's status with the scheduler's reasons: a pending pod's every node's reason; a running pod's decision
 * as recorded when it was placed (`decisionOf` reads the store) and its placement explained as the cluster is now.
 */
export function podScheduling(
  ctx: ChangeContext,
  namespace: string,
  name: string,
  decisionOf: (namespace: string, name: string) => StoredDecision | undefined = () => undefined,
): Pod['status'] | (Extract<Pod['status'], { state: 'running' }> & { placement: PlacementExplanation; decision: PlacementDecision }) {
  // Permission before existence (explainPending checks it the same way).
  ctx.can('container', 'view', namespace);
  const pod = ctx.state.pods.get(keyOf(namespace, name));
  if (!pod) throw notFound('pod', keyOf(namespace, name), 'list pods with: anvil get pods');
  if (pod.status.state !== 'running') return explainPending(ctx, namespace, name);
  return { ...pod.status, placement: explainPlacement(ctx, pod), decision: placementDecision(pod, decisionOf(namespace, name)) };
}

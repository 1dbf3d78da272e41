/** The schema of a running pod's recorded placement decision (domain/placement-decision.ts), in GET .../pods/NAME/scheduling. */
import { Type } from '@sinclair/typebox';
import { answer, stringEnum } from './answer-schema.js';

const ScorePart = answer(
  {
    name: stringEnum(['cpu-left', 'memory-left', 'cpu-used', 'memory-used', 'volume-locality'] as const),
    value: Type.Number({
      description: "shares 0-1 of the node's total after the pod; locality: the pod's volumes with a plex on the node",
    }),
    weight: Type.Number(),
  },
  "one part of a node's score (the score is the sum of value x weight)",
);

const DecisionNode = answer(
  {
    node: Type.String(),
    chosen: Type.Boolean({ description: 'the node the scheduler picked' }),
    fits: Type.Boolean(),
    filters: Type.Array(answer({ filter: Type.String(), verdict: stringEnum(['pass', 'reject'] as const) }, "one filter's verdict"), {
      description: 'the filters in the order applied, up to the one that rejected the node (those after it were not checked)',
    }),
    rejection: Type.Optional(
      answer(
        {
          code: Type.String({
            description:
              'cpu, memory, iops, bandwidth, pods, vfs, local-controllers, remote-controllers, port-bandwidth, zone, node-selector, taint, unschedulable',
          }),
          filter: Type.String(),
          asked: Type.Optional(Type.Number({ description: 'what the pod asks, in unit' })),
          free: Type.Optional(Type.Number({ description: 'what the node had free, in unit' })),
          total: Type.Optional(Type.Number({ description: 'what the node has in all, in unit' })),
          unit: Type.Optional(Type.String()),
          reason: Type.String(),
        },
        'why the node was rejected, with the figures that decided it',
      ),
    ),
    score_parts: Type.Optional(Type.Array(ScorePart)),
    score: Type.Optional(Type.Number({ description: 'where it fits: the sum of its score parts, higher wins' })),
  },
  'a node the scheduler evaluated, as it stood then',
);

export const PlacementDecisionSchema = Type.Union(
  [
    answer(
      {
        recorded: Type.Literal(true),
        revision: Type.Integer({ description: "the state's revision that placed the pod: when the scheduler decided" }),
        policy: stringEnum(['balance', 'pack'] as const),
        chosen: Type.String(),
        summary: Type.String(),
        nodes_in_cluster: Type.Integer(),
        nodes_evaluated: Type.Integer({ description: 'nodes the filters ran on: plex holders, then the sample' }),
        sample_size: Type.Integer({ description: 'nodes that fit the scheduler scores per decision, besides plex holders' }),
        filters: Type.Array(Type.String(), { description: 'the filters in the order applied' }),
        rejections: Type.Array(
          answer(
            { code: Type.String(), filter: Type.String(), nodes: Type.Integer() },
            'how many nodes evaluated one rejection code rejected',
          ),
        ),
        nodes: Type.Array(DecisionNode, { description: 'the chosen node, then the others of the first 64 evaluated' }),
      },
      "the scheduler's decision, recorded when it placed the pod",
    ),
    answer(
      {
        recorded: Type.Literal(false),
        code: stringEnum(['not-recorded', 'superseded'] as const),
        explanation: Type.String(),
      },
      'no decision recorded for this placement (placed before decisions were recorded): see placement, worked out now',
    ),
  ],
  { description: 'why the pod runs where it does, as the scheduler decided it' },
);

/**
 * Issue 18, "why this node": the scheduler records, as it decides, each node it evaluated with the filter
 * that rejected it and the figures that decided it, or its score's parts, and counts each rejection over
 * every node evaluated. The record must say what the scheduler did: the chosen node is the one with the
 * best final score among the nodes that passed, and a node rejected for IOPS shows what was asked and free.
 */
import { describe, expect, it } from 'vitest';
import type { PodDemand } from '../../platform/scheduler/demand.js';
import { NodeTable, type NodeCapacity } from '../../platform/scheduler/node-table.js';
import { Scheduler } from '../../platform/scheduler/scheduler.js';
import { RECORDED_NODES } from '../../platform/scheduler/decision-record.js';
import { placementDecision, type DecisionNode } from '../../platform/domain/placement-decision.js';
import type { Pod } from '../../platform/domain/pod.js';

function node(i: number, over: Partial<NodeCapacity> = {}): NodeCapacity {
  return {
    name: `n${i}`,
    zone: 'z0',
    labels: {},
    taints: [],
    schedulable: true,
    cpu_millicores: 8000,
    memory_bytes: 16 * 2 ** 30,
    pods: 20,
    vfs: 10,
    guaranteeable_iops: 100_000,
    guaranteeable_bandwidth_bits_per_s: 10e9,
    local_controllers: 4,
    remote_controllers: 4,
    ...over,
  };
}

const demand = (over: Partial<PodDemand> = {}): PodDemand => ({
  cpu_millicores: 500,
  memory_bytes: 2 ** 30,
  vfs: 1,
  zone: undefined,
  iops: 20_000,
  bandwidth_bits_per_s: 0,
  endpoint_bandwidths_bits_per_s: [0],
  volumePlexNodes: [],
  nodeSelector: [],
  tolerations: [],
  ...over,
});

/** The pod the decision is expanded for: running where the scheduler put it. */
const podOn = (node: string): Pod =>
  ({ kind: 'Pod', namespace: 'a', name: 'p', seq: 7, status: { state: 'running', node, endpoints: [] } }) as unknown as Pod;

describe("the scheduler's recorded decision", () => {
  it('picks the node with the best final score of those that passed, and shows the IOPS figures of a node rejected for IOPS', () => {
    // Nodes of different sizes (so the scores differ), some already loaded, and n3 with too little IOPS free.
    const table = new NodeTable([
      node(0, { cpu_millicores: 4000 }),
      node(1),
      node(2, { memory_bytes: 8 * 2 ** 30 }),
      node(3, { guaranteeable_iops: 15_000 }),
      node(4, { schedulable: false }),
      node(5, { cpu_millicores: 16_000 }),
    ]);
    const s = new Scheduler(table);
    // Load some nodes so that the walk's order is not the scores' order.
    s.reserve(5, demand({ cpu_millicores: 12_000, iops: 0 }));
    s.reserve(1, demand({ cpu_millicores: 1000, memory_bytes: 4 * 2 ** 30, iops: 0 }));
    const { decision, record: taken } = s.decideRecorded(demand());
    expect(decision.ok).toBe(true);
    if (!decision.ok || taken === undefined) throw new Error('no decision recorded');
    const record = taken.toJSON();
    expect(record.chosen).toBe(table.names[decision.node]);
    expect(record.considered).toBe(6);

    const view = placementDecision(podOn(record.chosen), { pod_seq: 7, revision: 12, decision: JSON.stringify(record) });
    if (!view.recorded) throw new Error(view.explanation);
    expect(view.revision).toBe(12);
    // n4 is cordoned, so out of the open index the walk goes through: the others were all evaluated.
    expect(view.nodes_evaluated).toBe(5);
    expect(view.nodes.map((n) => n.node).sort()).toEqual(['n0', 'n1', 'n2', 'n3', 'n5']);
    const fitting = view.nodes.filter((n) => n.fits);
    expect(fitting).toHaveLength(4);
    for (const n of fitting) {
      // The final score is the sum of its parts, and the scheduler's own score of the node.
      const sum = n.score_parts!.reduce((acc, p) => acc + p.value * p.weight, 0);
      expect(n.score!).toBeCloseTo(sum, 5);
      const i = table.indexOf(n.node)!;
      const assessed = s.assess(i, demand());
      expect(assessed.fits && assessed.score).toBeCloseTo(n.score!, 5);
    }
    const best = Math.max(...fitting.map((n) => n.score!));
    const chosen = view.nodes[0]!;
    expect(chosen).toMatchObject({ node: record.chosen, chosen: true, fits: true });
    expect(chosen.score).toBe(best);
    expect(fitting.filter((n) => n.score === best).map((n) => n.node)).toContain(record.chosen);

    const n3 = view.nodes.find((n) => n.node === 'n3') as DecisionNode;
    expect(n3.fits).toBe(false);
    expect(n3.rejection).toMatchObject({ code: 'iops', filter: 'storage-iops', asked: 20_000, free: 15_000, total: 15_000, unit: 'IOPS' });
    expect(n3.rejection!.reason).toContain('20000');
    // Every filter before storage IOPS passed; the IOPS filter rejected; none after it ran.
    expect(n3.filters.at(-1)).toEqual({ filter: 'storage-iops', verdict: 'reject' });
    expect(n3.filters.slice(0, -1).every((f) => f.verdict === 'pass')).toBe(true);
    expect(n3.filters.map((f) => f.filter)).not.toContain('taints');
    expect(view.rejections).toEqual([{ code: 'iops', filter: 'storage-iops', nodes: 1 }]);
  });

  it('keeps at most RECORDED_NODES nodes, plus the chosen one, and counts every rejection over all nodes evaluated', () => {
    // 100 nodes with too little IOPS first in the walk, then 100 that fit: the walk evaluates the 100 rejected
    // and then samples 64 that fit, more than it keeps.
    const nodes = [
      ...Array.from({ length: 100 }, (_, i) => node(i, { guaranteeable_iops: 1000 })),
      ...Array.from({ length: 100 }, (_, i) => node(100 + i)),
    ];
    const s = new Scheduler(new NodeTable(nodes));
    const { decision, record: taken } = s.decideRecorded(demand());
    if (!decision.ok || taken === undefined) throw new Error('no decision recorded');
    const record = taken.toJSON();
    expect(record.evaluated).toBe(100 + s.sampleSize);
    expect(record.rejections).toEqual({ iops: 100 });
    // The first 64 evaluated were all rejected: the chosen node is kept after them.
    expect(record.nodes).toHaveLength(RECORDED_NODES + 1);
    expect(record.nodes.slice(0, RECORDED_NODES).every((n) => n[1] !== 0)).toBe(true);
    expect(record.nodes.at(-1)![0]).toBe(record.chosen);
    const view = placementDecision(podOn(record.chosen), { pod_seq: 7, revision: 3, decision: JSON.stringify(record) });
    if (!view.recorded) throw new Error(view.explanation);
    expect(view.nodes[0]).toMatchObject({ node: record.chosen, chosen: true, fits: true });
    expect(view.summary).toContain(`${100 + s.sampleSize} of 200 nodes evaluated`);
  });

  it('says "not recorded" for a pod placed before decisions were recorded, and "superseded" for a decision of another pod of the name', () => {
    expect(placementDecision(podOn('n1'), undefined)).toMatchObject({ recorded: false, code: 'not-recorded' });
    const s = new Scheduler(new NodeTable([node(0), node(1)]));
    const record = s.decideRecorded(demand()).record!.toJSON();
    const stored = { pod_seq: 6, revision: 2, decision: JSON.stringify(record) };
    expect(placementDecision(podOn(record.chosen), stored)).toMatchObject({ recorded: false, code: 'superseded' });
  });
});

/**
 * Issue 18, "where each pod runs and why": GET .../pods/NAME/scheduling explains a running pod's node as it
 * does a pending pod's failure: every node's verdict for the pod as the cluster is now, its own reservation
 * given back (so a pod filling its node still fits there), the filters' reason for each node rejected, the
 * score of each that fits, its node first; and the decision the scheduler recorded when it placed the pod
 * (each node evaluated with its filters' verdicts and score parts). Permission before existence: another
 * tenant learns nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { podManifest, seededWorld, type World } from './api-harness.js';

const V1 = '/apis/anvil.dev/v1';
let world: World | undefined;
afterEach(async () => {
  await world?.app.close();
  world = undefined;
});

interface Verdict {
  node: string;
  chosen: boolean;
  fits: boolean;
  score?: number;
  reason?: string;
}
interface DecisionNode {
  node: string;
  chosen: boolean;
  fits: boolean;
  filters: { filter: string; verdict: string }[];
  rejection?: { code: string; reason: string };
  score_parts?: { name: string; value: number; weight: number }[];
  score?: number;
}
interface Scheduling {
  state: string;
  node: string;
  placement: { basis: string; summary: string; nodes: Verdict[] };
  decision:
    | {
        recorded: true;
        revision: number;
        chosen: string;
        nodes_evaluated: number;
        nodes: DecisionNode[];
        rejections: { code: string; nodes: number }[];
      }
    | { recorded: false; code: string };
}

describe("a running pod's placement", () => {
  it('lists every node: its own first, those that fit with their score, those rejected with the reason', async () => {
    world = await seededWorld();
    const w = world;
    const pa = (await w.call('admin', 'GET', `${V1}/namespaces/a/pods/pa`)).json() as { status: { node: string } };
    // A node that is not pa's, cordoned: it rejects every pod.
    const other = ['node1', 'node2', 'node3'].find((n) => n !== pa.status.node)!;
    expect((await w.call('admin', 'POST', `${V1}/nodes/${other}/cordon`)).statusCode).toBe(200);

    const r = await w.call('tuser', 'GET', `${V1}/namespaces/a/pods/pa/scheduling`);
    expect(r.statusCode, r.body).toBe(200);
    const s = r.json() as Scheduling;
    expect(s.state).toBe('running');
    expect(s.node).toBe(pa.status.node);
    const nodes = s.placement.nodes;
    expect(nodes.map((n) => n.node).sort()).toEqual(['node1', 'node2', 'node3']);
    expect(nodes[0]).toMatchObject({ node: pa.status.node, chosen: true, fits: true });
    expect(nodes.filter((n) => n.chosen)).toHaveLength(1);
    expect(nodes.find((n) => n.node === other)).toEqual({ node: other, chosen: false, fits: false, reason: 'node is cordoned' });
    for (const n of nodes.filter((v) => v.fits)) expect(n.score).toBeGreaterThan(0);
    expect(s.placement.summary).toMatch(
      new RegExp(`^running on ${pa.status.node}; as the cluster is now, 2/3 nodes fit the pod \\(1 rejected\\)`),
    );
  });

  it("judges the pod's own node with its reservation given back: a pod filling its node still fits there", async () => {
    world = await seededWorld();
    const w = world;
    const nodes = (await w.call('admin', 'GET', `${V1}/nodes`)).json() as
      { items?: unknown[] } | { name: string; inventory: { cpu_millicores: number } }[];
    const list = (Array.isArray(nodes) ? nodes : (nodes.items as { name: string; inventory: { cpu_millicores: number } }[]))!;
    // Every node's CPU less what the seeded pods could hold, so the big pod takes nearly a whole node.
    const cpu = Math.min(...list.map((n) => n.inventory.cpu_millicores)) - 1000;
    const applied = await w.call('admin', 'POST', `${V1}/namespaces/c/apply`, { manifests: podManifest('big', `${cpu}m`) });
    expect(applied.statusCode, applied.body).toBe(200);
    const s = (await w.call('admin', 'GET', `${V1}/namespaces/c/pods/big/scheduling`)).json() as Scheduling;
    expect(s.state).toBe('running');
    // Without its reservation given back, its node would have 1 core or less free: "not enough CPU".
    expect(s.placement.nodes[0]).toMatchObject({ node: s.node, chosen: true, fits: true });
  });

  it("tells another tenant nothing of a's pod: refused before the pod is looked up", async () => {
    world = await seededWorld();
    for (const name of ['pa', 'ghost']) {
      const r = await world.call('tother', 'GET', `${V1}/namespaces/a/pods/${name}/scheduling`);
      expect([r.statusCode, r.json().code]).toEqual([403, 'ANVIL_ERR_FORBIDDEN']);
    }
  });

  it("serves the decision the scheduler recorded when it placed the pod, to the cluster's users and the pod's tenant alike", async () => {
    world = await seededWorld();
    const w = world;
    // Cordon a node before the pod is placed: the recorded decision shows it rejected, whatever happens after.
    const applied = await w.call('admin', 'POST', `${V1}/namespaces/a/apply`, { manifests: podManifest('late') });
    expect(applied.statusCode, applied.body).toBe(200);
    const late = (await w.call('admin', 'GET', `${V1}/namespaces/a/pods/late/scheduling`)).json() as Scheduling;
    const other = ['node1', 'node2', 'node3'].find((n) => n !== late.node)!;
    expect((await w.call('admin', 'POST', `${V1}/nodes/${other}/cordon`)).statusCode).toBe(200);
    const placed = await w.call('admin', 'POST', `${V1}/namespaces/a/apply`, { manifests: podManifest('after-cordon') });
    expect(placed.statusCode, placed.body).toBe(200);

    for (const role of ['admin', 'viewer', 'tuser', 'tadmin'] as const) {
      const r = await w.call(role, 'GET', `${V1}/namespaces/a/pods/after-cordon/scheduling`);
      expect(r.statusCode, `${role}: ${r.body}`).toBe(200);
      const s = r.json() as Scheduling;
      if (!s.decision.recorded) throw new Error(`${role}: no decision recorded`);
      const d = s.decision;
      expect(d.chosen).toBe(s.node);
      expect(d.revision).toBeGreaterThan(0);
      expect(d.nodes[0]).toMatchObject({ node: s.node, chosen: true, fits: true });
      const fitting = d.nodes.filter((n) => n.fits);
      expect(Math.max(...fitting.map((n) => n.score!))).toBe(d.nodes[0]!.score);
      for (const n of fitting) expect(n.score_parts!.map((p) => p.name)).toEqual(['cpu-left', 'memory-left', 'volume-locality']);
      // A cordoned node leaves the open index: the scheduler did not evaluate it, so it is not in the decision.
      expect(d.nodes.map((n) => n.node)).not.toContain(other);
      expect(d.nodes_evaluated).toBe(2);
      // The worked-out-now placement is still there, marked as such.
      expect(s.placement.basis).toBe('worked-out-now');
    }
  });

  it("tells another tenant nothing of a's pod or its decision: the same refusal for a pod that exists and one that does not", async () => {
    world = await seededWorld();
    const real = await world.call('tother', 'GET', `${V1}/namespaces/a/pods/pa/scheduling`);
    const ghost = await world.call('tother', 'GET', `${V1}/namespaces/a/pods/ghost/scheduling`);
    expect(real.statusCode).toBe(403);
    expect([real.statusCode, real.json()]).toEqual([ghost.statusCode, JSON.parse(ghost.body.replaceAll('ghost', 'pa'))]);
    expect(real.body).not.toContain('decision');
  });
});

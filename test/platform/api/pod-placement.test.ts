/**
 * Issue 18, "where each pod runs and why": GET .../pods/NAME/scheduling explains a running pod's node as it
 * does a pending pod's failure: every node's verdict for the pod as the cluster is now, its own reservation
 * given back (so a pod filling its node still fits there), the filters' reason for each node rejected, the
 * score of each that fits, its node first. Permission before existence: another tenant learns nothing.
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
interface Scheduling {
  state: string;
  node: string;
  placement: { summary: string; nodes: Verdict[] };
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
});

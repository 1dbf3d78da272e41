/** The scheduler extender fails a pod on every node while its volume has no in-sync copy on a live node, as Anvil keeps it pending. */
import { describe, expect, it } from 'vitest';
import { seededWorld } from './api-harness.js';

const pod = {
  kind: 'Pod',
  apiVersion: 'v1',
  metadata: { name: 'db', namespace: 'a', uid: 'uid-db' },
  spec: {
    containers: [{ name: 'main', image: 'postgres', resources: { requests: { cpu: '1', memory: '256Mi' } } }],
    volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'va' } }],
  },
};

describe('the extender and a volume without a live copy', () => {
  it('fails every node with the reason while the copy is down, and fits again when it recovers', async () => {
    const w = await seededWorld();
    const filter = async () =>
      (
        await w.app.inject({ method: 'POST', url: '/scheduler/filter', payload: { Pod: pod, NodeNames: ['node1', 'node2', 'node3'] } })
      ).json() as { NodeNames: string[]; FailedNodes: Record<string, string> };
    expect((await filter()).NodeNames).toHaveLength(3);
    const plexNode = w.api.store.read((s) => s.volumes.get('a/va')!.plexes[0]!.node);
    expect((await w.call('admin', 'POST', `/apis/anvil.dev/v1/nodes/${plexNode}/fail`)).statusCode).toBe(200);
    const down = await filter();
    expect(down.NodeNames).toEqual([]);
    for (const n of ['node1', 'node2', 'node3'].filter((x) => x !== plexNode))
      expect(down.FailedNodes[n]).toMatch(/^volume va is unavailable: no in-sync copy on a live node/);
    expect((await w.call('admin', 'POST', `/apis/anvil.dev/v1/nodes/${plexNode}/recover`)).statusCode).toBe(200);
    expect((await filter()).NodeNames).toHaveLength(3);
    await w.app.close();
  });
});

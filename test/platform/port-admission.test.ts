/** Guaranteed pod bandwidth is admitted against the pod port carrying the pod's VF, not the node's total alone. */
import { describe, expect, it } from 'vitest';
import { invariantViolations } from '../../platform/domain/invariants.js';
import { as, BLUE, openStore, podSpec } from './control-plane-harness.js';

describe('bandwidth admission per port', () => {
  it("admits two 10G pods on appliance-d10's 20G pod port, not a third (the node's 36G would have)", () => {
    const { store } = openStore();
    as(store, (cp) => cp.createCluster({ name: 'c1', nodes: 1 }));
    as(store, (cp) => cp.createNetwork(BLUE));
    as(store, (cp) => cp.createPerfTier({ name: 'ten-g', storage_iops: 0, network_bandwidth_bits_per_s: 10e9 }));
    const spec = (name: string) => podSpec(name, { endpoints: [{ network: 'blue', perf_tier: 'ten-g' }] });
    expect(as(store, (cp) => cp.createPod(spec('p1'))).status).toMatchObject({ state: 'running', endpoints: [{ port: 'pod0' }] });
    expect(as(store, (cp) => cp.createPod(spec('p2'))).status.state).toBe('running');
    const third = as(store, (cp) => cp.createPod(spec('p3')));
    expect(third.status.state === 'pending' && third.status.failure).toEqual({
      summary: '0/1 nodes are available: 1 perf-tier admission (pod port bandwidth)',
      nodes: [
        {
          node: 'node1',
          reason:
            "perf-tier admission (pod port bandwidth): pod0 0 of 20000000000 bit/s free (61 VFs), the pod's endpoints need 10000000000 bit/s, each on one port",
        },
      ],
    });
    // A best-effort pod still gets a VF on the full port: it reserves no bandwidth.
    expect(as(store, (cp) => cp.createPod(podSpec('be'))).status.state).toBe('running');
    // Room on the port again: the waiting pod is placed.
    as(store, (cp) => cp.deletePod('default', 'p1'));
    store.read((s) => {
      expect(s.pods.get('default/p3')!.status.state).toBe('running');
      expect(invariantViolations(s)).toEqual([]);
    });
  });
});

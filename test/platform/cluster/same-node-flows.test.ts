/**
 * Flows between two pods on one node (hci): VF to VF on the pod port turns around in the NIC's embedded
 * switch, but still through the sending VF's transmit scheduler, so the sender's tier maximum holds and
 * the port's speed bounds the rest, as on a real SR-IOV NIC (and tc HTB on a host); the wire stays idle.
 */
import { describe, expect, it } from 'vitest';
import { POD_PORT_BITS, runNetworkOnly } from './network-scenario.js';

const CAP_BITS = 200e6;

/** Two pods on one appliance node: `capped` in a tier of 50M minimum and 200M maximum, `free` uncapped. */
const sameNodeScenario = `kind: ClusterScenario
name: same node flows
stack: hci
seed: 1
duration: 200ms
warmup: 20ms
interval: 20ms
nodes:
  - { name: node-1, profile: appliance-d10 }
networks:
  - { name: pods, subnet: 10.77.0.0/24, start: 10.77.0.10, end: 10.77.0.250, gateway: 10.77.0.1, default: true }
perf_tiers:
  - { name: capped, storage_iops: 0, network_bandwidth: 50M, max_network_bandwidth: 200M }
tenants:
  - name: lab
pods:
  - { name: capped, tenant: lab, cpu: 1, memory: 1Gi, perf_tier: capped }
  - { name: free, tenant: lab, cpu: 1, memory: 1Gi }
flows:
  - { from: lab/free, to: lab/capped, rate: saturate, message_size: 128k }
  - { from: lab/capped, to: lab/free, rate: saturate, message_size: 128k }
`;

describe('flows between pods on one node (hci)', () => {
  it("hold the sending VF's tier maximum and the port's speed; the wire stays idle", () => {
    const { summary } = runNetworkOnly(sameNodeScenario, 'hci');
    const flow = (from: string) => summary.flows.find((f) => f.from === from)!;
    const capped = flow('lab/capped');
    const free = flow('lab/free');
    expect(capped.from_node).toBe(capped.to_node);
    expect(capped.links).toEqual([]);
    // The maximum is of wire rate (frames included): the payload delivered is just under it (whole 128k messages in the window).
    expect(capped.delivered_bits_per_s).toBeLessThanOrEqual(CAP_BITS);
    expect(capped.delivered_bits_per_s).toBeGreaterThan(0.85 * CAP_BITS);
    // The uncapped sender gets the port's line time the capped one leaves, and no more.
    expect(free.delivered_bits_per_s).toBeLessThanOrEqual(POD_PORT_BITS - capped.delivered_bits_per_s);
    expect(free.delivered_bits_per_s).toBeGreaterThan(0.9 * (POD_PORT_BITS - CAP_BITS));
    expect(summary.links).toEqual([]);
  });
});

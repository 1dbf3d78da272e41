/**
 * Flows between two pods on one node (diy): they meet on the host's bridge, never the NIC, and the
 * software path bounds them: the sending pod's veth cap (the bandwidth plugin's tbf at its tier's
 * maximum) and, uncapped, one core's worth of per-packet work per flow (host-bridge.ts).
 */
import { describe, expect, it } from 'vitest';
import { loadStackCoefficients } from '../../../bench/stack-coefficients.js';
import { bridgeFlowCeiling_bytes_per_s, vethCapPayload_bytes_per_s } from '../../../sim/stacks/diy/host-bridge.js';
import { stackTerms } from '../../../sim/stacks/diy/stack.js';
import { runNetworkOnly } from './network-scenario.js';

const CAP_BITS = 200e6;

/** Two pods on one node: `capped` in a tier of 200M maximum, `free` uncapped, each sending flat out to the other. */
const sameNodeScenario = `kind: ClusterScenario
name: same node flows on diy
stack: diy
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

describe('flows between pods on one node (diy)', () => {
  it("hold the sender's veth cap and one core's packet rate per flow; the wire stays idle", () => {
    const { summary } = runNetworkOnly(sameNodeScenario, 'diy');
    const terms = stackTerms(loadStackCoefficients(), 'diy');
    const mss = terms.network.mss_bytes;
    const flow = (from: string) => summary.flows.find((f) => f.from === from)!;
    const capped = flow('lab/capped');
    const free = flow('lab/free');
    expect(capped.from_node).toBe(capped.to_node);
    expect(capped.links).toEqual([]);
    expect(summary.links).toEqual([]);
    // The cap counts packets' headers: the payload delivered is under the payload rate it leaves, and near it.
    const capPayload_bits = 8 * vethCapPayload_bytes_per_s(CAP_BITS, mss);
    expect(capPayload_bits).toBeLessThan(CAP_BITS);
    // (Whole messages counted in the 180 ms window: one 128k message of slack.)
    const oneMessage_bits = (128 * 1024 * 8) / 0.18;
    expect(capped.delivered_bits_per_s).toBeLessThanOrEqual(capPayload_bits + oneMessage_bits);
    expect(capped.delivered_bits_per_s).toBeGreaterThan(0.85 * capPayload_bits);
    // Uncapped, a flow moves what one core does per packet at both pods' stacks and veths, no more.
    const ceiling_bits =
      8 *
      bridgeFlowCeiling_bytes_per_s({
        mss_bytes: mss,
        veth_ns_per_packet: terms.network.cpu_ns_per_packet,
        pod_stack_ns_per_packet: terms.podStackCpu_ns_per_packet,
      });
    expect(ceiling_bits).toBeLessThan(20e9);
    expect(free.delivered_bits_per_s).toBeLessThanOrEqual(ceiling_bits + oneMessage_bits);
    expect(free.delivered_bits_per_s).toBeGreaterThan(0.5 * ceiling_bits);
  });
});

/**
 * Flows between two pods on one node (diy): they meet on the host's bridge, never the NIC, and the
 * software path bounds them: the sending pod's veth cap (the bandwidth plugin's tbf at its tier's
 * maximum) and, uncapped, one core's worth of per-packet work per flow (host-bridge.ts).
 */
import { describe, expect, it } from 'vitest';
import { loadStackCoefficients } from '../../../bench/stack-coefficients.js';
import { bridgeFlowCeiling_bytes_per_s, vethCapPayload_bytes_per_s } from '../../../sim/stacks/diy/host-bridge.js';
import { stackTerms } from '../../../sim/stacks/diy/stack.js';
import { runNetworkOnly, SAME_NODE_CAP_BITS as CAP_BITS, sameNodeScenario } from './network-scenario.js';

describe('flows between pods on one node (diy)', () => {
  it("hold the sender's veth cap and one core's packet rate per flow; the wire stays idle", () => {
    const { summary } = runNetworkOnly(sameNodeScenario('diy'), 'diy');
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

/**
 * Flows between two pods on one node (hci): VF to VF on the pod port turns around in the NIC's embedded
 * switch, but still through the sending VF's transmit scheduler, so the sender's tier maximum holds and
 * the port's speed bounds the rest, as on a real SR-IOV NIC (and tc HTB on a host); the wire stays idle.
 */
import { describe, expect, it } from 'vitest';
import { POD_PORT_BITS, runNetworkOnly, SAME_NODE_CAP_BITS as CAP_BITS, sameNodeScenario } from './network-scenario.js';

describe('flows between pods on one node (hci)', () => {
  it("hold the sending VF's tier maximum and the port's speed; the wire stays idle", () => {
    const { summary } = runNetworkOnly(sameNodeScenario('hci'), 'hci');
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

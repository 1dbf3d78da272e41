/**
 * The network a host run's nodes share: per node a segment bridge, per node an uplink (a veth pair from
 * its segment into the run's ToR bridge) shaped with HTB to the node's pods NIC speed in each direction
 * (the segment end's egress is the node's transmit line, the ToR end's its receive line), and, where the
 * plan has VLANs, bridge VLAN filtering: each pod's port untagged in its network's VLAN, every uplink a
 * trunk of all of them. Cross-node flows cross the ToR, flows within a node stay on its segment.
 */
import { bridgeName, podNames, tcRate, torName, uplinkNames, type HostPlan } from './host-plan.js';

/** Runs one step; `undo` is journalled once it succeeded. */
export type StepRunner = (argv: string[], undo?: string[]) => Promise<string>;

/** HTB class of an uplink's one class (the line). */
export const UPLINK_CLASS = '1:1';

/** What was made: each node's segment bridge and uplink ends, the ToR. */
export interface RealisedSegments {
  readonly tor: string;
  readonly bridges: readonly string[];
  readonly uplinks: readonly { readonly node: string; readonly tor: string }[];
}

/** Creates the ToR, the segments and the shaped uplinks. */
export async function realiseSegments(plan: HostPlan, run: StepRunner): Promise<RealisedSegments> {
  const tor = torName(plan.runId);
  // Pods on SR-IOV VFs are tagged by the NIC (sriov.ts); their bridges carry none of their traffic.
  const filtering = (plan.vlans ?? []).length > 0 && !plan.sriov;
  const bridge = async (name: string) => {
    await run(['ip', 'link', 'add', name, 'type', 'bridge'], ['ip', 'link', 'del', name]);
    if (filtering) await run(['ip', 'link', 'set', name, 'type', 'bridge', 'vlan_filtering', '1']);
    await run(['ip', 'link', 'set', name, 'up']);
  };
  await bridge(tor);
  const bridges: string[] = [];
  const uplinks: { node: string; tor: string }[] = [];
  for (const [i, node] of plan.nodes.entries()) {
    const segment = bridgeName(plan.runId, i);
    await bridge(segment);
    bridges.push(segment);
    const up = uplinkNames(plan.runId, i);
    await run(['ip', 'link', 'add', up.node, 'type', 'veth', 'peer', 'name', up.tor], ['ip', 'link', 'del', up.node]);
    await run(['ip', 'link', 'set', up.node, 'master', segment]);
    await run(['ip', 'link', 'set', up.tor, 'master', tor]);
    const line = tcRate(node.link_bits_per_s);
    for (const end of [up.node, up.tor]) {
      await run(
        ['tc', 'qdisc', 'add', 'dev', end, 'root', 'handle', '1:', 'htb', 'default', '1'],
        ['tc', 'qdisc', 'del', 'dev', end, 'root'],
      );
      await run(['tc', 'class', 'add', 'dev', end, 'parent', '1:', 'classid', UPLINK_CLASS, 'htb', 'rate', line, 'ceil', line]);
      await run(['ip', 'link', 'set', end, 'up']);
    }
    uplinks.push(up);
  }
  return { tor, bridges, uplinks };
}

/** Puts each pod's port in its network's VLAN (untagged, its only VLAN) and trunks every VLAN on every uplink. */
export async function realiseVlans(plan: HostPlan, segments: RealisedSegments, run: StepRunner): Promise<void> {
  const index = new Map(plan.pods.map((p, i) => [p.key, i]));
  for (const vlan of plan.vlans ?? []) {
    for (const key of vlan.pods) {
      const i = index.get(key);
      if (i === undefined) continue;
      const port = podNames(plan.runId, i).hostVeth;
      await run(['bridge', 'vlan', 'del', 'dev', port, 'vid', '1']);
      await run(['bridge', 'vlan', 'add', 'dev', port, 'vid', `${vlan.vid}`, 'pvid', 'untagged']);
    }
    for (const up of segments.uplinks)
      for (const end of [up.node, up.tor]) await run(['bridge', 'vlan', 'add', 'dev', end, 'vid', `${vlan.vid}`]);
  }
}

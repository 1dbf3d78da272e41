/**
 * `--sriov-pf` as the host plan's SR-IOV part: the PF each node's pods get VFs of. A bare PF serves every
 * node; NODE=PF flags must name every node that has pods (a pod on a VF and one on a veth would not reach
 * each other: one is on the NIC's switch, the other on a bridge). Faults are refused with it: the host
 * realises them on the bridges' ports and uplinks, which pods on VFs do not use.
 */
import type { LoadedClusterScenario } from '../../bench/scenario/load.js';
import type { HostNodePlan, HostPodPlan, HostSriovPlan } from '../../bench/targets/host/realise/host-plan.js';
import { AnvilError } from '../errors.js';

/** One `--sriov-pf`: a NIC's physical function, and the scenario node whose pods get its VFs (absent: every node's). */
export interface SriovPfChoice {
  readonly node?: string;
  readonly pf: string;
}

/** The SR-IOV plan for `choices` (undefined: none given); ANVIL_ERR_USAGE or ANVIL_ERR_HOST_UNREALISED naming each problem. */
export function sriovPlanOf(
  s: LoadedClusterScenario,
  nodes: readonly HostNodePlan[],
  pods: readonly HostPodPlan[],
  choices: readonly SriovPfChoice[] | undefined,
  sysClassNet?: string,
): HostSriovPlan | undefined {
  if (choices === undefined || choices.length === 0) return undefined;
  if (s.faults.length > 0)
    throw new AnvilError('ANVIL_ERR_HOST_UNREALISED', `${s.file}: --sriov-pf and faults do not go together on a host`, [
      `/faults: ${s.faults.length} fault${s.faults.length > 1 ? 's' : ''}; the host realises faults on the bridges' ports and uplinks, which pods on SR-IOV VFs do not use: drop --sriov-pf, or run the scenario without faults`,
    ]);
  const names = nodes.map((n) => n.name);
  const bare = choices.find((c) => c.node === undefined);
  if (bare) return { pfs: nodes.map(() => bare.pf), ...(sysClassNet !== undefined ? { sysClassNet } : {}) };
  const problems: string[] = [];
  for (const c of choices)
    if (!names.includes(c.node!))
      problems.push(`--sriov-pf ${c.node}=${c.pf}: the scenario has no node ${c.node}; its nodes are ${names.join(', ')}`);
  const withPods = [...new Set(pods.map((p) => p.node))].map((i) => names[i]!);
  const unnamed = withPods.filter((n) => !choices.some((c) => c.node === n));
  if (unnamed.length > 0)
    problems.push(
      `--sriov-pf: ${unnamed.join(', ')} ha${unnamed.length > 1 ? 've' : 's'} pods but no PF; pods on VFs and pods on bridges do not reach each other, so give each node with pods a PF (--sriov-pf NODE=PF), or one PF for all (--sriov-pf PF)`,
    );
  if (problems.length > 0) throw new AnvilError('ANVIL_ERR_USAGE', `${s.file}: --sriov-pf does not match the scenario's nodes`, problems);
  // A node without pods needs no PF: '' is never looked up (no pod is on it).
  return {
    pfs: names.map((n) => choices.find((c) => c.node === n)?.pf ?? ''),
    ...(sysClassNet !== undefined ? { sysClassNet } : {}),
  };
}

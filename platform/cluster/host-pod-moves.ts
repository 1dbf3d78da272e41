/**
 * Pods of a down node on a host, moved as the model moves them: at node-down the control plane fails the
 * node (its scheduler places the node's pods elsewhere where they fit, as on the model); each pod it placed
 * on another node is made anew there (a namespace on that node's bridge with the endpoint the platform gave
 * it, new cgroups), its workloads start there for the rest of the run, and its old fio is told to end and
 * keeps what it did. A pod the scenario pins (`reschedule: false`) or the platform leaves pending stays frozen
 * where it was. At node-up the control plane recovers the node. What happened to each pod is its outcome,
 * as the model's: its moves (when, from, to) and its start on the new node.
 */
import type { LoadedClusterScenario } from '../../bench/scenario/load.js';
import type { HostNodePlan } from '../../bench/targets/host/realise/host-plan.js';
import type { PodAddress } from '../../bench/targets/host/realise/pods.js';
import type { RealisedHost } from '../../bench/targets/host/realise/realiser.js';
import { parseCidr } from '../domain/ip.js';
import { localAdmin } from '../domain/tenancy.js';
import type { HostWorkloads } from './host-workloads.js';
import type { ScenarioPlacement } from './placement.js';
import type { PodOutcome } from './pod-moves.js';

/** Where the platform placed a moved pod: its node (index and name) and its endpoint there. */
export type HostPodTarget = PodAddress & { readonly node: number; readonly name: string };

export interface HostPodMover {
  /** The control plane fails `node`; returns where it placed each of `pods` (on that node) that may move and moved. */
  nodeDown(node: string, pods: readonly string[]): Map<string, HostPodTarget>;
  /** The control plane recovers `node`. */
  nodeUp(node: string): void;
  /** Makes pod `key` anew at `to` and starts its workloads there; its old workloads are marked as stopping (signal them next). */
  move(key: string, to: HostPodTarget, at_ns: number, now_ns: () => number): Promise<void>;
  /** Per pod moved, what happened to it (the model's shape). */
  readonly outcomes: ReadonlyMap<string, PodOutcome>;
}

export function hostPodMover(
  s: LoadedClusterScenario,
  placement: ScenarioPlacement,
  host: RealisedHost,
  nodes: readonly HostNodePlan[],
  workloads: HostWorkloads,
): HostPodMover {
  const store = placement.store;
  const actor = localAdmin('scenario');
  const pinned = new Set(s.spec.pods.filter((p) => !p.reschedule).map((p) => `${p.tenant}/${p.name}`));
  const outcomes = new Map<string, PodOutcome>();
  return {
    outcomes,
    nodeDown(node, pods) {
      store.change(actor, 'fail nodes', `nodes/${node}`, (cp) => cp.failNode(node));
      const out = new Map<string, HostPodTarget>();
      for (const key of pods) {
        if (pinned.has(key)) continue;
        const placed = store.read((st) => {
          const pod = st.pods.get(key);
          if (pod?.status.state !== 'running' || pod.status.node === node) return undefined;
          const ep = pod.status.endpoints[0];
          const subnet = ep ? st.networks.get(ep.network)?.subnet : undefined;
          return ep
            ? { node: pod.status.node, ip: ep.ip, mac: ep.mac, prefix: (subnet ? parseCidr(subnet)?.prefix : undefined) ?? 24 }
            : undefined;
        });
        const index = placed ? nodes.findIndex((n) => n.name === placed.node) : -1;
        if (placed && index >= 0) out.set(key, { node: index, name: placed.node, ip: placed.ip, mac: placed.mac, prefix: placed.prefix });
      }
      return out;
    },
    nodeUp(node) {
      store.change(actor, 'recover nodes', `nodes/${node}`, (cp) => cp.recoverNode(node));
    },
    async move(key, to, at_ns, now_ns) {
      const from = nodes[host.pods.get(key)!.node]!.name;
      await host.movePod(key, to);
      workloads.stopping(key);
      const started_ns = now_ns();
      workloads.restart(key, started_ns);
      const o = outcomes.get(key) ?? { moves: [] };
      o.moves.push({ at_ns, from, to: to.name });
      o.restarted = { at_ns: started_ns, node: to.name };
      outcomes.set(key, o);
    },
  };
}

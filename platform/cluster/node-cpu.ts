/**
 * Per node host CPU on the model, for both stacks: one host CPU per node with the cores of its profile
 * (its allocatable millicores, whole cores), and each running pod's own computing on those cores. What
 * the infrastructure charges (the diy stack's storage daemons and overlay, nothing on hci) is taken from
 * the same cores, so a diy node's applications wait longer for a core. The rows say how many cores each
 * class used over the run.
 *
 * A pod's computing is taken as its CPU request kept busy (a judgement: a scenario says nothing finer):
 * 1 ms slices (the OS scheduler's slice, see `HostCpu`) arriving Poisson at `request` cores' worth, from
 * the start to the end of the run, on the node the pod runs on: a pod a fault moves computes on its new
 * node from then on, a stopped pod computes nowhere until the platform starts it again (`place`).
 */
import { Deterministic, Exponential } from '../../sim/core/distributions.js';
import type { Model } from '../../sim/model/model.js';
import { CpuLoad } from '../../sim/resources/cpu-load.js';
import type { StackBuilder } from '../../sim/stacks/diy/stack.js';
import type { ClusterState } from '../domain/cluster-state.js';

/** A pod's computing is offered in slices of this much work, ns of one core. */
export const APPLICATION_SLICE_NS = 1e6;

/** One node's CPU over the run, as the summary and the nodes table give it. */
export interface NodeCpuSummary {
  readonly node: string;
  readonly cores: number;
  /** Core-time each class was charged, ns of one core (application: the pods' computing; storage, network: the infrastructure's). */
  readonly application_ns: number;
  readonly storage_ns: number;
  readonly network_ns: number;
  /** Cores each class kept busy on average over the run (its core-time / the run's simulated time). */
  readonly application_cores: number;
  readonly infrastructure_cores: number;
  /** Mean time a pod's slice took from arrival to done (wait for a core + the slice), ns; absent with no pod. */
  readonly application_slice_ns?: number;
}

/** The pods' computing, per node (to say how long their slices took), following the pods as faults move them. */
export interface ApplicationLoads {
  /** The loads that ran on `node` (a moved pod has one on each node it ran on, each counting what it did there). */
  on(node: string): readonly CpuLoad[];
  /** `pod` (`TENANT/NAME`) computes on `node` from `now_ns` on; null: it stopped. */
  place(pod: string, node: string | null, now_ns: number): void;
}

/** Host cores of a node for its `HostCpu`: its allocatable millicores, whole cores, at least one. */
export function nodeCores(cpu_millicores: number): number {
  return Math.max(1, Math.floor(cpu_millicores / 1000));
}

/** Makes every node's host CPU on `stack` and starts each running pod's computing on its node. */
export function addNodeCpus(model: Model, stack: StackBuilder, state: ClusterState, duration_ns: number): ApplicationLoads {
  const loads = new Map<string, CpuLoad[]>();
  for (const node of state.nodes.values()) {
    stack.hostCpu(node.name, nodeCores(node.inventory.cpu_millicores));
    loads.set(node.name, []);
  }
  const cores = new Map<string, number>();
  const current = new Map<string, CpuLoad>();
  const start = (pod: string, node: string, now_ns: number): void => {
    const podCores = cores.get(pod)!;
    // The stream is named after the pod and when it started there, so a run replays the same draws.
    const stream = model.streams.get(now_ns === 0 ? `cpu/${pod}` : `cpu/${pod}@${now_ns}`);
    const load = new CpuLoad(model.sim, stack.cpuOf(node), {
      slice_ns: new Deterministic(APPLICATION_SLICE_NS),
      interarrival_ns: new Exponential(APPLICATION_SLICE_NS / podCores, stream),
      start_ns: now_ns,
      stop_ns: Math.max(now_ns, duration_ns),
    });
    loads.get(node)!.push(load);
    current.set(pod, load);
  };
  for (const pod of state.pods.values()) {
    if (pod.status.state !== 'running' || pod.cpu_millicores <= 0) continue;
    const key = `${pod.namespace}/${pod.name}`;
    cores.set(key, pod.cpu_millicores / 1000);
    start(key, pod.status.node, 0);
  }
  return {
    on: (node) => loads.get(node) ?? [],
    place(pod, node, now_ns) {
      if (!cores.has(pod)) return; // no computing of its own (no CPU request, or not running at the start)
      current.get(pod)?.stopAt(now_ns);
      current.delete(pod);
      if (node !== null) start(pod, node, now_ns);
    },
  };
}

/** Per node, the CPU each class used over `run_ns` of simulated time (the scenario's duration), in the control plane's node order. */
export function nodeCpuSummaries(stack: StackBuilder, loads: ApplicationLoads, run_ns: number): NodeCpuSummary[] {
  const round3 = (x: number) => Math.round(x * 1000) / 1000;
  return stack.cpuRows().map((row) => {
    const mine = loads.on(row.node);
    const slices = mine.reduce((n, l) => n + l.slicesDone, 0);
    const response = mine.reduce((n, l) => n + l.responseSum_ns, 0);
    return {
      ...row,
      application_cores: run_ns > 0 ? round3(row.application_ns / run_ns) : 0,
      infrastructure_cores: run_ns > 0 ? round3((row.storage_ns + row.network_ns) / run_ns) : 0,
      ...(slices > 0 ? { application_slice_ns: Math.round(response / slices) } : {}),
    };
  });
}

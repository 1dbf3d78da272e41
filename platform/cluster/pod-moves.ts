/**
 * Pods with workloads through node and drive faults, on the model: a pod the platform's scheduler moved
 * to another node has its jobs re-routed (their I/O goes from the new node: its volume's plex there is
 * local, the others remote), keeping their recorders; a pod left pending, or one the scenario does not
 * let move (`reschedule: false`, taken off the platform with its node as a bare pod is), has its jobs
 * stopped: it does not run again in this run, and its outage lasts to the run's end.
 */
import type { LoadedClusterScenario } from '../../bench/scenario/load.js';
import { localAdmin } from '../domain/tenancy.js';
import { volumeDevice, type AssembledCluster } from './assemble.js';
import type { ScenarioPlacement } from './placement.js';

/** What happened to a pod with workloads. */
export interface PodOutcome {
  /** Its moves: when, ns, and from and to which node. */
  readonly moves: { readonly at_ns: number; readonly from: string; readonly to: string }[];
  /** When its jobs stopped and why (it does not run again in this run). */
  stopped?: { readonly at_ns: number; readonly reason: string };
}

/** A stopped pod's outage: from its stop to the run's end. */
export interface PodOutage {
  readonly name: string;
  readonly from_ns: number;
  readonly to_ns: number;
  readonly outage_ns: number;
  readonly until: string;
}

/** The pods' side of the faults. */
export interface PodMoves {
  readonly outcomes: ReadonlyMap<string, PodOutcome>;
  /** Takes the pods on `node` that may not move (`reschedule: false`) off the platform: call once the node has failed; returns them. */
  removePinned(node: string): string[];
  /** After a fault: each pod the platform moved or left pending is followed on the model; returns what changed. */
  follow(
    pods: readonly string[],
    now: number,
    why: (pod: string) => string,
  ): { moved: { pod: string; to: string }[]; stopped: { pod: string; reason: string }[] };
  /** Stops `pod`'s jobs now for `reason`; returns the summary's entry (none when it has no jobs or stopped before). */
  stop(pod: string, reason: string, now: number): { pod: string; reason: string }[];
  /** The stopped pods' outages, to `end_ns`. */
  close(end_ns: number): PodOutage[];
}

export function podMoves(s: LoadedClusterScenario, placement: ScenarioPlacement, built: AssembledCluster): PodMoves {
  const store = placement.store;
  const reschedule = new Map<string, boolean>(s.spec.pods.map((p) => [`${p.tenant}/${p.name}`, p.reschedule]));
  const outcomes = new Map<string, PodOutcome>();
  const nodeNow = new Map<string, string>();
  for (const pod of built.jobs.keys()) {
    const status = store.read((st) => st.pods.get(pod)?.status);
    if (status?.state === 'running') nodeNow.set(pod, status.node);
  }
  const outcome = (pod: string): PodOutcome => {
    let o = outcomes.get(pod);
    if (!o) outcomes.set(pod, (o = { moves: [] }));
    return o;
  };
  const stop = (pod: string, reason: string, now: number): { pod: string; reason: string }[] => {
    const jobs = built.jobs.get(pod);
    if (!jobs || !nodeNow.has(pod)) return [];
    for (const { job } of jobs) job.stop();
    nodeNow.delete(pod);
    outcome(pod).stopped = { at_ns: now, reason };
    return [{ pod, reason }];
  };
  const move = (pod: string, to: string, now: number): void => {
    const jobs = built.jobs.get(pod)!;
    const from = nodeNow.get(pod)!;
    for (const volume of new Set(jobs.map((j) => j.volume))) {
      const v = built.volumes.get(volume)!;
      v.handle.moveTo(v.seenFrom(to));
    }
    // The jobs keep their recorders; their new route starts from the new node (no station of its own yet).
    for (const { job, volume } of jobs) built.model.reroute(job, volumeDevice(volume));
    nodeNow.set(pod, to);
    outcome(pod).moves.push({ at_ns: now, from, to });
  };
  return {
    outcomes,
    removePinned(node) {
      const pinned = [...nodeNow].filter(([pod, n]) => n === node && reschedule.get(pod) === false).map(([pod]) => pod);
      for (const pod of pinned) {
        const [namespace, name] = pod.split('/') as [string, string];
        store.change(localAdmin('scenario'), 'delete pods', `pods/${namespace}/${name}`, (cp) => cp.deletePod(namespace, name));
      }
      return pinned;
    },
    follow(pods, now, why) {
      const moved: { pod: string; to: string }[] = [];
      const stopped: { pod: string; reason: string }[] = [];
      for (const pod of pods) {
        if (!nodeNow.has(pod)) continue;
        const status = store.read((st) => st.pods.get(pod)?.status);
        if (status?.state === 'running') {
          if (status.node === nodeNow.get(pod)) continue;
          move(pod, status.node, now);
          moved.push({ pod, to: status.node });
        } else stopped.push(...stop(pod, status ? `pending: ${status.failure.summary}` : why(pod), now));
      }
      return { moved, stopped };
    },
    stop,
    close(end_ns) {
      return [...outcomes]
        .filter(([, o]) => o.stopped !== undefined)
        .map(([name, o]) => ({
          name,
          from_ns: o.stopped!.at_ns,
          to_ns: Math.max(end_ns, o.stopped!.at_ns),
          outage_ns: Math.max(0, end_ns - o.stopped!.at_ns),
          until: 'end of run',
        }));
    },
  };
}

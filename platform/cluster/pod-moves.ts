/**
 * Pods with workloads through node and drive faults, on the model, on either stack. A pod the platform's
 * scheduler moved to another node has its jobs re-routed, keeping their recorders: their I/O goes from the
 * new node (hci: its volume's plex there is local, the others remote; diy: to the volume's acting primary,
 * across the network unless it is on that node). On diy a job is re-routed too when its volume's acting
 * primary moves (its copy failed, or the first copy is back in sync). A pod left pending has its jobs stopped; when the
 * platform places it again (a node came back), it starts again there as new jobs (labelled with that
 * node, running to the scenario's end), as a restarted container starts its work anew. A pod the scenario
 * does not let move (`reschedule: false`) is taken off the platform with its node, as a bare pod is: its
 * jobs stop and it does not come back in the run.
 */
import type { LoadedClusterScenario } from '../../bench/scenario/load.js';
import { localAdmin } from '../domain/tenancy.js';
import { volumeDevice, type AssembledCluster, type PodJob } from './assemble.js';
import type { OutageRecord } from './fault-records.js';
import type { ApplicationLoads } from './node-cpu.js';
import type { ScenarioPlacement } from './placement.js';

/** What happened to a pod with workloads. */
export interface PodOutcome {
  /** Its moves: when, ns, and from and to which node. */
  readonly moves: { readonly at_ns: number; readonly from: string; readonly to: string }[];
  /** When its jobs last stopped and why. */
  stopped?: { readonly at_ns: number; readonly reason: string };
  /** When and where the platform last started it again after a stop (its jobs run anew from there). */
  restarted?: { readonly at_ns: number; readonly node: string };
}

/** The pods' side of the faults. */
export interface PodMoves {
  readonly outcomes: ReadonlyMap<string, PodOutcome>;
  /** Pods with workloads, by `TENANT/NAME`. */
  readonly pods: readonly string[];
  /** Takes the pods on `node` that may not move (`reschedule: false`) off the platform: call once the node has failed; returns them. */
  removePinned(node: string): string[];
  /** Stops `pod`'s jobs now for `reason`; returns the summary's entry (none when it has no running jobs). */
  stop(pod: string, reason: string, now: number): { pod: string; reason: string }[];
  /** After a fault: each of `pods` follows the platform on the model (moved, stopped or started again); returns what changed. */
  follow(
    pods: readonly string[],
    now: number,
  ): { moved: { pod: string; to: string }[]; stopped: { pod: string; reason: string }[]; restarted: { pod: string; on: string }[] };
  /** The pods' outages (from a stop to its restart), those still open ending at `end_ns`. */
  close(end_ns: number): OutageRecord[];
}

/** `cpu`, when given, has each pod's own computing follow it (node-cpu.ts). */
export function podMoves(
  s: LoadedClusterScenario,
  placement: ScenarioPlacement,
  built: AssembledCluster,
  cpu?: ApplicationLoads,
): PodMoves {
  const store = placement.store;
  const reschedule = new Map<string, boolean>(s.spec.pods.map((p) => [`${p.tenant}/${p.name}`, p.reschedule]));
  const outcomes = new Map<string, PodOutcome>();
  const jobsOf = new Map<string, readonly PodJob[]>(built.jobs);
  /** Where each pod's jobs run now; a stopped pod has none. */
  const nodeNow = new Map<string, string>();
  const removed = new Set<string>();
  const outages: { name: string; from_ns: number; to_ns?: number; until?: string }[] = [];
  for (const pod of jobsOf.keys()) {
    const status = store.read((st) => st.pods.get(pod)?.status);
    if (status?.state === 'running') nodeNow.set(pod, status.node);
  }
  const outcome = (pod: string): PodOutcome => {
    let o = outcomes.get(pod);
    if (!o) outcomes.set(pod, (o = { moves: [] }));
    return o;
  };
  const stop = (pod: string, reason: string, now: number): { pod: string; reason: string }[] => {
    const jobs = jobsOf.get(pod);
    if (!jobs || !nodeNow.has(pod)) return [];
    for (const { job } of jobs) job.stop();
    cpu?.place(pod, null, now);
    nodeNow.delete(pod);
    outcome(pod).stopped = { at_ns: now, reason };
    outages.push({ name: pod, from_ns: now });
    return [{ pod, reason }];
  };
  // Each volume's I/O from `node` from now on (hci: its plexes' legs seen from there; diy: the way to its acting primary).
  const rehome = (pod: string, node: string): void => {
    for (const volume of new Set(jobsOf.get(pod)!.map((j) => j.volume))) built.volumes.get(volume)!.useFrom(node);
  };
  /** The jobs keep their recorders; their new route starts from their node (hci: no station of its own yet). */
  const reroute = (jobs: readonly PodJob[]): void => {
    for (const { job, volume } of jobs) {
      const { via, after } = built.volumes.get(volume)!.route();
      built.model.reroute(job, volumeDevice(volume), via, after);
    }
  };
  // The diy block store's acting primary moved: the running pods' jobs on that volume go to the new one.
  for (const [key, v] of built.volumes)
    v.watch(() => {
      for (const [pod, jobs] of jobsOf) if (nodeNow.has(pod)) reroute(jobs.filter((j) => j.volume === key));
    });
  const move = (pod: string, to: string, now: number): void => {
    const from = nodeNow.get(pod)!;
    rehome(pod, to);
    reroute(jobsOf.get(pod)!);
    cpu?.place(pod, to, now);
    nodeNow.set(pod, to);
    outcome(pod).moves.push({ at_ns: now, from, to });
  };
  const restart = (pod: string, node: string, now: number): void => {
    rehome(pod, node);
    const again = jobsOf.get(pod)!.flatMap((j) => {
      // To the same end as before: the scenario's, or the job's own runtime from the run's start.
      const end_ns = j.job.spec.ramp_ns + j.job.spec.runtime_ns;
      if (!(end_ns > now)) return [];
      const name = `${j.name}@${now}`;
      const labels = { ...j.labels, node };
      const spec = { ...j.job.spec, ramp_ns: 0, runtime_ns: end_ns - now };
      const { via, after } = built.volumes.get(j.volume)!.route();
      const job = built.model.addJob({ spec, device: volumeDevice(j.volume), name, labels, start_ns: now, via, after });
      return [{ job, volume: j.volume, name, labels }];
    });
    jobsOf.set(pod, again);
    cpu?.place(pod, node, now);
    nodeNow.set(pod, node);
    outcome(pod).restarted = { at_ns: now, node };
    const open = outages.find((o) => o.name === pod && o.to_ns === undefined);
    if (open) Object.assign(open, { to_ns: now, until: `started again on ${node}` });
  };
  return {
    outcomes,
    pods: [...jobsOf.keys()],
    removePinned(node) {
      const pinned = [...nodeNow].filter(([pod, n]) => n === node && reschedule.get(pod) === false).map(([pod]) => pod);
      for (const pod of pinned) {
        const [namespace, name] = pod.split('/') as [string, string];
        store.change(localAdmin('scenario'), 'delete pods', `pods/${namespace}/${name}`, (cp) => cp.deletePod(namespace, name));
        removed.add(pod);
      }
      return pinned;
    },
    stop,
    follow(pods, now) {
      const moved: { pod: string; to: string }[] = [];
      const stopped: { pod: string; reason: string }[] = [];
      const restarted: { pod: string; on: string }[] = [];
      for (const pod of pods) {
        if (!jobsOf.has(pod) || removed.has(pod)) continue;
        const status = store.read((st) => st.pods.get(pod)?.status);
        const here = nodeNow.get(pod);
        if (status?.state === 'running') {
          if (here === undefined) {
            restart(pod, status.node, now);
            restarted.push({ pod, on: status.node });
          } else if (status.node !== here) {
            move(pod, status.node, now);
            moved.push({ pod, to: status.node });
          }
        } else stopped.push(...stop(pod, `pending: ${status?.failure.summary ?? 'gone from the platform'}`, now));
      }
      return { moved, stopped, restarted };
    },
    close(end_ns) {
      return outages.map((o) => {
        const to_ns = o.to_ns ?? Math.max(end_ns, o.from_ns);
        return { name: o.name, from_ns: o.from_ns, to_ns, outage_ns: to_ns - o.from_ns, until: o.until ?? 'end of run' };
      });
    },
  };
}

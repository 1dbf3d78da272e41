/**
 * A scenario's node failures and returns, at their simulated times, in both worlds at once: the control
 * plane fails and recovers the node (its clock moved to the fault's time; a recovery resyncs only the
 * fraction the model says was written meanwhile), and the model takes the node's plexes offline and,
 * when it returns, resyncs them at the volume's resync rate. After the run every volume must still give
 * back every acknowledged write, or the run fails. This version moves no running workload: a node that
 * fails under a pod with workloads is refused before the run.
 */
import type { LoadedClusterScenario, ScenarioFault } from '../../bench/scenario/load.js';
import type { ClusterState } from '../domain/cluster-state.js';
import { localAdmin } from '../domain/tenancy.js';
import { AnvilError } from '../errors.js';
import type { AssembledCluster } from './assemble.js';
import type { ScenarioPlacement } from './placement.js';

/** Fault events this version runs. */
export const RUNNABLE_FAULTS: readonly string[] = ['node-down', 'node-up'];

/** What a fault did, for the summary. */
export interface FaultRecord {
  readonly at_ns: number;
  readonly event: string;
  readonly node: string;
  /** `TENANT/NAME#PLEX` of the modelled plexes it took offline or brought back. */
  readonly plexes: readonly string[];
}

/** One modelled plex's end state, for the summary. */
export interface PlexRecord {
  readonly volume: string;
  readonly node: string;
  /** The model's state at the end: in-sync, resyncing or offline. */
  readonly state: string;
  /** The control plane's state of the plex at the end (its clock at the model's end). */
  readonly platform_state: string;
  /** Resyncs done: bytes copied and when, ns. */
  readonly resyncs: readonly { readonly copied_bytes: number; readonly started_ns: number; readonly finished_ns: number }[];
}

/** Refuses a fault that would stop a running workload's pod (moving workloads comes later). */
export function checkFaults(s: LoadedClusterScenario, state: ClusterState): void {
  const busy = new Map<string, string>();
  for (const w of s.workloads) {
    const pod = state.pods.get(w.pod);
    if (pod?.status.state === 'running') busy.set(pod.status.node, w.pod);
  }
  const problems = s.faults
    .map((f, i) => ({ f, i }))
    .filter(({ f }) => f.event === 'node-down' && busy.has(f.node))
    .map(
      ({ f, i }) =>
        `/faults/${i}: node-down of ${f.node}, where the platform placed ${busy.get(f.node)} with a workload; moving running workloads comes in a later version: fail another node`,
    );
  if (problems.length > 0)
    throw new AnvilError('ANVIL_ERR_SCENARIO_UNSUPPORTED', `${s.file} fails a node under a running workload`, problems);
}

/** Schedules the faults on the model; returns the records, filled as they fire. */
export function scheduleFaults(faults: readonly ScenarioFault[], placement: ScenarioPlacement, built: AssembledCluster): FaultRecord[] {
  const records: FaultRecord[] = [];
  const store = placement.store;
  const actor = localAdmin('scenario');
  const plexesOn = (node: string) =>
    [...built.volumes].flatMap(([key, v]) => v.plexNodes.flatMap((n, i) => (n === node ? [{ key, handle: v.handle, plex: i }] : [])));
  for (const f of faults) {
    built.model.at(f.at_ns, () => {
      placement.clock.now_ns = f.at_ns;
      const plexes = plexesOn(f.node);
      if (f.event === 'node-down') {
        store.change(actor, 'fault', `node/${f.node}`, (cp) => cp.failNode(f.node));
        for (const p of plexes) p.handle.fail(p.plex);
      } else {
        const fraction = new Map(plexes.map((p) => [p.key, p.handle.volume.map.dirtyCount[p.plex]! / p.handle.volume.map.blocks] as const));
        // Volumes no workload touched were not written in the model: nothing to copy.
        store.change(actor, 'fault', `node/${f.node}`, (cp) => cp.recoverNode(f.node, (volume) => fraction.get(volume) ?? 0));
        for (const p of plexes) p.handle.recover(p.plex);
      }
      records.push({ at_ns: f.at_ns, event: f.event, node: f.node, plexes: plexes.map((p) => `${p.key}#${p.plex}`) });
    });
  }
  return records;
}

/** After the run: the control plane's clock at the model's end, due resyncs done; every volume gives back every acknowledged write. */
export function settleAfterRun(s: LoadedClusterScenario, placement: ScenarioPlacement, built: AssembledCluster): PlexRecord[] {
  placement.clock.now_ns = built.model.sim.now;
  placement.store.change(localAdmin('scenario'), 'advance-resyncs', 'cluster', (cp) => cp.advanceResyncs());
  const platformState = (key: string, node: string) =>
    placement.store.read((st) => st.volumes.get(key)?.plexes.find((p) => p.node === node)?.state ?? 'gone');
  const lost: string[] = [];
  const plexes: PlexRecord[] = [];
  for (const [key, v] of built.volumes) {
    try {
      v.handle.volume.assertNoLostWrites();
    } catch (e) {
      lost.push(`${key}: ${(e as Error).message}`);
    }
    v.plexNodes.forEach((node, i) =>
      plexes.push({
        volume: key,
        node,
        state: v.handle.volume.state[i]!,
        platform_state: platformState(key, node),
        resyncs: v.handle.resync.done
          .filter((d) => d.plex === i)
          .map((d) => ({ copied_bytes: d.copied_bytes, started_ns: d.started_ns, finished_ns: d.finished_ns })),
      }),
    );
  }
  if (lost.length > 0)
    throw new AnvilError('ANVIL_ERR_CLUSTER_MODEL', `${s.file}: acknowledged writes were lost on ${lost.length} volume(s)`, lost);
  return plexes;
}

/**
 * A scenario's node failures and returns, at their simulated times, in both worlds at once: the control
 * plane fails and recovers the node (its clock moved to the fault's time; a recovery resyncs only the
 * fraction the model says was written meanwhile), and the model takes the node's plexes offline and,
 * when it returns, resyncs them at the rate the platform gave each plex; the model's end of a resync
 * marks the plex in sync in the control plane (followModelResyncs). After the run every volume must still give
 * back every acknowledged write, or the run fails. This version moves no running workload: a node that
 * fails under a pod with workloads is refused before the run.
 */
import type { LoadedClusterScenario, ScenarioFault } from '../../bench/scenario/load.js';
import type { MirroredVolumeHandle } from '../../sim/storage/build.js';
import type { ResyncDone } from '../../sim/storage/resync.js';
import type { ClusterState } from '../domain/cluster-state.js';
import { localAdmin } from '../domain/tenancy.js';
import { AnvilError } from '../errors.js';
import type { AssembledCluster } from './assemble.js';
import { isLinkFault, LINK_FAULTS, scheduleLinkFaults } from './link-faults.js';
import { followModelTime, type ScenarioPlacement } from './placement.js';

/** Fault events this version runs. */
export const RUNNABLE_FAULTS: readonly string[] = ['node-down', 'node-up', ...LINK_FAULTS];

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
  // From here the control plane reads the model's time: a fault's or a resync's change is stamped when it happens.
  followModelTime(placement, built.model.sim);
  const records: FaultRecord[] = [];
  const store = placement.store;
  const actor = localAdmin('scenario');
  const plexesOn = (node: string) =>
    [...built.volumes].flatMap(([key, v]) => v.plexNodes.flatMap((n, i) => (n === node ? [{ key, handle: v.handle, plex: i }] : [])));
  for (const f of faults) {
    if (isLinkFault(f)) continue; // link-faults.ts
    built.model.at(f.at_ns, () => {
      const plexes = plexesOn(f.node);
      if (f.event === 'node-down') {
        store.change(actor, 'fail nodes', `nodes/${f.node}`, (cp) => cp.failNode(f.node));
        for (const p of plexes) p.handle.fail(p.plex);
      } else {
        // What the model must copy, as the platform's copy size: dirty bytes over the volume's size.
        const fraction = new Map(plexes.map((p) => [p.key, dirtyBytes(p.handle, p.plex) / p.handle.volume.capacity_bytes] as const));
        // Volumes no workload touched were not written in the model: nothing to copy.
        store.change(actor, 'recover nodes', `nodes/${f.node}`, (cp) => cp.recoverNode(f.node, (volume) => fraction.get(volume) ?? 0));
        for (const p of plexes) {
          // The model copies at the rate the platform gave the plex (its node's resync share, split
          // between the plexes returning at once), so the platform's finish estimate holds when the drive keeps up.
          const platform = store.read((st) => st.volumes.get(p.key)?.plexes.find((x) => x.node === f.node));
          p.handle.recover(p.plex, false, platform?.state === 'resyncing' ? platform.resync.rate_bytes_per_s : undefined);
        }
      }
      records.push({ at_ns: f.at_ns, event: f.event, node: f.node, plexes: plexes.map((p) => `${p.key}#${p.plex}`) });
    });
  }
  scheduleLinkFaults(faults, placement, built, records);
  return records;
}

/** Bytes of plex `plex` written while it was behind: its dirty blocks (the last one only as far as the volume goes). */
function dirtyBytes(handle: MirroredVolumeHandle, plex: number): number {
  const v = handle.volume;
  return Math.min(v.capacity_bytes, v.map.dirtyCount[plex]! * v.block_bytes);
}

/**
 * The model's resync is the truth in a model run: when the model has copied a returning plex's dirty
 * blocks (its `onInSync`), the control plane marks that plex in sync at that simulated time. The
 * platform's own estimate (`finishes_at`, bytes / rate) stays the estimate: the runner never calls
 * `advanceResyncs`, so a plex is in sync when the model says, not when the formula says (a drive too
 * busy to keep up with the copies finishes later than estimated; the platform must not claim the mirror early).
 */
export function followModelResyncs(placement: ScenarioPlacement): (volume: string, node: string, done: ResyncDone) => void {
  const actor = localAdmin('scenario');
  return (volume, node) => {
    placement.store.change(actor, 'resync volumes', `volumes/${volume}`, (cp) => cp.completeResync(volume, node));
  };
}

/** After the run: the control plane's clock at the model's end (resyncs done only as the model finished them); every volume gives back every acknowledged write. */
export function settleAfterRun(s: LoadedClusterScenario, placement: ScenarioPlacement, built: AssembledCluster): PlexRecord[] {
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

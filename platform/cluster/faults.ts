/**
 * A scenario's faults at their simulated times, in both worlds at once. A node down: the control plane
 * fails the node (its plexes out of sync or offline, its pods placed elsewhere by its scheduler where
 * they fit), the model takes the node's plexes offline and moves each moved pod's jobs (their I/O goes
 * from the new node: a plex there is local, the others remote); a pod the platform cannot place stays
 * pending and its jobs stop, as do those of a pod the scenario does not let move (`reschedule: false`:
 * it goes with its node, as a bare Kubernetes pod does). A node up: the control plane recovers the node
 * (a resync copies only the fraction the model says was written meanwhile) and the model resyncs its
 * plexes at the rate the platform gave each; the model's end of a resync marks the plex in sync in the
 * control plane (followModelResyncs). A drive failed: its plexes are lost in both (mirrored volumes go
 * on, degraded; the drive does not come back in the run). Jobs whose volume has no plex left see I/O
 * errors (counted per job); every volume's outage (no plex in sync) and every stopped pod's are
 * reported. After the run every volume must still give back every acknowledged write, or the run fails.
 *
 * On diy the same code runs the same control plane (its scheduler moves the pods), but the volumes'
 * plexes are the block store's copies (assemble-diy.ts), which the control plane does not know: a copy goes
 * offline with its node or drive, writes go on degraded on the others (as Ceph's with min_size 1: Ceph's
 * default min_size 2 would block I/O with one copy left, which this version does not model), and on a
 * node's return the block store recovers its copies itself (recoverCopies), its acting primary following
 * (the first copy in sync). A failed drive's copies are not re-made elsewhere: Ceph marks an OSD out only
 * after mon_osd_down_out_interval (600 s), longer than a scenario's faults.
 */
import type { LoadedClusterScenario } from '../../bench/scenario/load.js';
import type { ResyncDone } from '../../sim/storage/resync.js';
import type { ClusterState } from '../domain/cluster-state.js';
import { localAdmin } from '../domain/tenancy.js';
import { AnvilError } from '../errors.js';
import { refreshVolumes, type AssembledCluster, type BuiltVolume } from './assemble.js';
import type { FaultRecord, OutageRecord, PlexRecord } from './fault-records.js';
import { dirtyFraction, isLinkFault, LINK_FAULTS, scheduleLinkFaults } from './link-faults.js';
import { followModelTime, type ScenarioPlacement } from './placement.js';
import type { ApplicationLoads } from './node-cpu.js';
import { podMoves, type PodOutcome } from './pod-moves.js';

/** Fault events this version runs. */
export const RUNNABLE_FAULTS: readonly string[] = ['node-down', 'node-up', 'drive-failed', ...LINK_FAULTS];

/** The faults as they fire, and what they left; `close` ends the outages still open at the run's end. */
export interface FaultLog {
  readonly records: FaultRecord[];
  /** `TENANT/NAME#PLEX` of the plexes lost with a failed drive. */
  readonly lostPlexes: Set<string>;
  /** Per pod with workloads that moved or stopped, what happened to it. */
  readonly pods: ReadonlyMap<string, PodOutcome>;
  /** Volume outages, closed ones first in the order they ended. */
  readonly volumeOutages: OutageRecord[];
  /** Closes what is still open at `end_ns`: volume outages and stopped pods' outages. */
  close(end_ns: number): { volumes: OutageRecord[]; pods: OutageRecord[] };
}

/** Refuses a drive-failed fault naming a drive its node does not have (as `anvil scenario validate` words it), before the run. */
export function checkFaults(s: LoadedClusterScenario, state: ClusterState): void {
  const problems: string[] = [];
  s.faults.forEach((f, i) => {
    const inv = state.nodes.get(f.node)?.inventory;
    if (f.event !== 'drive-failed' || f.drive === undefined || inv === undefined || f.drive < inv.drives.length) return;
    problems.push(
      `/faults/${i}/drive: node ${f.node} (profile ${inv.profile}) has ${inv.drives.length} drive(s), indices 0 to ${inv.drives.length - 1}`,
    );
  });
  if (problems.length > 0)
    throw new AnvilError('ANVIL_ERR_CLUSTER_SCENARIO', `${s.file}: a fault names a drive its node does not have`, problems);
}

/** Schedules the faults on the model; returns their log, filled as they fire. `cpu`, when given, moves the pods' own computing with them. */
export function scheduleFaults(
  s: LoadedClusterScenario,
  placement: ScenarioPlacement,
  built: AssembledCluster,
  cpu?: ApplicationLoads,
): FaultLog {
  // From here the control plane reads the model's time: a fault's or a resync's change is stamped when it happens.
  followModelTime(placement, built.model.sim);
  const records: FaultRecord[] = [];
  const lostPlexes = new Set<string>();
  const store = placement.store;
  const actor = localAdmin('scenario');
  const pods = podMoves(s, placement, built, cpu);
  const outages = volumeOutageTracker(built);
  const plexesWhere = (node: string, drive?: number) =>
    [...built.volumes].flatMap(([key, v]) =>
      v.plexNodes.flatMap((n, i) =>
        n === node && (drive === undefined || v.plexDrives[i] === drive) && !lostPlexes.has(`${key}#${i}`)
          ? [{ key, volume: v, plex: i }]
          : [],
      ),
    );
  for (const f of s.faults) {
    if (isLinkFault(f)) continue; // link-faults.ts
    built.model.at(f.at_ns, () => {
      const now = built.model.sim.now;
      // The plexes the fault touches: the node's (down or up), or the failed drive's.
      const plexes = plexesWhere(f.node, f.event === 'drive-failed' ? f.drive : undefined);
      const stopped: { pod: string; reason: string }[] = [];
      if (f.event === 'node-down') {
        store.change(actor, 'fail nodes', `nodes/${f.node}`, (cp) => cp.failNode(f.node));
        // The model's plexes leave first, so I/O in flight to them comes back as missed (an error where it was the last copy).
        for (const p of plexes) p.volume.handle.fail(p.plex);
        refreshVolumes(built);
        for (const pod of pods.removePinned(f.node)) stopped.push(...pods.stop(pod, `reschedule: false: it went down with ${f.node}`, now));
      } else if (f.event === 'drive-failed') {
        store.change(actor, 'fail drives', `nodes/${f.node}`, (cp) => cp.failDrive(f.node, f.drive!));
        for (const p of plexes) {
          p.volume.handle.fail(p.plex);
          lostPlexes.add(`${p.key}#${p.plex}`);
        }
        refreshVolumes(built);
      } else {
        recoverNode(placement, f.node, built, lostPlexes);
        recoverCopies(placement, built, lostPlexes);
      }
      // Every pod with workloads follows the platform: moved, left pending, or placed again (a node's return retries pending pods).
      const followed = pods.follow(pods.pods, now);
      stopped.push(...followed.stopped);
      outages.update(now, `${f.event} ${f.node}`);
      records.push({
        at_ns: f.at_ns,
        event: f.event,
        node: f.node,
        ...(f.event === 'drive-failed' && f.drive !== undefined ? { drive: f.drive } : {}),
        plexes: plexes.map((p) => `${p.key}#${p.plex}`),
        ...(followed.moved.length > 0 ? { moved: followed.moved } : {}),
        ...(stopped.length > 0 ? { stopped } : {}),
        ...(followed.restarted.length > 0 ? { restarted: followed.restarted } : {}),
      });
    });
  }
  scheduleLinkFaults(s.faults, placement, built, records, { pods, outages: (now, cause) => outages.update(now, cause) });
  return {
    records,
    lostPlexes,
    pods: pods.outcomes,
    volumeOutages: outages.closed,
    close: (end_ns) => ({ volumes: outages.close(end_ns), pods: pods.close(end_ns) }),
  };
}

/**
 * The control plane recovers `node`; the model brings back every plex the platform brought back, as the
 * platform says: the volume's last current copy in sync at once (it took no write meanwhile), then each
 * plex the platform resyncs (this node's, or another's whose source came back) at the rate it gave it. A
 * plex the platform keeps out of sync (no in-sync plex to copy from) stays offline in the model too.
 */
function recoverNode(placement: ScenarioPlacement, node: string, built: AssembledCluster, lost: ReadonlySet<string>): void {
  const store = placement.store;
  const offline = [...built.volumes].flatMap(([key, volume]) =>
    volume.plexNodes.flatMap((n, plex) =>
      volume.handle.volume.state[plex] === 'offline' && !lost.has(`${key}#${plex}`) ? [{ key, volume, plex, node: n }] : [],
    ),
  );
  // What the model must copy, as the platform's copy size: dirty bytes over the volume's size.
  const fraction = new Map<string, number>();
  for (const p of offline) fraction.set(p.key, Math.max(fraction.get(p.key) ?? 0, dirtyFraction(p.volume, p.plex)));
  // Volumes no workload touched were not written in the model: nothing to copy.
  store.change(localAdmin('scenario'), 'recover nodes', `nodes/${node}`, (cp) =>
    cp.recoverNode(node, (volume) => fraction.get(volume) ?? 0),
  );
  const platform = (p: (typeof offline)[number]) => store.read((st) => st.volumes.get(p.key)?.plexes.find((x) => x.node === p.node));
  // The platform leads its own plexes (hci); the diy block store's copies recover on their own (recoverCopies).
  const led = offline.filter((p) => p.volume.plexesOf === 'platform');
  for (const p of led) {
    const model = p.volume.handle.volume;
    if (platform(p)?.state === 'in-sync' && model.state.every((st, i) => i === p.plex || st === 'offline')) p.volume.handle.rejoin(p.plex);
  }
  for (const p of led) {
    const plex = platform(p);
    // At the rate the platform gave the plex (its node's resync share, split between the plexes returning
    // at once), so the platform's finish estimate holds when the drive keeps up.
    if (plex?.state === 'resyncing') p.volume.handle.recover(p.plex, false, plex.resync.rate_bytes_per_s);
  }
}

/**
 * The diy block store after a node came back: every copy of its volumes that is offline, not lost with its
 * drive, on a node that is up and not cut off by a downed storage link, returns and recovers what was
 * written while it was away (its dirty blocks, at the volume's pace: the coefficient file's
 * sds_recovery_mib_per_s). A volume with no copy left in sync first takes back a returning copy that holds
 * every acknowledged write (it left last: nothing was acknowledged since), in sync at once, for the others
 * to copy from; with none such it stays out. The acting primary follows (`BuiltVolume.refresh`). The
 * control plane knows nothing of these copies.
 */
function recoverCopies(placement: ScenarioPlacement, built: AssembledCluster, lost: ReadonlySet<string>): void {
  const up = (node: string) => placement.store.read((st) => st.nodes.get(node)?.status.state !== 'down');
  const linked = (node: string) => built.network.storagePortOf(node).txGate.open;
  for (const [key, v] of built.volumes) {
    if (v.plexesOf !== 'block-store') continue;
    const volume = v.handle.volume;
    const from = v.legsFrom();
    const back = v.plexNodes.flatMap((node, i) =>
      volume.state[i] === 'offline' && !lost.has(`${key}#${i}`) && up(node) && (node === from || (linked(node) && linked(from))) ? [i] : [],
    );
    if (back.length === 0) continue;
    if (volume.state.every((st) => st === 'offline')) {
      const only = (i: number) => volume.state.map((_, j) => j === i);
      const current = back.find((i) => volume.map.lostBlocks(only(i), 1).length === 0);
      if (current === undefined) continue;
      v.handle.rejoin(current);
    }
    if (volume.readingFrom < 0) continue; // nothing in sync to copy from
    for (const i of back) if (volume.state[i] === 'offline') v.handle.recover(i);
    v.refresh();
  }
}

/** Volumes with no plex in sync: open from the fault that took the last one, closed by the one that brought one back. */
function volumeOutageTracker(built: AssembledCluster): {
  closed: OutageRecord[];
  update(now: number, cause: string): void;
  close(end_ns: number): OutageRecord[];
} {
  const open = new Map<string, number>();
  const closed: OutageRecord[] = [];
  const end = (name: string, from_ns: number, to_ns: number, until: string): OutageRecord => ({
    name,
    from_ns,
    to_ns,
    outage_ns: to_ns - from_ns,
    until,
  });
  return {
    closed,
    update(now, cause) {
      for (const [key, v] of built.volumes) {
        // Out while no plex is in sync: nothing holds the volume's current data to serve from.
        const down = v.handle.volume.readingFrom < 0;
        const since = open.get(key);
        if (down && since === undefined) open.set(key, now);
        else if (!down && since !== undefined) {
          open.delete(key);
          closed.push(end(key, since, now, cause));
        }
      }
    },
    close(end_ns) {
      return [...closed, ...[...open].map(([key, since]) => end(key, since, Math.max(since, end_ns), 'end of run'))];
    },
  };
}

/**
 * The faults left when every job has ended (its pods stopped, their runtime up) still happen, up to the
 * scenario's end: a node's return ends an outage and starts its resyncs. Call after the model's run.
 */
export function runRemainingFaults(built: AssembledCluster, end_ns: number): void {
  if (built.model.sim.now < end_ns) built.model.sim.run(end_ns);
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

/**
 * After the run: every volume gives back every acknowledged write from its in-sync plexes (or, for a
 * volume whose last current copy is on a node still down, from that copy: it took no write since). A
 * volume the platform lost (its current copies went with failed drives) lost its data to the faults, not
 * to the model: its outage to the run's end says so, and it is not checked.
 */
export function settleAfterRun(
  s: LoadedClusterScenario,
  placement: ScenarioPlacement,
  built: AssembledCluster,
  log: FaultLog,
): PlexRecord[] {
  const platformState = (key: string, node: string, plex: number) =>
    log.lostPlexes.has(`${key}#${plex}`)
      ? 'lost'
      : placement.store.read((st) => st.volumes.get(key)?.plexes.find((p) => p.node === node)?.state ?? 'gone');
  const lost: string[] = [];
  const plexes: PlexRecord[] = [];
  for (const [key, v] of built.volumes) {
    const volume = v.handle.volume;
    const inSync = volume.state.map((st) => st === 'in-sync');
    // No plex in sync: the current copy is the one the platform keeps `offline` on a node still down (no
    // write was acknowledged since it left); none where the platform lost the volume with its drives.
    const current = inSync.some(Boolean)
      ? inSync
      : v.plexesOf === 'platform'
        ? v.plexNodes.map((node, i) => platformState(key, node, i) === 'offline')
        : currentCopy(key, v, log.lostPlexes);
    if (current.some(Boolean)) {
      const missing = volume.map.lostBlocks(current, 5);
      if (missing.length > 0 || volume.staleReads > 0)
        lost.push(
          `${key}: blocks ${missing.map((l) => `${l.block} (acknowledged version ${l.acknowledged}, best current ${l.bestInSync})`).join(', ') || 'none'}; stale reads served: ${volume.staleReads}`,
        );
    }
    v.plexNodes.forEach((node, i) =>
      plexes.push({
        volume: key,
        node,
        ...(v.plexesOf === 'block-store' ? { copy: { drive: v.plexDrives[i]!, primary: v.primary() === i } } : {}),
        state: volume.state[i]!,
        platform_state: platformState(key, node, i),
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

/**
 * A diy volume with no copy in sync: its current copy is a copy not lost with its drive that holds every
 * acknowledged write (the last to leave). Where the copy that held them all was lost with its drive, the
 * volume's data went with it, to the faults, not to the model: nothing to check (its outage to the run's end
 * says so). With neither, the copies not lost together (the check then names what none of them holds).
 * The block store's own state: the control plane does not know its copies.
 */
function currentCopy(key: string, v: BuiltVolume, lost: ReadonlySet<string>): boolean[] {
  const map = v.handle.volume.map;
  const kept = v.plexNodes.map((_, i) => !lost.has(`${key}#${i}`));
  const only = (i: number) => kept.map((_, j) => j === i);
  const whole = (i: number) => map.lostBlocks(only(i), 1).length === 0;
  const current = kept.findIndex((k, i) => k && whole(i));
  if (current >= 0) return only(current);
  return kept.some((k, i) => !k && whole(i)) ? kept.map(() => false) : kept;
}

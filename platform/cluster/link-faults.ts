/**
 * A scenario's link faults, `link-down` and `link-up` of one NIC port of a node, at their simulated
 * times, in both worlds. Down: the port's gates close both ways, so the flows over its link stop (their
 * messages wait, as TCP's would, and go on when it returns); the control plane takes the link down
 * (its `linkDown`: on the storage port, the remote plexes whose path crosses it fall out of sync, or go
 * offline as a volume's last current copies, whose pods then wait), and the model takes the same plexes out
 * of their volumes, which go on degraded on the others, as on a node failure. Up: the gates reopen, the
 * control plane brings the link back (`linkUp`, told what the model wrote meanwhile) and the model follows
 * it, as on a node's return: copies current again rejoin, the others resync at the rate the platform gave
 * them. Pods with workloads follow the platform (stopped while their volume had no reachable copy, started
 * again when it is back). On diy the plexes are the block store's copies, which the control plane does not
 * know: the model alone takes out the copies whose legs cross the link (they start at the acting primary:
 * a downed storage link of the primary's node takes its replicas out, one of a replica's node that replica)
 * and brings them back to recover what was written meanwhile; the platform is told for its own plexes.
 */
import type { LoadedClusterScenario, ScenarioFault } from '../../bench/scenario/load.js';
import type { ClusterState } from '../domain/cluster-state.js';
import { localAdmin } from '../domain/tenancy.js';
import { AnvilError } from '../errors.js';
import { refreshVolumes, type AssembledCluster, type BuiltVolume } from './assemble.js';
import { portKey } from './assemble-network.js';
import type { FaultRecord } from './fault-records.js';
import type { PodMoves } from './pod-moves.js';
import type { ScenarioPlacement } from './placement.js';

/** The link fault events. */
export const LINK_FAULTS: readonly string[] = ['link-down', 'link-up'];

/** True for `link-down` and `link-up`. */
export function isLinkFault(f: ScenarioFault): boolean {
  return LINK_FAULTS.includes(f.event);
}

/** Refuses a link fault on a port its node's profile does not have, naming the ports it has. */
export function checkLinkFaults(s: LoadedClusterScenario, state: ClusterState): void {
  const problems: string[] = [];
  for (const f of s.faults) {
    if (!isLinkFault(f)) continue;
    const ports = state.nodes.get(f.node)?.inventory.nic_ports.map((p) => p.name) ?? [];
    if (f.port === undefined || !ports.includes(f.port))
      problems.push(
        `/faults: ${f.event} of ${f.node} port ${f.port ?? '(none)'}: node ${f.node} has no such NIC port; its ports: ${ports.join(', ') || 'none'}`,
      );
  }
  if (problems.length > 0) throw new AnvilError('ANVIL_ERR_CLUSTER_SCENARIO', `${s.file} names NIC ports its nodes do not have`, problems);
}

/** The pods' side of the faults and the volumes' outages, from the node faults' code (faults.ts). */
export interface LinkFaultFollowers {
  readonly pods: PodMoves;
  /** Volume outages opened or closed at `now` by `cause`. */
  readonly outages: (now: number, cause: string) => void;
}

/**
 * Schedules the link faults of `faults` on the model and the control plane (the others are left to their
 * own code); the records go into `records` as they fire.
 */
export function scheduleLinkFaults(
  faults: readonly ScenarioFault[],
  placement: ScenarioPlacement,
  built: AssembledCluster,
  records: FaultRecord[],
  followers: LinkFaultFollowers,
): void {
  const store = placement.store;
  const actor = localAdmin('scenario');
  const platformPlex = (key: string, node: string) => store.read((st) => st.volumes.get(key)?.plexes.find((p) => p.node === node));
  // diy: a copy whose node went down while its link was down stays out (node-up brings it back).
  const nodeDown = (node: string) => store.read((st) => st.nodes.get(node)?.status.state === 'down');
  // diy: the copies each downed link took out, to bring back when it returns: `node/port` -> [volume, plex].
  const takenOut = new Map<string, { key: string; plex: number }[]>();
  for (const f of faults) {
    if (!isLinkFault(f)) continue;
    const key = portKey(f.node, f.port!);
    const port = built.network.ports.get(key)!;
    const target = `nodes/${f.node}`;
    built.model.at(f.at_ns, () => {
      const now = built.model.sim.now;
      const plexes: string[] = [];
      if (f.event === 'link-down') {
        port.txGate.close();
        port.rxGate.close();
        store.change(actor, 'fail links', target, (cp) => cp.linkDown(f.node, f.port!));
        // The model takes out what the platform cut: each plex it holds live that the platform no longer has in sync.
        for (const [volume, v] of built.volumes) {
          if (v.plexesOf !== 'platform') continue;
          v.plexNodes.forEach((node, plex) => {
            const state = platformPlex(volume, node)?.state;
            if ((state === 'out-of-sync' || state === 'offline') && v.handle.volume.state[plex] !== 'offline') {
              v.handle.fail(plex);
              plexes.push(`${volume}#${plex}`);
            }
          });
        }
        const copies = port === built.network.storagePortOf(f.node) ? copiesCut(built, f.node) : [];
        for (const c of copies) built.volumes.get(c.key)!.handle.fail(c.plex);
        takenOut.set(key, copies);
        plexes.push(...copies.map((c) => `${c.key}#${c.plex}`));
      } else {
        port.txGate.reopen();
        port.rxGate.reopen();
        const fraction = dirtyFractions(built);
        store.change(actor, 'recover links', target, (cp) => cp.linkUp(f.node, f.port!, (volume) => fraction.get(volume) ?? 0));
        plexes.push(...followPlatform(built, platformPlex));
        const back = (takenOut.get(key) ?? []).filter((c) => {
          const v = built.volumes.get(c.key)!;
          return v.handle.volume.state[c.plex] === 'offline' && !nodeDown(v.plexNodes[c.plex]!);
        });
        for (const c of back) built.volumes.get(c.key)!.handle.recover(c.plex);
        takenOut.delete(key);
        plexes.push(...back.map((c) => `${c.key}#${c.plex}`));
      }
      // diy: the acting primary may have moved (its jobs follow); then the pods follow the platform.
      refreshVolumes(built);
      const followed = followers.pods.follow(followers.pods.pods, now);
      followers.outages(now, `${f.event} ${f.node}/${f.port!}`);
      records.push({
        at_ns: f.at_ns,
        event: f.event,
        node: f.node,
        port: f.port!,
        plexes,
        ...(followed.moved.length > 0 ? { moved: followed.moved } : {}),
        ...(followed.stopped.length > 0 ? { stopped: followed.stopped } : {}),
        ...(followed.restarted.length > 0 ? { restarted: followed.restarted } : {}),
      });
    });
  }
}

/** diy: the live copies whose legs cross `node`'s storage link (legs start at the acting primary's node). */
function copiesCut(built: AssembledCluster, node: string): { key: string; plex: number }[] {
  const cut: { key: string; plex: number }[] = [];
  for (const [key, v] of built.volumes) {
    if (v.plexesOf !== 'block-store') continue;
    const client = v.legsFrom();
    v.plexNodes.forEach((n, plex) => {
      if (n !== client && (client === node || n === node) && v.handle.volume.state[plex] !== 'offline') cut.push({ key, plex });
    });
  }
  return cut;
}

/** The fraction of volume `v` plex `plex` missed while it was behind: its dirty blocks' bytes (the last block only as far as the volume goes) over the volume's size, 0..1. */
export function dirtyFraction(v: BuiltVolume, plex: number): number {
  const volume = v.handle.volume;
  return Math.min(volume.capacity_bytes, volume.map.dirtyCount[plex]! * volume.block_bytes) / volume.capacity_bytes;
}

/** Per volume, what fraction of it its most behind offline plex missed (dirty bytes over the volume's size). */
function dirtyFractions(built: AssembledCluster): Map<string, number> {
  const fraction = new Map<string, number>();
  for (const [key, v] of built.volumes) {
    const volume = v.handle.volume;
    volume.state.forEach((st, plex) => {
      if (st === 'offline') fraction.set(key, Math.max(fraction.get(key) ?? 0, dirtyFraction(v, plex)));
    });
  }
  return fraction;
}

/**
 * The model brings back each offline plex the platform brought back: a current copy rejoins at once when
 * the volume has no other in the model (it took no write meanwhile), a resyncing one copies at the rate the
 * platform gave it. Returns `TENANT/NAME#PLEX` of each.
 */
function followPlatform(
  built: AssembledCluster,
  platformPlex: (
    key: string,
    node: string,
  ) => { readonly state: string; readonly resync?: { readonly rate_bytes_per_s: number } } | undefined,
): string[] {
  const back: string[] = [];
  const offline = [...built.volumes].flatMap(([key, v]) =>
    v.plexesOf !== 'platform'
      ? []
      : v.plexNodes.flatMap((node, plex) => (v.handle.volume.state[plex] === 'offline' ? [{ key, v, node, plex }] : [])),
  );
  // A volume with every plex out took no write since: each plex the platform has in sync again is current.
  const allOut = new Set([...built.volumes].filter(([, v]) => v.handle.volume.state.every((st) => st === 'offline')).map(([key]) => key));
  for (const p of offline) {
    const platform = platformPlex(p.key, p.node);
    if (platform?.state === 'in-sync' && allOut.has(p.key)) p.v.handle.rejoin(p.plex);
    else if (platform?.state === 'resyncing') p.v.handle.recover(p.plex, false, platform.resync!.rate_bytes_per_s);
    else continue;
    back.push(`${p.key}#${p.plex}`);
  }
  return back;
}

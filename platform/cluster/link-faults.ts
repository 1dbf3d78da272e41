/**
 * A scenario's link faults, `link-down` and `link-up` of one NIC port of a node, at their simulated
 * times. Down: the port's gates close both ways, so the flows over its link stop (their messages wait,
 * as TCP's would, and go on when it returns); and a remote plex whose leg crosses it (the storage port of
 * the pod's node or of the plex's node) leaves its volume, which goes on degraded on the others, as on a
 * node failure. Up: the gates reopen and the plexes this fault took out resync what was written meanwhile.
 * The control plane is not told (it has no link state); the model alone tracks these plexes. On diy the
 * plexes are the block store's copies and their legs start at the acting primary: a downed storage link of
 * the primary's node takes its replicas out, one of a replica's node that replica.
 */
import type { LoadedClusterScenario, ScenarioFault } from '../../bench/scenario/load.js';
import type { ClusterState } from '../domain/cluster-state.js';
import { AnvilError } from '../errors.js';
import type { AssembledCluster } from './assemble.js';
import { portKey } from './assemble-network.js';
import type { FaultRecord } from './fault-records.js';
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

/**
 * Schedules the link faults of `faults` on the model (the others are left to their own code); the
 * records go into `records` as they fire.
 */
export function scheduleLinkFaults(
  faults: readonly ScenarioFault[],
  placement: ScenarioPlacement,
  built: AssembledCluster,
  records: FaultRecord[],
): void {
  // A plex whose node went down while its link was down stays out: node-up brings it back.
  const nodeDown = (node: string) => placement.store.read((st) => st.nodes.get(node)?.status.state === 'down');
  // Plexes each downed link took out, to bring back when it returns: `node/port` -> [volume, plex].
  const takenOut = new Map<string, { key: string; plex: number }[]>();
  for (const f of faults) {
    if (!isLinkFault(f)) continue;
    const key = portKey(f.node, f.port!);
    const port = built.network.ports.get(key)!;
    built.model.at(f.at_ns, () => {
      let plexes: { key: string; plex: number }[] = [];
      if (f.event === 'link-down') {
        port.txGate.close();
        port.rxGate.close();
        if (port === built.network.storagePortOf(f.node)) {
          for (const [volume, v] of built.volumes) {
            // Legs start at the pod's node now (hci) or at the acting primary's (diy).
            const client = v.legsFrom();
            v.plexNodes.forEach((node, plex) => {
              const remote = node !== client;
              if (remote && (client === f.node || node === f.node) && v.handle.volume.state[plex] !== 'offline') {
                v.handle.fail(plex);
                plexes.push({ key: volume, plex });
              }
            });
          }
        }
        takenOut.set(key, plexes);
      } else {
        port.txGate.reopen();
        port.rxGate.reopen();
        plexes = (takenOut.get(key) ?? []).filter((p) => {
          const v = built.volumes.get(p.key)!;
          return v.handle.volume.state[p.plex] === 'offline' && !nodeDown(v.plexNodes[p.plex]!);
        });
        for (const p of plexes) built.volumes.get(p.key)!.handle.recover(p.plex);
        takenOut.delete(key);
      }
      for (const v of built.volumes.values()) v.refresh();
      const record: FaultRecord = {
        at_ns: f.at_ns,
        event: f.event,
        node: f.node,
        port: f.port!,
        plexes: plexes.map((p) => `${p.key}#${p.plex}`),
      };
      records.push(record);
    });
  }
}

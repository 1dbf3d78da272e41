/**
 * The model of a placed scenario on the do-it-yourself stack (`diy`): the same hardware and the same
 * placement as the appliance (the control plane places pods and volumes alike), but every volume is a
 * replicated block store volume in Ceph's style (sim/stacks/diy/sds.ts): its primary copy on the pod's
 * node, the other copies on other nodes' drives, a write acknowledged when every copy has it, a read served
 * by the primary; the daemons charge the host CPU of each node that holds a copy, per I/O, as the stack
 * coefficient file says. No storage QoS: the drives serve every copy first come, first served, and a
 * volume whose tier has a maximum gets a limit-only throttle (no minimum).
 *
 * Copies: replication from the coefficient file, on distinct drives, other nodes first (Ceph's host
 * failure domain), then other drives of the same nodes (a small cluster's osd failure domain); a cluster
 * with fewer drives than copies keeps as many copies as it has drives, and the run says so.
 *
 * The network (assemble-network.ts) is built on the same host CPUs: the pods' overlay endpoints and the
 * scenario's flows, and each replica leg crosses the primary's and the replica's storage ports and the
 * switch (the write data out, the acknowledgement back), so replication takes link bandwidth and queues
 * behind other traffic there. The block store's hop (half the host round trip) stays on the leg as the
 * host stacks' time; the links add serialisation and queueing on top (a few microseconds unloaded).
 *
 * Faults (faults.ts): the copy that leads (the acting primary, whose daemon takes the client's I/O and sends
 * it on to the others) is the first copy in sync, as Ceph's acting set leads with its first up-to-date OSD;
 * when it moves, the copies' legs are rebuilt from the new primary and the jobs re-routed to it, across the
 * storage ports when the pod is on another node (as it is after a move). A returning copy recovers its
 * dirty blocks at sds_recovery_mib_per_s with at most sds_recovery_max_active copies in flight, beside the
 * client's I/O on the same drives (no QoS).
 */
import type { DeviceProfile } from '../../bench/profiles.js';
import type { LoadedClusterScenario } from '../../bench/scenario/load.js';
import { parseDuration } from '../../sim/core/units.js';
import { Model } from '../../sim/model/model.js';
import type { PlexSpec } from '../../sim/storage/build.js';
import type { ResyncDone } from '../../sim/storage/resync.js';
import type { StackCoefficients } from '../../sim/stacks/coefficient-schema.js';
import type { DeviceQd1, SdsPath } from '../../sim/stacks/diy/sds.js';
import { StackBuilder, stackTerms } from '../../sim/stacks/diy/stack.js';
import type { ClusterState } from '../domain/cluster-state.js';
import { keyOf } from '../domain/volume.js';
import { addDriveDevices, driveDevice } from './drive-devices.js';
import {
  buildVolumeOnModel,
  volumeDevice,
  withinScenario,
  type AssembledCluster,
  type BuiltVolume,
  type JobRoute,
  type PodJob,
} from './assemble.js';
import { assembleNetwork } from './assemble-network.js';
import { addNodeCpus, type ApplicationLoads } from './node-cpu.js';

/** What was built: the cluster's parts, and the stack builder whose host CPUs the storage charges. */
export interface AssembledDiy extends AssembledCluster {
  readonly stack: StackBuilder;
  readonly applications: ApplicationLoads;
}

/** Bytes in a mebibyte. */
const MIB = 1024 * 1024;

/** A copy's place: node, drive index, offset on the drive, bytes. */
interface CopyPlace {
  readonly node: string;
  readonly drive: number;
  readonly offset_bytes: number;
}

/** The drive's published QD1 latencies, if its profile has them (the block store's software time is what is left). */
function deviceQd1(profile: DeviceProfile): DeviceQd1 | undefined {
  const sheet = (profile.params as { datasheet?: { read_latency_qd1?: { value: unknown }; write_latency_qd1?: { value: unknown } } })
    .datasheet;
  const read = sheet?.read_latency_qd1?.value;
  const write = sheet?.write_latency_qd1?.value;
  const ns = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' ? parseDuration(v) : undefined);
  const read_ns = ns(read);
  const write_ns = ns(write);
  return read_ns !== undefined && write_ns !== undefined ? { read_ns, write_ns } : undefined;
}

/**
 * Builds the diy model of the placed state. `onInSync` is told when the model has recovered the copy of
 * volume `volume` (`TENANT/NAME`) on node `node` (the control plane's plex there follows, if it has one).
 */
export function assembleDiy(
  s: LoadedClusterScenario,
  state: ClusterState,
  coefficients: StackCoefficients,
  onInSync?: (volume: string, node: string, done: ResyncDone) => void,
): AssembledDiy {
  const model = new Model(s.seed, s.interval_ns);
  const notes: string[] = [];
  // Devices: the same drives as hci, nodes in the control plane's order.
  const { drives, profiles } = addDriveDevices(model, state, notes);
  const qd1 = new Map([...profiles].map(([device, p]) => [device, deviceQd1(p)] as const));
  const nodeOrder = [...drives.keys()];
  const driveCount = [...drives.values()].reduce((n, d) => n + d.length, 0);
  const wanted = coefficients.diy.sds_replication.value;
  const copies = Math.min(wanted, driveCount);
  if (copies < wanted)
    notes.push(
      `note: ${s.file}: the diy block store keeps ${wanted} copies of every block (sds_replication) on distinct drives; this cluster has ${driveCount} drive(s), so each volume keeps ${copies}`,
    );
  const base = stackTerms(coefficients, 'diy');
  const stack = new StackBuilder(model, { ...base, sds: { ...base.sds!, replication: copies } });
  const applications = addNodeCpus(model, stack, state, s.duration_ns);
  const network = assembleNetwork(model, state, coefficients, stack, s.flows, { end_ns: s.duration_ns, measureFrom_ns: s.warmup_ns });
  notes.push(...network.notes);
  const volumeSlot = new Map([...state.volumes.keys()].map((key, i) => [key, i] as const));
  const recovery_bytes_per_s = coefficients.diy.sds_recovery_mib_per_s.value * MIB;

  /** Where a volume's copies go: the primary on the pod's node, then other nodes, then other drives. */
  const placeCopies = (key: string, home: string): CopyPlace[] => {
    const v = state.volumes.get(key)!;
    const plexAt = (node: string, drive?: number) => v.plexes.find((p) => p.node === node && (drive === undefined || p.drive === drive));
    const homePlex = plexAt(home) ?? v.plexes[0]!;
    const homeDrives = drives.get(home)!.length;
    const primary: CopyPlace = { node: home, drive: homePlex.drive % homeDrives, offset_bytes: homePlex.offset_bytes };
    const places = [primary];
    const taken = new Set([`${home}#${primary.drive}`]);
    const start = nodeOrder.indexOf(home);
    const rotated = nodeOrder.map((_, i) => nodeOrder[(start + i) % nodeOrder.length]!);
    // Other nodes first (the drive index of the primary, or the volume's plex there), then any free drive.
    const candidates: [string, number][] = [
      ...rotated.slice(1).map((n): [string, number] => [n, plexAt(n)?.drive ?? primary.drive % drives.get(n)!.length]),
      ...rotated.flatMap((n) => drives.get(n)!.map((_, d): [string, number] => [n, d])),
    ];
    for (const [node, drive] of candidates) {
      if (places.length >= copies) break;
      if (taken.has(`${node}#${drive}`)) continue;
      taken.add(`${node}#${drive}`);
      const capacity = model.device(driveDevice(node, drive)).instance.capacity_bytes;
      // The control plane's extent where it put a plex there; else the primary's, if it fits on this drive.
      const offset = plexAt(node, drive)?.offset_bytes ?? primary.offset_bytes;
      places.push({ node, drive, offset_bytes: offset + v.size_bytes <= capacity ? offset : 0 });
    }
    return places;
  };

  // Volumes: a block store path per volume used by a running pod's workload, copies as placed above.
  const podNode = new Map<string, string>();
  for (const pod of state.pods.values())
    if (pod.status.state === 'running') for (const v of pod.volumes) podNode.set(keyOf(pod.namespace, v), pod.status.node);
  const builtVolumes = new Map<string, BuiltVolume>();
  const buildVolume = (key: string): JobRoute => {
    const known = builtVolumes.get(key);
    if (known) return known.route();
    const v = state.volumes.get(key)!;
    const home = podNode.get(key) ?? v.plexes[0]!.node;
    const places = placeCopies(key, home);
    const slot = volumeSlot.get(key)!;
    // A path per copy that leads (the acting primary), made when it first does: its daemon's stations, its drive's software time.
    const paths = new Map<number, SdsPath>();
    const pathOf = (copy: number): SdsPath => {
      let path = paths.get(copy);
      if (!path) {
        const c = places[copy]!;
        path = stack.sdsPath(c.node, qd1.get(driveDevice(c.node, c.drive)));
        paths.set(copy, path);
      }
      return path;
    };
    // The copies as the acting primary `lead` writes them: its own copy on its drive, each other a replica
    // leg (hop, daemon CPU and time, drive, hop back).
    const legsFrom = (lead: number): PlexSpec[] => {
      const from = places[lead]!.node;
      const path = pathOf(lead);
      return places.map((c, i) => {
        const device = driveDevice(c.node, c.drive);
        if (i === lead) return { device, offset_bytes: c.offset_bytes };
        const leg = path.replicaLeg(stack.cpuOf(c.node));
        // Another node's copy: over both storage ports and the switch; another drive of the same node: no wire.
        const wire = c.node === from ? undefined : network.storageLeg(from, c.node, slot, false);
        return {
          device,
          offset_bytes: c.offset_bytes,
          via: [...(wire?.via ?? []), ...leg.out],
          back: [...leg.back, ...(wire?.back ?? [])],
          ...(wire ? { copy_via: wire.copyVia, copy_back: wire.copyBack } : {}),
        };
      });
    };
    let lead = 0;
    let client = home;
    const handle = buildVolumeOnModel(model, s.file, key, v.size_bytes, {
      plexes: legsFrom(lead),
      // Recovery (Ceph's: the objects written while the copy was away) at the coefficient file's pace.
      resync_bytes_per_s: recovery_bytes_per_s,
      resync_max_outstanding: coefficients.diy.sds_recovery_max_active.value,
      onInSync: (done: ResyncDone) => {
        onInSync?.(key, places[done.plex]!.node, done);
        self.refresh(); // called in the run, once `self` is made
      },
    });
    // A tier's maximum is the only cap; no tier gives a minimum here.
    const max_iops = state.perfTiers.get(v.perf_tier)?.max_storage_iops;
    const limit = max_iops !== undefined && max_iops > 0 ? [stack.limit({ max_iops })] : [];
    // The client's I/O to the acting primary's daemon and back; from another node over both storage ports
    // and the switch, through their links' gates: while either link is down the I/O waits (the client
    // resends until the path is back, as Ceph's does), no copy leaves for it.
    const routeOf = (): JobRoute => {
      const path = pathOf(lead);
      const at = places[lead]!.node;
      if (client === at) return { via: [...limit, ...path.front], after: path.back };
      const wire = network.storageLeg(client, at, slot, false);
      const c = network.storagePortOf(client);
      const t = network.storagePortOf(at);
      return {
        via: [...limit, c.txGate, t.rxGate, ...wire.via, ...path.front],
        after: [...path.back, t.txGate, c.rxGate, ...wire.back],
      };
    };
    let route = routeOf();
    const listeners: (() => void)[] = [];
    const self: BuiltVolume = {
      handle,
      plexNodes: places.map((c) => c.node),
      plexDrives: places.map((c) => c.drive),
      plexesOf: 'block-store',
      legsFrom: () => places[lead]!.node,
      primary: () => lead,
      useFrom(node) {
        client = node;
        route = routeOf();
        return route;
      },
      route: () => route,
      refresh() {
        // The acting primary: the first copy in sync (Ceph's acting set leads with its first up-to-date
        // OSD); with none in sync the volume is out and the lead stays where it was.
        const first = handle.volume.state.indexOf('in-sync');
        if (first < 0 || first === lead) return;
        lead = first;
        handle.moveTo(legsFrom(lead));
        route = routeOf();
        for (const listener of listeners) listener();
      },
      watch: (listener) => void listeners.push(listener),
    };
    builtVolumes.set(key, self);
    return route;
  };

  // Jobs: one per workload job clone of a running pod, labelled as on hci.
  const jobs = new Map<string, PodJob[]>();
  s.workloads.forEach((w, index) => {
    const pod = state.pods.get(w.pod);
    if (!pod || pod.status.state !== 'running') {
      notes.push(`note: ${s.file}: ${w.path}: pod ${w.pod} is pending: its workload on ${w.volume} does not run`);
      return;
    }
    const { via, after } = buildVolume(w.volume);
    const labels = { pod: w.pod, volume: w.volume, tenant: pod.namespace, node: pod.status.node };
    const podJobs = jobs.get(w.pod) ?? [];
    jobs.set(w.pod, podJobs);
    for (const spec of w.specs) {
      const name = `${w.pod}/${w.volume}/${index}/${spec.name}/${spec.clone}`;
      const job = model.addJob({
        spec: withinScenario(spec, s.warmup_ns, s.duration_ns),
        device: volumeDevice(w.volume),
        name,
        labels,
        via,
        after,
      });
      podJobs.push({ job, volume: w.volume, name, labels });
    }
  });
  return { model, notes, drives, qos: new Map(), volumes: builtVolumes, jobs, network, stack, applications };
}

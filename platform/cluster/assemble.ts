/**
 * The model of a placed scenario on the appliance stack (`hci`): per node one NVMe device per drive of its
 * node profile, per drive a storage QoS (mClock) whose clients are the volumes with a plex there (each
 * volume's reservation is what its running pods reserved for it), per volume a mirrored volume whose plexes
 * sit where the control plane put them (node, drive, offset; a plex on another node than the pod's is a
 * remote leg over both nodes' storage ports and the switch plus the target's term: assemble-network.ts,
 * which also builds the NICs and the scenario's flows), and per workload of a running pod
 * one labelled job on its volume (or straight on its one plex's drive, below). Random streams are named after the components, so the same scenario and
 * seed give the same run.
 */
import type { LoadedClusterScenario } from '../../bench/scenario/load.js';
import type { Station } from '../../sim/io/requests.js';
import { Model, type JobPlacement, type Labels } from '../../sim/model/model.js';
import { storageQos, type QosRoute, type StorageQos, type StorageSchedulerKind } from '../../sim/qos/storage-qos.js';
import { MAX_BLOCKS } from '../../sim/storage/block-map.js';
import { mirroredVolume, type MirroredVolumeHandle, type MirroredVolumeSpec, type PlexSpec } from '../../sim/storage/build.js';
import type { ResyncDone } from '../../sim/storage/resync.js';
import type { StackCoefficients } from '../../sim/stacks/coefficient-schema.js';
import type { JobGenerator } from '../../sim/workload/job-generator.js';
import { StackBuilder, stackTerms } from '../../sim/stacks/diy/stack.js';
import type { WorkloadSpec } from '../../sim/workload/spec.js';
import type { ClusterState } from '../domain/cluster-state.js';
import type { Pod } from '../domain/pod.js';
import { DEFAULT_STORAGE_WEIGHT } from '../domain/perf-tier.js';
import { resyncRateBytesPerS } from '../domain/resync.js';
import { keyOf, type PlexPlacement } from '../domain/volume.js';
import { AnvilError } from '../errors.js';
import { addDriveDevices, driveDevice } from './drive-devices.js';
import { assembleNetwork, type AssembledNetwork } from './assemble-network.js';

/** A remote plex's fixed NVMe over Ethernet delays, none: its leg's link and target stations carry them. */
const REMOTE_OVER_LINKS = Object.freeze({ fabric_rtt_ns: 0, target_ns: 0 });

/** A local plex's leg: no network. */
const LOCAL_LEG = Object.freeze({ via: [], back: [], copyVia: [], copyBack: [] });

/** The storage QoS client of a drive's resync copies. */
const RESYNC_CLIENT = 'resync';

/** What was built, for the summary: the model and what was said on the way. */
export interface AssembledCluster {
  readonly model: Model;
  /** `note: ...` lines (a drive profile that fell back to the default, a workload of a pending pod). */
  readonly notes: readonly string[];
  /** Model device names per node, in drive order. */
  readonly drives: ReadonlyMap<string, readonly string[]>;
  /** The storage QoS of each drive that holds a plex, by model device name. */
  readonly qos: ReadonlyMap<string, StorageQos>;
  /** The volumes built (those a running pod's workload uses), by `TENANT/NAME`. */
  readonly volumes: ReadonlyMap<string, BuiltVolume>;
  /** Per running pod (`TENANT/NAME`), its workloads' jobs and the volume each runs on. */
  readonly jobs: ReadonlyMap<string, readonly PodJob[]>;
  /** NICs, switch, flows (assemble-network.ts); remote plexes' legs cross its storage ports. */
  readonly network: AssembledNetwork;
  /** The stack's host CPUs (the pods' own network stacks charge them). */
  readonly stack: StackBuilder;
}

/** A pod's workload job on the model: the generator, its volume, and its name and labels in the model. */
export interface PodJob {
  readonly job: JobGenerator;
  readonly volume: string;
  readonly name: string;
  readonly labels: Labels;
}

/** The stations a job's I/O takes before its volume and after it (none on hci: the volume's legs carry everything). */
export interface JobRoute {
  readonly via: readonly Station[];
  readonly after: readonly Station[];
}

/** No stations around the volume. */
const NO_ROUTE: JobRoute = Object.freeze({ via: [], after: [] });

/**
 * A volume on the model: its handle, and each plex's node and drive index in the model's plex order. On
 * hci its plexes are the control plane's and their legs start at the pod's node; on diy they are the block
 * store's copies (assemble-diy.ts), which the control plane does not know, and their legs start at the
 * acting primary's node.
 */
export interface BuiltVolume {
  readonly handle: MirroredVolumeHandle;
  readonly plexNodes: readonly string[];
  readonly plexDrives: readonly number[];
  /** Whose plexes these are: the control plane's (hci), or the diy block store's copies (their states the model's alone). */
  readonly plexesOf: 'platform' | 'block-store';
  /** The node the plexes' legs start from now: hci the node its pod's I/O comes from, diy the acting primary's. */
  legsFrom(): string;
  /** The copy the block store's I/O goes through now (diy), or -1 (hci: none). */
  primary(): number;
  /** Its pod's I/O comes from `client` from now on (the pod moved or started again there); returns the jobs' route from there. */
  useFrom(client: string): JobRoute;
  /** The stations its jobs' I/O takes around the volume now. */
  route(): JobRoute;
  /**
   * After its plexes' states changed (a fault, a resync's end): diy picks the acting primary again (the first
   * copy in sync, as Ceph's acting set does) and tells `watch`'s listeners when it moved; hci does nothing.
   */
  refresh(): void;
  /** `listener` is told whenever `route()` changed without `useFrom` (diy: the acting primary moved). */
  watch(listener: () => void): void;
}

/** Every volume picks its acting primary again after a fault (diy; nothing on hci). */
export function refreshVolumes(built: AssembledCluster): void {
  for (const v of built.volumes.values()) v.refresh();
}

/** The model name of a volume (`TENANT/NAME`): jobs address it as a device. */
export function volumeDevice(volumeKey: string): string {
  return `volume/${volumeKey}`;
}

/**
 * Volume `key` (`TENANT/NAME`, `size_bytes` as the control plane gave it) built on the model, named and cut
 * into blocks the same way on both stacks; a volume the model cannot hold is the scenario's coded error.
 */
export function buildVolumeOnModel(
  model: Model,
  file: string,
  key: string,
  size_bytes: number,
  spec: Omit<MirroredVolumeSpec, 'name' | 'capacity_bytes' | 'block_bytes'>,
): MirroredVolumeHandle {
  try {
    return mirroredVolume(model, { name: volumeDevice(key), capacity_bytes: size_bytes, block_bytes: blockBytes(size_bytes), ...spec });
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new AnvilError('ANVIL_ERR_CLUSTER_MODEL', `${file}: volume ${key} cannot be built on the model: ${e.message}`);
  }
}

/** A block size that keeps a volume's block map small: 4 KiB, or the power of two that gives at most 2^18 blocks. */
function blockBytes(capacity_bytes: number): number {
  let block = 4096;
  while (capacity_bytes / block > Math.min(MAX_BLOCKS, 1 << 18)) block *= 2;
  return block;
}

/** The job as the scenario runs it: warm-up as its ramp (if longer), and over by the scenario's end. */
export function withinScenario(spec: WorkloadSpec, warmup_ns: number, duration_ns: number): WorkloadSpec {
  const ramp_ns = Math.max(spec.ramp_ns, warmup_ns);
  const left = Math.max(1, duration_ns - ramp_ns);
  const runtime_ns = spec.runtime_ns > 0 ? Math.min(spec.runtime_ns, left) : left;
  return { ...spec, ramp_ns, runtime_ns };
}

/**
 * Builds the hci model of the placed state. `onInSync` is told when the model has resynced the plex of
 * volume `volume` (`TENANT/NAME`) on node `node`. `storageScheduler` puts another scheduler behind every
 * drive's storage QoS (default mClock; `fifo`: none of the tiers' reservations, limits or weights).
 */
export function assembleHci(
  s: LoadedClusterScenario,
  state: ClusterState,
  coefficients: StackCoefficients,
  onInSync?: (volume: string, node: string, done: ResyncDone) => void,
  storageScheduler: StorageSchedulerKind = 'mclock',
): AssembledCluster {
  const model = new Model(s.seed, s.interval_ns);
  const notes: string[] = [];
  // Devices: one per drive, nodes in the control plane's order.
  const { drives } = addDriveDevices(model, state, notes);

  // Reservations: what the running pods reserved for each of their volumes.
  const running: Pod[] = [...state.pods.values()].filter((p) => p.status.state === 'running');
  const reservation = new Map<string, number>();
  for (const pod of running) {
    if (pod.status.state !== 'running') continue;
    for (const r of pod.status.volume_reservations) {
      const key = keyOf(pod.namespace, r.volume);
      reservation.set(key, (reservation.get(key) ?? 0) + r.iops);
    }
  }

  // Storage QoS per drive, clients the volumes with a plex there.
  const hci = coefficients.hci;
  const routes = new Map<string, QosRoute>();
  const qosByDrive = new Map<string, StorageQos>();
  for (const [node, devices] of drives) {
    devices.forEach((device, index) => {
      const clients = [...state.volumes.values()]
        .filter((v) => v.plexes.some((p) => p.node === node && p.drive === index))
        .map((v) => {
          const key = keyOf(v.namespace, v.name);
          const tier = state.perfTiers.get(v.perf_tier);
          const limit = tier?.max_storage_iops;
          return {
            name: key,
            reservation_iops: reservation.get(key) ?? 0,
            ...(limit !== undefined ? { limit_iops: limit } : {}),
            // Shares relative to an unweighted tier's (which, like the resync client, weighs 1).
            weight: (tier?.storage_weight ?? DEFAULT_STORAGE_WEIGHT) / DEFAULT_STORAGE_WEIGHT,
          };
        });
      if (clients.length === 0) return;
      // Resync copies to and from this drive: a client of their own, no reservation, so they take spare
      // capacity and never the reservations' (a volume key holds a '/', this name none).
      clients.push({ name: RESYNC_CLIENT, reservation_iops: 0, weight: 1 });
      try {
        const qos = storageQos(model, {
          device,
          clients,
          scheduler: storageScheduler,
          dispatch_depth: hci.qos_dispatch_depth.value,
          // The depth counted in cost units too: a neighbour's 128K writes (32 units each) cannot fill the
          // drive's queue ahead of a reserved volume's small I/Os (bench/scenarios/noisy-neighbour.yaml).
          dispatch_units: hci.qos_dispatch_depth.value,
          cost: {
            unit_bytes: hci.qos_cost_unit_bytes.value,
            per_io_bytes: hci.qos_cost_per_io_bytes.value,
            write_factor: hci.qos_write_cost_factor.value,
          },
        });
        qosByDrive.set(device, qos);
        for (const c of clients) routes.set(`${c.name}@${device}`, qos.route(c.name));
      } catch (e) {
        if (!(e instanceof RangeError)) throw e;
        throw new AnvilError('ANVIL_ERR_CLUSTER_MODEL', `${s.file}: the platform admitted more than the model can guarantee: ${e.message}`);
      }
    });
  }

  // The network: NICs, switch and the scenario's flows; remote plexes cross the storage ports.
  const stack = new StackBuilder(model, stackTerms(coefficients, 'hci'));
  const network = assembleNetwork(model, state, coefficients, stack, s.flows, { end_ns: s.duration_ns, measureFrom_ns: s.warmup_ns });
  notes.push(...network.notes);
  const volumeSlot = new Map([...state.volumes.keys()].map((key, i) => [key, i] as const));

  // Volumes: the plexes where the control plane put them, the pod's node local, the others remote
  // (command and data over the client's and the target's storage ports and the switch, then the target).
  const podNode = new Map<string, string>();
  for (const pod of running)
    if (pod.status.state === 'running') for (const v of pod.volumes) podNode.set(keyOf(pod.namespace, v), pod.status.node);
  // The leg of plex `p` of volume `key` as its I/O sees it from node `from`: local on that node, else remote.
  const plexSeenFrom = (key: string, p: PlexPlacement, from: string | undefined): PlexSpec => {
    const device = driveDevice(p.node, p.drive);
    const route = routes.get(`${key}@${device}`)!;
    const copy = routes.get(`${RESYNC_CLIENT}@${device}`)!;
    const leg = p.node === from || from === undefined ? LOCAL_LEG : network.storageLeg(from, p.node, volumeSlot.get(key)!);
    return {
      device,
      offset_bytes: p.offset_bytes,
      via: [...leg.via, ...route.via],
      back: [...route.after, ...leg.back],
      copy_via: [...leg.copyVia, ...copy.via],
      copy_back: [...copy.after, ...leg.copyBack],
      // Remote: the leg's stations carry the fabric and the target, so no fixed delays.
      ...(p.node === from ? {} : { remote: REMOTE_OVER_LINKS }),
    };
  };
  const builtVolumes = new Map<string, BuiltVolume>();
  const buildVolume = (key: string): void => {
    if (builtVolumes.has(key)) return;
    const v = state.volumes.get(key)!;
    const home = podNode.get(key);
    // Nearest first: the local plex serves reads.
    const placed = [...v.plexes].sort((a, b) => Number(b.node === home) - Number(a.node === home));
    const plexes: PlexSpec[] = placed.map((p) => plexSeenFrom(key, p, home));
    // The platform's resync bandwidth of the pod's node; a returning plex resyncs at the rate the platform gave it (faults.ts).
    const resync_bytes_per_s = resyncRateBytesPerS(state, home ?? v.plexes[0]!.node);
    const handle = buildVolumeOnModel(model, s.file, key, v.size_bytes, {
      plexes,
      resync_bytes_per_s,
      ...(onInSync ? { onInSync: (done: ResyncDone) => onInSync(key, placed[done.plex]!.node, done) } : {}),
    });
    let from = home ?? placed[0]!.node;
    builtVolumes.set(key, {
      handle,
      plexNodes: placed.map((p) => p.node),
      plexDrives: placed.map((p) => p.drive),
      plexesOf: 'platform',
      legsFrom: () => from,
      primary: () => -1,
      useFrom(client) {
        // Each plex's leg as seen from there: a plex on that node local, the others remote.
        from = client;
        handle.moveTo(placed.map((p) => plexSeenFrom(key, p, client)));
        return NO_ROUTE;
      },
      route: () => NO_ROUTE,
      refresh: () => undefined,
      watch: () => undefined,
    });
  };

  // A volume of one plex on its pod's node, in a run where nothing can change its plex (no fault, no
  // snapshot): its station adds the extent's offset and keeps block versions to prove no acknowledged write
  // is lost, which with one plex that nothing takes away cannot fail. So its jobs go straight along the
  // plex's leg with the volume's extent: the drive sees the same offsets, and
  // bench/perf/scenarios/node-1m-iops.yaml takes about 8% less CPU. The volume is still built, for its records
  // (in sync, nothing lost); its jobs are never rerouted (Model.reroute refuses a job on an extent).
  const fixedLayout = s.faults.length === 0 && s.snapshots.length === 0;
  const directLeg = (key: string): Pick<JobPlacement, 'device' | 'via' | 'after' | 'extent'> | null => {
    const v = state.volumes.get(key)!;
    const only = v.plexes.length === 1 ? v.plexes[0]! : undefined;
    if (!fixedLayout || only === undefined || only.node !== podNode.get(key)) return null;
    const leg = plexSeenFrom(key, only, only.node);
    return {
      device: leg.device,
      via: leg.via ?? [],
      after: leg.back ?? [],
      extent: { offset_bytes: only.offset_bytes, size_bytes: v.size_bytes },
    };
  };

  // Jobs: one per workload job clone of a running pod, labelled with where it runs.
  const jobs = new Map<string, PodJob[]>();
  s.workloads.forEach((w, index) => {
    const pod = state.pods.get(w.pod);
    if (!pod || pod.status.state !== 'running') {
      notes.push(`note: ${s.file}: ${w.path}: pod ${w.pod} is pending: its workload on ${w.volume} does not run`);
      return;
    }
    buildVolume(w.volume);
    const labels = { pod: w.pod, volume: w.volume, tenant: pod.namespace, node: pod.status.node };
    const podJobs = jobs.get(w.pod) ?? [];
    jobs.set(w.pod, podJobs);
    const direct = directLeg(w.volume);
    for (const spec of w.specs) {
      const name = `${w.pod}/${w.volume}/${index}/${spec.name}/${spec.clone}`;
      const within = withinScenario(spec, s.warmup_ns, s.duration_ns);
      const job = model.addJob(
        direct ? { spec: within, name, labels, ...direct } : { spec: within, device: volumeDevice(w.volume), name, labels },
      );
      podJobs.push({ job, volume: w.volume, name, labels });
    }
  });
  return { model, notes, drives, qos: qosByDrive, volumes: builtVolumes, jobs, network, stack };
}

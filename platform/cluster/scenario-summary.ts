/** The scenario's part of a run's results, one stack's (compare mode puts two side by side: compare.ts). */
import type { StackName } from '../../bench/scenario/schema.js';
import type { DriveUsage } from './drive-usage.js';
import type { TenantRollup, VolumeRollup } from './label-rollup.js';
import type { PortUsage } from './port-usage.js';
import type { FaultRecord, OutageRecord, PlexRecord } from './fault-records.js';
import type { NetworkSummary } from './network-summary.js';
import type { NodeCpuSummary } from './node-cpu.js';
import type { SnapshotSummary } from './snapshots.js';

/** One pod as the run saw it. */
export interface ScenarioPodSummary {
  /** `TENANT/NAME`. */
  readonly pod: string;
  /** The pod's perf tier (its endpoints' and, by default, its reservations'), so verdicts read per tier. */
  readonly tier: string;
  readonly state: 'running' | 'pending';
  readonly node?: string;
  /** Storage IOPS the platform reserved for the pod. */
  readonly reserved_iops?: number;
  /** Why the platform left it pending. */
  readonly reason?: string;
  /** Its workloads together: I/Os per second in the measurement window (reads and writes). */
  readonly iops?: number;
  /** Highest p99 completion latency of its jobs, ns, per direction (absent where none ran). */
  readonly read_clat_p99_ns?: number;
  readonly write_clat_p99_ns?: number;
  /** I/Os of its jobs that ended in an error (their volume had no plex left), where any did. */
  readonly errors?: number;
  /** Where a fault moved it (the platform's scheduler placed it again), when and from where. */
  readonly moves?: readonly { readonly at_ns: number; readonly from: string; readonly to: string }[];
  /** When a fault last stopped it and why. */
  readonly stopped?: { readonly at_ns: number; readonly reason: string };
  /** When and where the platform last placed it again after a stop (its workloads ran anew there, as jobs of their own). */
  readonly restarted?: { readonly at_ns: number; readonly node: string };
}

/** How a host run realised the scenario (`--target host` only). */
export interface HostRealisationSummary {
  /** The cgroup hierarchy whose I/O caps were used: v2 io.max or v1 blkio throttles. */
  readonly cgroup: 'v1' | 'v2';
  /** The Linux bridge the pods' namespaces were joined to (veth ports, not SR-IOV VFs). */
  readonly bridge: string;
  /** Per volume the loop device it was realised as and the caps of its pod's cgroup on it (absent: uncapped). */
  readonly volumes: readonly {
    readonly volume: string;
    readonly pod: string;
    readonly size_bytes: number;
    /** The user's own block device it ran on (`--host-device`) instead of a loop device; borrowed, never wiped or removed. */
    readonly device?: string;
    readonly caps?: { readonly riops?: number; readonly wiops?: number; readonly rbps?: number; readonly wbps?: number };
    /** The cap, 4K-equivalent IOPS, and where it comes from: the tier's maximum, or the node's capacity less the others' reservations. */
    readonly cap_iops?: number;
    readonly cap_from?: 'tier' | 'neighbours';
  }[];
  /** How guarantees are kept on a host: Linux caps I/O, it has no floors. */
  readonly guarantee: string;
  /** The ToR bridge every node's uplink joins, and per node its segment bridge and uplink (the segment's end). */
  readonly tor?: string;
  readonly segments?: readonly {
    readonly node: string;
    readonly bridge: string;
    readonly uplink: string;
    readonly link_bits_per_s: number;
  }[];
  /** VLAN ids realised with bridge VLAN filtering (absent: none). */
  readonly vlans?: readonly number[];
  /** What the run left out while the rest ran, each with its code and the kernel features it lacks (host-shortfalls.ts). */
  readonly shortfalls?: readonly {
    readonly item: string;
    readonly code: string;
    readonly missing: readonly string[];
    readonly effect: string;
  }[];
  /** The whole machine over the workloads (/proc/stat): cores busy, and cores in softirq. */
  readonly machine?: { readonly busy_cores: number; readonly softirq_cores: number };
  /** What the run bounded or left out (the notes it printed). */
  readonly notes: readonly string[];
}

/** The scenario's part of the results (summary.json's anvil.scenario, and anvil_scenario in JSON on stdout). */
export interface ScenarioSummary {
  readonly file: string;
  readonly name: string;
  readonly stack: StackName;
  readonly seed: number;
  readonly duration_ns: number;
  readonly warmup_ns: number;
  readonly pods_running: number;
  readonly pods_pending: number;
  readonly pods: readonly ScenarioPodSummary[];
  /** The scheduler behind hci's storage QoS where it is not mClock (anvil run --storage-scheduler fifo). */
  readonly storage_scheduler?: string;
  /** Per tenant and per volume with workloads (each volume with its perf tier), their jobs together in the window: IOPS, bandwidth and p99 per direction (label-rollup.ts). */
  readonly tenants: readonly TenantRollup[];
  readonly volumes: readonly VolumeRollup[];
  /** The faults as they fired, and each modelled plex's end state (with its resyncs); on diy the block store's copies (`copy` set). */
  readonly faults: readonly FaultRecord[];
  readonly plexes: readonly PlexRecord[];
  /** Where the scenario takes snapshots: each as the platform took (or refused) it, and per volume its copy-on-write count. */
  readonly snapshots?: SnapshotSummary;
  /** Per drive with plexes (hci) or copies (diy): I/Os a second, busy fraction and, on hci, what its storage QoS sent it (drive-usage.ts). */
  readonly drives: readonly DriveUsage[];
  /** Where the scenario has faults: times volumes had no plex in sync, and pods were down (to their restart or the run's end). */
  readonly outages?: { readonly volumes: readonly OutageRecord[]; readonly pods: readonly OutageRecord[] };
  /** Per flow its delivered bandwidth, per link its utilisation (network-summary.ts). */
  readonly network: NetworkSummary;
  /** Every NIC port of every node: utilisation and VFs in use of the port's VFs (port-usage.ts). */
  readonly ports: readonly PortUsage[];
  /** Per node, the host CPU the applications and the infrastructure (storage, network) used (hci: no infrastructure). */
  readonly nodes: readonly NodeCpuSummary[];
  /** A host run's realisation (`--target host`); absent on the model. */
  readonly host?: HostRealisationSummary;
}

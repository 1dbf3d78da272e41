/**
 * What the host realiser builds for a placed scenario, as plain data (no control-plane types, so bench
 * stays below the platform): per pod its address and its egress class, per volume its backing file size
 * and cgroup caps. Names are derived from the run's id so a leftover is recognisable (`anvilh-ID-...`)
 * and every Linux name fits its limit (an interface name is at most 15 characters).
 */

/** Per pod: where it sits on the bridge and what the platform allocated it. */
export interface HostPodPlan {
  /** `TENANT/NAME`. */
  readonly key: string;
  /** Index in `HostPlan.nodes` of the node the platform placed it on (its segment). */
  readonly node: number;
  /** IPv4 address the platform allocated, without prefix. */
  readonly ip: string;
  /** Prefix length of its network's subnet. */
  readonly prefix: number;
  /** MAC the platform allocated. */
  readonly mac: string;
  /** Its tier's guaranteed bandwidth, bits/s (HTB rate; 0: best effort). */
  readonly rate_bits_per_s: number;
  /** Its tier's maximum, or the link's rate, bits/s (HTB ceil). */
  readonly ceil_bits_per_s: number;
}

/** Caps on one device for one cgroup (cgroup v2 io.max's keys); a missing key is no cap. */
export interface IoCaps {
  readonly riops?: number;
  readonly wiops?: number;
  /** Bytes per second. */
  readonly rbps?: number;
  readonly wbps?: number;
}

/** Per volume: its backing file and, where its tier has a maximum, the caps of the pod using it. */
export interface HostVolumePlan {
  /** `TENANT/NAME`. */
  readonly key: string;
  /** `TENANT/NAME` of the pod whose cgroup does its I/O. */
  readonly pod: string;
  /** Size of the sparse backing file, bytes (already bounded by the caller). */
  readonly size_bytes: number;
  readonly caps?: IoCaps;
  /** The cap in 4K-equivalent IOPS (reads and writes together) that `caps` was made from. */
  readonly cap_iops?: number;
  /** Where it comes from: the tier's maximum, or the node's capacity less the other volumes' reservations. */
  readonly cap_from?: 'tier' | 'neighbours';
  /**
   * Where more than one plex on its pod's node is realised: the nodes (indices into `HostPlan.nodes`) of its
   * plexes, in the control plane's order. Two or more make an md RAID1 mirror; a plex on another
   * node than its pod's is exported there over NVMe/TCP. Absent: one loop device on its pod's node.
   */
  readonly plexes?: readonly number[];
  /**
   * The user's own block device for it (`--host-device`), instead of a loop device: borrowed, never wiped,
   * detached or removed; checked before anything is made (borrowed-device.ts). `size_bytes` is then the
   * volume's own size, which the device must hold.
   */
  readonly device?: string;
}

/**
 * Per node: a network segment of its own (a bridge its pods' veths join) whose uplink, a veth pair into
 * the run's ToR bridge, is shaped to the node's pods NIC speed in each direction, so flows between nodes
 * cross the "ToR" at the node's line rate and flows within a node stay on its bridge.
 */
export interface HostNodePlan {
  readonly name: string;
  /** The node's pods port speed, bits/s: its uplink's shaping and the ceiling of its pods' ports. */
  readonly link_bits_per_s: number;
  /** The port's name in the node profile (pod0): the link-down/link-up faults and the ports table name it. */
  readonly port: string;
}

/** A VLAN the plan tags a network's pods with (bridge VLAN filtering: untagged pod ports, tagged uplinks). */
export interface HostVlanPlan {
  readonly vid: number;
  /** Keys of the pods on that network. */
  readonly pods: readonly string[];
}

/**
 * Pods on SR-IOV virtual functions (`--sriov-pf`) instead of veths: per node (index in `HostPlan.nodes`) the
 * physical function whose VFs its pods get (sriov.ts).
 */
export interface HostSriovPlan {
  readonly pfs: readonly string[];
  /** Where sysfs lists network devices (/sys/class/net; a test's fake tree). */
  readonly sysClassNet?: string;
}

export interface HostPlan {
  /** 6 hex characters, unique per run. */
  readonly runId: string;
  readonly nodes: readonly HostNodePlan[];
  /** VLANs to realise (only where the kernel has 802.1Q; empty otherwise). */
  readonly vlans?: readonly HostVlanPlan[];
  readonly pods: readonly HostPodPlan[];
  readonly volumes: readonly HostVolumePlan[];
  /** Folder for the loop devices' backing files (created, removed at the end). */
  readonly workDir: string;
  /** Devices the user lets fio write over although they carry a file system or partition table (`--destroy-data-on`). */
  readonly destroyDataOn?: readonly string[];
  /** Pods on VFs of these PFs instead of veths on the bridges (`--sriov-pf`). */
  readonly sriov?: HostSriovPlan;
}

/** Names of one pod's pieces. */
export interface PodNames {
  readonly netns: string;
  /** Host end of its veth, a port of the bridge. */
  readonly hostVeth: string;
  /** Pod end before it moves into the namespace and is renamed eth0. */
  readonly podVeth: string;
  /** Its cgroup, relative to a hierarchy's root. */
  readonly cgroup: string;
}

/** The run's cgroup parent, relative to a hierarchy's root. */
export function runCgroup(runId: string): string {
  return `anvil-${runId}`;
}

/** Node `index`'s segment bridge (`anvbrID` for the first node, as one-node runs always named it). */
export function bridgeName(runId: string, index = 0): string {
  return index === 0 ? `anvbr${runId}` : `anvbr${runId}n${index}`;
}

/** The run's ToR bridge, which every node's uplink joins. */
export function torName(runId: string): string {
  return `anvbr${runId}t`;
}

/** Node `index`'s uplink: the end on its segment (its NIC's transmit side) and the end on the ToR. */
export function uplinkNames(runId: string, index: number): { readonly node: string; readonly tor: string } {
  return { node: `anv${runId}u${index}`, tor: `anv${runId}t${index}` };
}

/** Most nodes one host run realises (names keep 2 digits; each is a bridge and two veths). */
export const MAX_HOST_NODES = 16;

export function podNames(runId: string, index: number): PodNames {
  return {
    netns: `anvilh-${runId}-p${index}`,
    hostVeth: `anv${runId}h${index}`,
    podVeth: `anv${runId}p${index}`,
    cgroup: `${runCgroup(runId)}/p${index}`,
  };
}

/** Most times one pod is made anew on another node in a run (its names keep one digit for it). */
export const MAX_POD_MOVES = 9;

/** Pod `index` made anew (its `move`-th time, 1 to MAX_POD_MOVES) on another node: names of its own, as recognisable. */
export function podMoveNames(runId: string, index: number, move: number): PodNames {
  return {
    netns: `anvilh-${runId}-p${index}m${move}`,
    hostVeth: `anv${runId}m${index}x${move}`,
    podVeth: `anv${runId}q${index}x${move}`,
    cgroup: `${runCgroup(runId)}/p${index}m${move}`,
  };
}

/** Most pods one host run realises: interface names keep 3 digits, and a host is one machine. */
export const MAX_HOST_PODS = 250;

/** HTB class ids on a pod's port: 1:1 the link, 1:(10+i) the sending pod i, 1:9 everything else (ARP). */
export const HTB_LINK_CLASS = '1:1';
export const HTB_DEFAULT_MINOR = 9;
export function htbPodClass(index: number): string {
  return `1:${(10 + index).toString(16)}`;
}

/** HTB wants a positive rate: a best-effort class guarantees this little, bits/s. */
export const HTB_MIN_RATE_BITS_PER_S = 8_000;

/** A rate as tc reads it: whole bits per second ("300000000bit"). */
export function tcRate(bits_per_s: number): string {
  return `${Math.max(1, Math.round(bits_per_s))}bit`;
}

/**
 * A tier's storage maximum (4K-equivalent IOPS, reads and writes together, as the model's limit counts
 * them) as Linux caps, which count reads and writes apart: split by the volume's workload read
 * fraction (a pure read or write workload gets the whole cap in its direction), and bytes at 4 KiB per
 * unit, so a 128K I/O counts as 32 as the model's linear cost does.
 */
export function tierIoCaps(max_iops: number, readFraction: number): IoCaps {
  const unit_bytes = 4096;
  const reads = readFraction >= 1 ? max_iops : readFraction <= 0 ? max_iops : Math.max(1, Math.round(max_iops * readFraction));
  const writes = readFraction >= 1 ? max_iops : readFraction <= 0 ? max_iops : Math.max(1, Math.round(max_iops * (1 - readFraction)));
  return { riops: reads, wiops: writes, rbps: reads * unit_bytes, wbps: writes * unit_bytes };
}

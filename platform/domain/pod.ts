/**
 * Pods as the control plane sees them: what they ask for (CPU, memory, endpoints on networks with a perf
 * tier, volumes, node selectors, tolerations) and where they are: pending with the scheduler's reasons,
 * or running on a node with their endpoints bound (VF, MAC, IP).
 */

/** One requested pod interface. */
export interface EndpointRequest {
  readonly network: string;
  readonly perf_tier: string;
  /** A pinned IP (a static endpoint); otherwise the lowest free address of the range. */
  readonly ip?: string;
  /** A persistent endpoint of the pod's namespace: its IP and MAC are used. */
  readonly endpoint?: string;
}

/** A pod interface once bound: a VF of a pods port, a stable MAC and an IP. */
export interface BoundEndpoint {
  readonly network: string;
  readonly perf_tier: string;
  readonly port: string;
  readonly vf: number;
  readonly mac: string;
  readonly ip: string;
  readonly static: boolean;
  /** The persistent endpoint bound, if any. */
  readonly endpoint?: string;
}

/**
 * Why the scheduler left a pod where it is: a summary over every node, and the reason of each of the
 * first `STORED_NODE_REASONS` nodes (`anvil describe` works out every node's reason afresh).
 */
export interface SchedulingFailure {
  readonly summary: string;
  readonly nodes: readonly { readonly node: string; readonly reason: string }[];
}

/** Per-node reasons kept with a pending pod: enough to read, small enough at 5,000 nodes. */
export const STORED_NODE_REASONS = 20;

export type PodStatus =
  | { readonly state: 'pending'; readonly failure: SchedulingFailure }
  | {
      readonly state: 'running';
      readonly node: string;
      readonly endpoints: readonly BoundEndpoint[];
      /** Guarantees reserved on the node for this pod. */
      readonly reserved_iops: number;
      /**
       * What `reserved_iops` takes of the node's guaranteeable IOPS, when its tiers price their I/O apart
       * from the node's reference load (4K 70/30); absent: `reserved_iops` itself.
       */
      readonly admitted_iops?: number;
      readonly reserved_bandwidth_bits_per_s: number;
      /** `reserved_iops` as the pod's volumes' QoS clients get it (`volumeReservations`); empty for a pod without volumes. */
      readonly volume_reservations: readonly VolumeReservation[];
    };

/** The storage IOPS guaranteed to one volume of a running pod: what the model's QoS gives that volume's client. */
export interface VolumeReservation {
  readonly volume: string;
  readonly iops: number;
}

/**
 * The pod's IOPS reservation split over its volumes: each volume gets its own tier's IOPS, plus an equal
 * share of the pod's tier's IOPS (whole IOPS, the remainder one each to the first volumes in the pod's
 * order), so the shares add up to the pod's reservation. A pod without volumes keeps its tier's IOPS as a
 * pod-wide figure: there is no volume to give them to.
 */
export function volumeReservations(
  podTierIops: number,
  volumes: readonly { readonly name: string; readonly tierIops: number }[],
): VolumeReservation[] {
  const n = volumes.length;
  if (n === 0) return [];
  const share = Math.floor(podTierIops / n);
  const remainder = podTierIops - share * n;
  return volumes.map((v, i) => ({ volume: v.name, iops: v.tierIops + share + (i < remainder ? 1 : 0) }));
}

/**
 * A running pod stored before `volume_reservations` existed: its reservation split equally over its
 * volumes (the tiers it was reserved by may have changed since).
 */
export function withVolumeReservations(pod: Pod): Pod {
  if (pod.status.state !== 'running' || (pod.status as Partial<typeof pod.status>).volume_reservations !== undefined) return pod;
  const volume_reservations = volumeReservations(
    pod.status.reserved_iops,
    pod.volumes.map((name) => ({ name, tierIops: 0 })),
  );
  return { ...pod, status: { ...pod.status, volume_reservations } };
}

export interface Pod {
  readonly kind: 'Pod';
  readonly namespace: string;
  readonly name: string;
  /** The Deployment or StatefulSet that made it, if any. */
  readonly owner?: { readonly kind: string; readonly name: string };
  /** The Kubernetes pod's metadata.uid when the scheduler extender placed it: tells a retried bind of that pod from another pod of the same name. */
  readonly kube_uid?: string;
  readonly cpu_millicores: number;
  readonly memory_bytes: number;
  /** The pod's tier: its storage IOPS guarantee. */
  readonly perf_tier: string;
  readonly endpoints: readonly EndpointRequest[];
  /** Names of volumes in the pod's namespace. */
  readonly volumes: readonly string[];
  readonly node_selector: Readonly<Record<string, string>>;
  /**
   * The MAC and IP of each endpoint, fixed at the first binding and kept while the pod exists (like a
   * VM's): a pod moved by a drain comes back with the same addresses, and its IPs stay reserved while it waits.
   */
  readonly addresses?: readonly { readonly network: string; readonly ip: string; readonly mac: string }[];
  /** Taint keys the pod tolerates ("*" tolerates all). */
  readonly tolerations: readonly string[];
  readonly status: PodStatus;
  readonly created_at: string;
  /** Creation order in the cluster: pending pods are retried oldest first. */
  readonly seq: number;
}

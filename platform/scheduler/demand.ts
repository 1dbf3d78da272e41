/** What a pod asks of a node, in the scheduler's terms. */

export interface PodDemand {
  readonly cpu_millicores: number;
  readonly memory_bytes: number;
  /** One VF per endpoint. */
  readonly vfs: number;
  /** Zone every node must be in to reach all of the pod's networks; undefined: any; null: networks in different zones, none reaches all. */
  readonly zone: string | undefined | null;
  /** Guarantees to reserve on the node. */
  readonly iops: number;
  /**
   * When the pod's tiers price their I/O apart from the node's reference load: per node index, what `iops`
   * takes of that node's guaranteeable IOPS (`iopsOn`). Absent: `iops` on every node.
   */
  readonly iopsPerNode?: Float64Array;
  readonly bandwidth_bits_per_s: number;
  /** Per endpoint (one VF each, in order), the bandwidth to reserve on the pod port carrying its VF, bit/s. */
  readonly endpoint_bandwidths_bits_per_s: readonly number[];
  /** Per volume, the node indexes holding its plexes (a local controller there, a remote one elsewhere). */
  readonly volumePlexNodes: readonly (readonly number[])[];
  /** Label pairs the node must carry. */
  readonly nodeSelector: readonly (readonly [string, string])[];
  /** Taint keys tolerated; "*" tolerates all. */
  readonly tolerations: readonly string[];
}

/** What demand `d` takes of node `i`'s guaranteeable IOPS. */
export function iopsOn(d: PodDemand, i: number): number {
  return d.iopsPerNode ? d.iopsPerNode[i]! : d.iops;
}

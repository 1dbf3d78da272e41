/**
 * What a namespace quota is: the limits it sets, stored one per namespace. The checks and the usage they
 * count are quota.ts; this module imports nothing, so the cluster state can hold quotas without a cycle.
 */

/** The limits a quota can set; each is optional (no limit). */
export interface QuotaLimits {
  readonly pods?: number;
  readonly volumes?: number;
  /** Bytes the namespace's volumes take on the nodes: size × mirrors, summed. */
  readonly capacity_bytes?: number;
  /** Guaranteed storage IOPS of the namespace's pods (their tiers and their volumes' tiers), summed. */
  readonly iops?: number;
  /** Guaranteed network bandwidth of the namespace's pods' endpoints, bit/s, summed. */
  readonly bandwidth_bits_per_s?: number;
}

export const QUOTA_RESOURCES = ['pods', 'volumes', 'capacity_bytes', 'iops', 'bandwidth_bits_per_s'] as const;
export type QuotaResource = (typeof QUOTA_RESOURCES)[number];

/** Stored one per namespace, named after it. */
export interface Quota extends QuotaLimits {
  readonly kind: 'Quota';
  readonly namespace: string;
  readonly name: string;
  readonly set_at: string;
}

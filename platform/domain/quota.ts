/**
 * Namespace quotas, in the spirit of Kubernetes' ResourceQuota: a cluster admin caps what one namespace
 * may hold (pods, volumes, the capacity its volumes' plexes take, the storage IOPS and network bandwidth
 * its pods are guaranteed). Every create and grow checks the namespace's quota before it stores anything;
 * a limit left out is no limit. Lowering a limit below what is used stops new objects, as in Kubernetes.
 * This file holds the objects; quota-service.ts counts usage and checks and sets quotas.
 */
import { formatBits, formatBytesBinary, formatCount } from './quantity.js';
import { QUOTA_RESOURCES, type Quota, type QuotaLimits, type QuotaResource } from './quota-limits.js';

// The quota object itself is quota-limits.ts (cluster-state.ts imports it without importing the checks back).
export { QUOTA_RESOURCES, type Quota, type QuotaLimits, type QuotaResource };

export type QuotaUsage = Record<QuotaResource, number>;

/** A quota as `get quotas` shows it: its limits and what the namespace uses now. */
export interface QuotaView extends Quota {
  readonly used: QuotaUsage;
}

export const zeroUsage = (): QuotaUsage => ({ pods: 0, volumes: 0, capacity_bytes: 0, iops: 0, bandwidth_bits_per_s: 0 });

/** What one volume counts: one volume and its size on every plex. */
export function volumeCharge(size_bytes: number, plexes: number): QuotaUsage {
  return { ...zeroUsage(), volumes: 1, capacity_bytes: size_bytes * plexes };
}

/** Adds `charge` to `into`. */
export function addUsage(into: QuotaUsage, charge: Partial<QuotaUsage>): void {
  for (const r of QUOTA_RESOURCES) into[r] += charge[r] ?? 0;
}

export const QUOTA_FORMAT: Record<QuotaResource, (n: number) => string> = {
  pods: String,
  volumes: String,
  capacity_bytes: formatBytesBinary,
  iops: formatCount,
  bandwidth_bits_per_s: formatBits,
};

/** A limit or usage figure as the CLI shows it. */
export function formatQuotaFigure(resource: QuotaResource, n: number | undefined): string {
  return n === undefined ? '-' : QUOTA_FORMAT[resource](n);
}

/**
 * Performance tiers: named QoS classes with a guaranteed minimum of storage IOPS and network bandwidth,
 * and optional maximums. The appliance ships three and allows eight in all.
 */
import { AnvilError } from '../errors.js';
import { BANDWIDTH_RANGE, checkRange, IOPS_RANGE } from './limits.js';

export interface PerfTier {
  readonly kind: 'PerfTier';
  readonly name: string;
  /** Guaranteed storage IOPS (a minimum) reserved on the node for each pod of this tier. */
  readonly storage_iops: number;
  /** Guaranteed network bandwidth, bits per second, reserved per endpoint of this tier. */
  readonly network_bandwidth_bits_per_s: number;
  /** Caps, when set: recorded, not enforced yet (neither the model nor the host caps a pod at them). */
  readonly max_storage_iops?: number;
  readonly max_network_bandwidth_bits_per_s?: number;
  /** Shipped with the appliance: may not be deleted. */
  readonly builtin: boolean;
}

/** A perf tier as reads (`get`, the API) show it: saying that its maximums are recorded, not enforced. */
export interface PerfTierView extends PerfTier {
  readonly maximums_enforced: false;
}

/** The view, keys in the order the API's serializer writes them (required fields first), so both print alike. */
export function perfTierView(t: PerfTier): PerfTierView {
  const { max_storage_iops, max_network_bandwidth_bits_per_s, ...required } = t;
  return {
    ...required,
    maximums_enforced: false,
    ...(max_storage_iops !== undefined ? { max_storage_iops } : {}),
    ...(max_network_bandwidth_bits_per_s !== undefined ? { max_network_bandwidth_bits_per_s } : {}),
  };
}

/** Most tiers a cluster may have (Quick Start Guide: three predefined, "up to a total of eight"). */
export const MAX_PERF_TIERS = 8;

/** The tier of a pod or volume that names none. */
export const DEFAULT_PERF_TIER = 'best-effort';

/** The appliance's built-in tiers (bootcamp `dctl perf-tier list` on v2.4.0, 2020). */
export const BUILTIN_PERF_TIERS: readonly PerfTier[] = [
  { kind: 'PerfTier', name: 'best-effort', storage_iops: 0, network_bandwidth_bits_per_s: 0, builtin: true },
  { kind: 'PerfTier', name: 'medium', storage_iops: 5_000, network_bandwidth_bits_per_s: 125e6, builtin: true },
  { kind: 'PerfTier', name: 'high', storage_iops: 20_000, network_bandwidth_bits_per_s: 500e6, builtin: true },
];

/** Checks that every figure is in its range and that maximums are not below minimums. */
export function checkPerfTier(tier: PerfTier): void {
  const at = `perf tier ${tier.name}`;
  checkRange(tier.storage_iops, `${at}: storage_iops (--storage-iops)`, IOPS_RANGE);
  checkRange(tier.network_bandwidth_bits_per_s, `${at}: network_bandwidth_bits_per_s (--network-bandwidth)`, BANDWIDTH_RANGE, false);
  if (tier.max_storage_iops !== undefined) checkRange(tier.max_storage_iops, `${at}: max_storage_iops (--max-storage-iops)`, IOPS_RANGE);
  if (tier.max_network_bandwidth_bits_per_s !== undefined)
    checkRange(
      tier.max_network_bandwidth_bits_per_s,
      `${at}: max_network_bandwidth_bits_per_s (--max-network-bandwidth)`,
      BANDWIDTH_RANGE,
      false,
    );
  if (tier.max_storage_iops !== undefined && tier.max_storage_iops < tier.storage_iops) {
    throw new AnvilError(
      'ANVIL_ERR_FIELD_INVALID',
      `perf tier ${tier.name}: --max-storage-iops ${tier.max_storage_iops} is below --storage-iops ${tier.storage_iops}`,
    );
  }
  if (tier.max_network_bandwidth_bits_per_s !== undefined && tier.max_network_bandwidth_bits_per_s < tier.network_bandwidth_bits_per_s) {
    throw new AnvilError('ANVIL_ERR_FIELD_INVALID', `perf tier ${tier.name}: --max-network-bandwidth is below --network-bandwidth`);
  }
}

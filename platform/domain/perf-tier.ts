/**
 * Performance tiers: named QoS classes with a guaranteed minimum of storage IOPS and network bandwidth,
 * and optional maximums. The appliance ships three and allows eight in all.
 */
import { IO_SIZE_SOURCE, parseSize } from '../../sim/core/units.js';
import { AnvilError } from '../errors.js';
import { DEFAULT_TIER_LOAD, type TierLoad } from './drive-guarantee.js';
import { BANDWIDTH_RANGE, checkRange, IOPS_RANGE, type NumericRange } from './limits.js';

export interface PerfTier {
  readonly kind: 'PerfTier';
  readonly name: string;
  /** Guaranteed storage IOPS (a minimum) reserved on the node for each pod of this tier. */
  readonly storage_iops: number;
  /** Guaranteed network bandwidth, bits per second, reserved per endpoint of this tier. */
  readonly network_bandwidth_bits_per_s: number;
  /** Caps, when set: the model enforces them in scenario runs (storage QoS limit, VF maximum); on a host they are recorded only. */
  readonly max_storage_iops?: number;
  readonly max_network_bandwidth_bits_per_s?: number;
  /**
   * The I/O the storage guarantee is priced at, when the tier names one (else `DEFAULT_TIER_LOAD`, 4K 70/30):
   * its size in bytes and the fraction of reads. Admission counts `storage_iops` against what the node's
   * drives keep at that I/O (drive-guarantee.ts); a pod that writes more, or larger I/Os, than its tier says
   * may miss its guarantee.
   */
  readonly io_size_bytes?: number;
  readonly read_fraction?: number;
  /**
   * Shares of a drive's spare capacity (what the reservations leave) for each volume of this tier, in
   * mClock's weight phase: a volume gets spare I/O in proportion to its shares. Absent: `DEFAULT_STORAGE_WEIGHT`.
   */
  readonly storage_weight?: number;
  /** Shipped with the appliance: may not be deleted. */
  readonly builtin: boolean;
}

/** A perf tier as reads (`get`, the API) show it: saying that its maximums are recorded, not enforced. */
export interface PerfTierView extends PerfTier {
  readonly maximums_enforced: false;
}

/** The view, keys in the order the API's serializer writes them (required fields first), so both print alike. */
export function perfTierView(t: PerfTier): PerfTierView {
  const { max_storage_iops, max_network_bandwidth_bits_per_s, io_size_bytes, read_fraction, storage_weight, ...required } = t;
  return {
    ...required,
    maximums_enforced: false,
    ...(max_storage_iops !== undefined ? { max_storage_iops } : {}),
    ...(max_network_bandwidth_bits_per_s !== undefined ? { max_network_bandwidth_bits_per_s } : {}),
    ...(io_size_bytes !== undefined ? { io_size_bytes } : {}),
    ...(read_fraction !== undefined ? { read_fraction } : {}),
    ...(storage_weight !== undefined ? { storage_weight } : {}),
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

/** Sizes a tier's I/O may name, bytes: 512 B to 16 MiB. */
export const TIER_IO_SIZE_RANGE: NumericRange = { min: 512, max: 16 * 2 ** 20, unit: 'bytes' };

/** A tier's I/O size as fio writes block sizes ("4k" = 4096 bytes, "128k", "1m", or bytes). */
export function tierIoSizeBytes(text: string, field = '--io-size'): number {
  const v = new RegExp(IO_SIZE_SOURCE).test(text) ? parseSize(text.trim()) : undefined;
  if (v === undefined || !Number.isInteger(v))
    throw new AnvilError(
      'ANVIL_ERR_FIELD_INVALID',
      `${field} "${text}" is not an I/O size; write e.g. 4k, 8k or 128k (binary, as fio's bs)`,
    );
  return v;
}

/** A tier's fraction of reads, 0 to 1 ("0.7"), or a percentage ("70%"). */
export function readFractionOf(text: string, field = '--read-fraction'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  if (!m) throw new AnvilError('ANVIL_ERR_FIELD_INVALID', `${field} "${text}" is not a fraction; write e.g. 0.7 or 70%`);
  return m[2] === '%' ? Number(m[1]) / 100 : Number(m[1]);
}

/** A tier's fraction of reads. */
export const READ_FRACTION_RANGE: NumericRange = { min: 0, max: 1, unit: '' };

/**
 * A volume's shares of spare drive capacity when its tier names none: vSphere's "Normal" disk shares
 * (VMware vSphere Resource Management, "Disk I/O shares": Low 500, Normal 1000, High 2000), so a tier
 * written as High or Low in that scale gets twice or half what an unweighted one gets.
 */
export const DEFAULT_STORAGE_WEIGHT = 1000;

/** Shares a tier may name: 1 to 100,000 (a ratio of 1e5 between two tiers is more than any scheduler resolves). */
export const STORAGE_WEIGHT_RANGE: NumericRange = { min: 1, max: 100_000, unit: 'shares' };

/** A tier's shares as written on the command line: a whole number ("2000", "2k" is not taken: shares are counted, not sized). */
export function storageWeightOf(text: string, field = '--storage-weight'): number {
  if (!/^\s*\d+\s*$/.test(text))
    throw new AnvilError('ANVIL_ERR_FIELD_INVALID', `${field} "${text}" is not a whole number of shares; write e.g. 2000`);
  return Number(text.trim());
}

/** The I/O a tier's guarantee is priced at: its own, or the default 4K 70/30. */
export function tierLoad(tier: Pick<PerfTier, 'io_size_bytes' | 'read_fraction'>): TierLoad {
  return {
    io_size_bytes: tier.io_size_bytes ?? DEFAULT_TIER_LOAD.io_size_bytes,
    read_fraction: tier.read_fraction ?? DEFAULT_TIER_LOAD.read_fraction,
  };
}

/** Checks that every figure is in its range and that maximums are not below minimums. */
export function checkPerfTier(tier: PerfTier): void {
  const at = `perf tier ${tier.name}`;
  if (tier.io_size_bytes !== undefined) checkRange(tier.io_size_bytes, `${at}: io_size_bytes (--io-size)`, TIER_IO_SIZE_RANGE);
  if (tier.read_fraction !== undefined)
    checkRange(tier.read_fraction, `${at}: read_fraction (--read-fraction)`, READ_FRACTION_RANGE, false);
  if (tier.storage_weight !== undefined) checkRange(tier.storage_weight, `${at}: storage_weight (--storage-weight)`, STORAGE_WEIGHT_RANGE);
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

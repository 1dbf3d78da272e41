/**
 * Ranges of the control plane's numeric fields. Each maximum is far above any real appliance (so it never
 * gets in the way) and far below 2^53 (so every value stays an exact integer and every sum of them too);
 * the API schemas, node profiles and the domain checks all read them from here.
 */
import { AnvilError } from '../errors.js';

export interface NumericRange {
  readonly min: number;
  readonly max: number;
  /** The unit the value is in, for messages: "IOPS", "bytes", "bit/s". */
  readonly unit: string;
}

/** Guaranteed or capped storage IOPS of a perf tier or a node: 0 to 100 million. */
export const IOPS_RANGE: NumericRange = { min: 0, max: 100_000_000, unit: 'IOPS' };
/** Guaranteed or capped network bandwidth of a perf tier, a node or a NIC port: 0 to 10 Tbit/s. */
export const BANDWIDTH_RANGE: NumericRange = { min: 0, max: 10e12, unit: 'bit/s' };
/** A volume's size: 1 MiB to 1 PiB. */
export const VOLUME_SIZE_RANGE: NumericRange = { min: 2 ** 20, max: 2 ** 50, unit: 'bytes' };
/** A drive's capacity in a node profile: 1 MiB to 1 PiB. */
export const DRIVE_CAPACITY_RANGE: NumericRange = { min: 2 ** 20, max: 2 ** 50, unit: 'bytes' };
/** CPU of a pod or a node: up to 10,000 cores. */
export const CPU_MILLICORES_RANGE: NumericRange = { min: 0, max: 10_000_000, unit: 'millicores' };
/** Memory of a pod or a node: up to 1 PiB. */
export const MEMORY_RANGE: NumericRange = { min: 0, max: 2 ** 50, unit: 'bytes' };
/** Counts in a node profile (pods, volumes, storage controllers per node). */
/** How many events one listing may ask for (CLI `--limit` and API `?limit=`). */
export const EVENT_LIMIT_RANGE: NumericRange = { min: 1, max: 9_999, unit: 'events' };
/** How many audit rows one listing may ask for (CLI `--limit` and API `?limit=`). */
export const AUDIT_LIMIT_RANGE: NumericRange = { min: 1, max: 99_999, unit: 'rows' };
/** `?limit=` of a list page: 1..9,999 objects (kubectl's --chunk-size is 500 by default). */
export const PAGE_LIMIT_RANGE: NumericRange = { min: 1, max: 9_999, unit: 'objects' };
export const NODE_COUNT_RANGE: NumericRange = { min: 0, max: 100_000, unit: '' };

/** "0 to 100000000 IOPS": a range as messages and schema descriptions write it. */
export function rangeText(range: NumericRange): string {
  return `${range.min} to ${range.max}${range.unit ? ` ${range.unit}` : ''}`;
}

/**
 * Throws ANVIL_ERR_FIELD_INVALID naming `field` and the allowed range unless `value` is a finite number
 * in `range` (and a whole number when `integer`).
 */
export function checkRange(value: number, field: string, range: NumericRange, integer = true): void {
  const ok = Number.isFinite(value) && value >= range.min && value <= range.max && (!integer || Number.isInteger(value));
  if (!ok)
    throw new AnvilError(
      'ANVIL_ERR_FIELD_INVALID',
      `${field}: ${value} is out of range, allowed: ${integer ? 'a whole number from ' : ''}${rangeText(range)}`,
    );
}

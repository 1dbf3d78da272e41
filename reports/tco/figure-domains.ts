/**
 * The values each catalogue figure can take, so a scenario override (or a catalogue edit) outside them
 * is an error naming the figure and what is allowed instead of a report built on nonsense.
 */
import type { FigureId } from './figures.js';
import { MAX_FIGURE_VALUE } from './catalogue-schema.js';

export interface FigureDomain {
  readonly min: number;
  /** True when `min` itself is not allowed. */
  readonly exclusiveMin?: boolean;
  readonly max?: number;
  readonly integer?: boolean;
  /** What is allowed, in words, for error messages. */
  readonly text: string;
}

const nonNegative: FigureDomain = { min: 0, max: MAX_FIGURE_VALUE, text: 'a number from 0 to 1e12' };
const positive: FigureDomain = { min: 0, exclusiveMin: true, max: MAX_FIGURE_VALUE, text: 'a number > 0 and <= 1e12' };
const fraction: FigureDomain = { min: 0, max: 1, text: 'a fraction from 0 to 1' };
const usableFraction: FigureDomain = { min: 0, exclusiveMin: true, max: 1, text: 'a fraction > 0 and <= 1' };
const count: FigureDomain = { min: 1, max: 1_000_000, integer: true, text: 'a whole number from 1 to 1000000' };
const atLeastOne: FigureDomain = { min: 1, max: MAX_FIGURE_VALUE, text: 'a number from 1 to 1e12' };

/** Figures not listed here are costs, powers, staff shares or latencies: non-negative. */
const SPECIAL: Partial<Record<FigureId, FigureDomain>> = {
  hw_support_per_year: fraction,
  lease_rate_per_year: fraction,
  oracle_support_per_year: fraction,
  commercial_db_discount: fraction,
  nic_usable_fraction: usableFraction,
  pue: atLeastOne,
  control_plane_nodes: count,
  appliance_min_nodes: count,
  diy_min_workers: count,
  sds_replication: count,
  appliance_hardware_premium: positive,
  oracle_core_factor: positive,
  servers_per_sysadmin: positive,
  appliance_node_iops_cap: positive,
  sds_cpu_us_per_client_read: positive,
  sds_cpu_us_per_replica_write: positive,
  server_power_w: positive,
};

export function figureDomain(id: FigureId): FigureDomain {
  return SPECIAL[id] ?? nonNegative;
}

export function inDomain(value: number, d: FigureDomain): boolean {
  if (!Number.isFinite(value)) return false;
  if (d.exclusiveMin ? value <= d.min : value < d.min) return false;
  if (d.max !== undefined && value > d.max) return false;
  return !d.integer || Number.isInteger(value);
}

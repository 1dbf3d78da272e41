/**
 * What one I/O costs a QoS scheduler, in units of a reference I/O (4 KiB by default), so reservations and
 * limits are "4K-equivalent IOPS" (SolidFire's cost curve is relative to 4 KB = 100) and a large I/O counts
 * as several small ones.
 *
 * One affine formula covers the two models in use:
 *   cost(size) = (size + per_io_bytes) / (unit_bytes + per_io_bytes)
 * - `per_io_bytes = 0` (the default): linear in size, cost = size / unit_bytes; a 128 KiB I/O costs 32
 *   units of 4 KiB (Linux iocost's bps term alone; SolidFire's curve is close to it above 16 KB).
 * - `per_io_bytes > 0`: a fixed part per I/O plus a part per byte. This is Ceph's mClock scheduler
 *   (cost = size + osd_bandwidth_cost_per_io, where osd_bandwidth_cost_per_io = max sequential bandwidth /
 *   max IOPS, https://docs.ceph.com/en/latest/rados/configuration/mclock-config-ref/) and the mClock
 *   paper's size scaling 1 + S / (T_m * B_peak) (Gulati et al., OSDI 2010, section 3.3), normalised so the
 *   reference I/O costs exactly 1.
 * A write costs `write_factor` times a read of its size (default 1, as in mClock and Ceph): Linux iocost's
 * linear model prices reads and writes apart (io.cost.model rbps/wbps, rrandiops/wrandiops), and a drive
 * whose 4K random writes run at a tenth of its reads (the P4510 profile: 62.5K against 645K) can only
 * guarantee write reservations priced so.
 * An I/O never costs less than `min_units` (default: nothing below a whole reference I/O is cheaper than
 * one, as 512 B I/Os cost a device about what 4K ones do).
 * A trim moves no data, only its 16-byte range descriptor (NVMe Dataset Management), so it is charged as a
 * read of TRIM_DESCRIPTOR_BYTES (the model's minimum with the default: 1 unit), never by the size it
 * trims; charged by that size, a trim of bs x num_range would eat a scheduler's unit window and budgets.
 */
import { OP_TRIM, OP_WRITE } from '../io/requests.js';

/** Parameters of the cost model. */
export interface IoCostModel {
  /** Size of the reference I/O that costs 1 unit, bytes. */
  readonly unit_bytes: number;
  /** Fixed cost per I/O, as bytes of transfer it is worth (0: linear in size). */
  readonly per_io_bytes: number;
  /** Least cost of one I/O, units. */
  readonly min_units: number;
  /** What a write costs as a multiple of a read of the same size (>= 0). */
  readonly write_factor: number;
}

/** 4 KiB reference, linear in size, at least one unit: 128 KiB costs 32. */
export const LINEAR_4K: IoCostModel = Object.freeze({ unit_bytes: 4096, per_io_bytes: 0, min_units: 1, write_factor: 1 });

/** Checks a cost model's numbers; throws a RangeError naming the field and what is allowed. */
export function checkCostModel(model: IoCostModel): IoCostModel {
  if (!(model.unit_bytes > 0) || !Number.isFinite(model.unit_bytes))
    throw new RangeError(`cost model unit_bytes must be a positive size in bytes, got ${model.unit_bytes}`);
  if (!(model.per_io_bytes >= 0) || !Number.isFinite(model.per_io_bytes))
    throw new RangeError(`cost model per_io_bytes must be bytes >= 0, got ${model.per_io_bytes}`);
  if (!(model.min_units >= 0) || !Number.isFinite(model.min_units))
    throw new RangeError(`cost model min_units must be a number of units >= 0, got ${model.min_units}`);
  if (!(model.write_factor >= 0) || !Number.isFinite(model.write_factor))
    throw new RangeError(`cost model write_factor must be a number >= 0, got ${model.write_factor}`);
  return model;
}

/** Cost of one I/O of `size_bytes` (a write when `write`), in units of the model's reference I/O. */
export function ioCostUnits(model: IoCostModel, size_bytes: number, write = false): number {
  let cost = (size_bytes + model.per_io_bytes) / (model.unit_bytes + model.per_io_bytes);
  if (cost < model.min_units) cost = model.min_units;
  return write ? cost * model.write_factor : cost;
}

/** Bytes a trim command moves per range: one NVMe Dataset Management range descriptor. */
export const TRIM_DESCRIPTOR_BYTES = 16;

/**
 * What one request of operation code `op` (OP_READ, OP_WRITE, OP_TRIM) and `size_bytes` costs a scheduler, in units: the one cost function
 * the QoS schedulers charge through. A trim costs its descriptor, not the `size_bytes` it trims.
 */
export function requestCostUnits(model: IoCostModel, op: number, size_bytes: number): number {
  if (op === OP_TRIM) return ioCostUnits(model, TRIM_DESCRIPTOR_BYTES);
  return ioCostUnits(model, size_bytes, op === OP_WRITE);
}

/**
 * The builder that puts storage QoS in front of one device of a `Model`: one mClock scheduler per device,
 * one port per client (a volume), and the completion port the scheduler needs after the device.
 *
 *   const qos = storageQos(model, { device: 'node1/nvme0', clients: [{ name: 'vol-a', reservation_iops: 20_000 }, ...] });
 *   model.addJob({ spec, ...qos.route('vol-a') });   // device, via: [port], after: [completion]
 *
 * Several jobs (fio clones, pods sharing a volume) may use one client's route: they share its queue and tags.
 * `scheduler: 'fifo'` puts a plain FIFO (fifo.ts) there instead, behind the same interface.
 */
import type { Station } from '../io/requests.js';
import type { Model } from '../model/model.js';
import { checkCostModel, LINEAR_4K, type IoCostModel } from './io-cost.js';
import { FifoScheduler } from './fifo.js';
import { checkMClockClient, DEFAULT_QUEUE_CAPACITY, MClockScheduler } from './mclock.js';

/**
 * The schedulers storage QoS can put in front of a device: `mclock` (reservation, limit, weight: the
 * appliance's) and `fifo` (arrival order, none of the three: a declared broken QoS, to show what the QoS keeps).
 */
export const STORAGE_SCHEDULERS = ['mclock', 'fifo'] as const;
export type StorageSchedulerKind = (typeof STORAGE_SCHEDULERS)[number];

/** What the cluster model reads of a storage scheduler, whichever it is. */
export interface StorageScheduler {
  /** Per client, the station to put in its routes' `via`, before the device. */
  readonly ports: readonly Station[];
  /** The station to put in every client route's `after`, right after the device. */
  readonly completion: Station;
  /** Per client, requests dispatched in mClock's reservation phase (0 under FIFO). */
  readonly reservationDispatches: Float64Array;
  /** Per client, requests dispatched in mClock's weight phase (every request under FIFO). */
  readonly weightDispatches: Float64Array;
  /** Per client, cost units dispatched. */
  readonly unitsDispatched: Float64Array;
  /** Requests outstanding at the device. */
  readonly inDevice: number;
  /** Requests waiting in `client`'s queue. */
  waiting(client: number): number;
}

/** One volume's QoS; rates in cost units per second (4K-equivalent IOPS with the default cost model). */
export interface StorageQosClient {
  /** The volume's name, unique among the clients. */
  readonly name: string;
  /** Guaranteed IOPS (the tier's reservation); 0 or absent: none. */
  readonly reservation_iops?: number;
  /** Most IOPS it may get; absent: no limit. */
  readonly limit_iops?: number;
  /** Share of spare capacity relative to the other clients; default 1. */
  readonly weight?: number;
}

export interface StorageQosParams {
  /** The device (by its model name) the clients' I/Os go to. */
  readonly device: string;
  readonly clients: readonly StorageQosClient[];
  /**
   * Most requests outstanding at the device at once; default 64. Set it near the depth at which the device
   * reaches its peak IOPS: lower wastes the device, higher lets the device's own queue reorder more.
   */
  readonly dispatch_depth?: number;
  /**
   * Most cost units outstanding at the device at once, besides `dispatch_depth` requests; default none (requests
   * alone). Set, a large I/O takes as many of the device's slots as it costs units.
   */
  readonly dispatch_units?: number;
  /** What an I/O costs; default linear in 4 KiB units (a 128K I/O costs 32). */
  readonly cost?: Partial<IoCostModel>;
  /** Requests each client's queue holds before it grows (preallocated); default 256. */
  readonly queue_capacity?: number;
  /** The scheduler; default `mclock`. `fifo` ignores reservations, limits and weights. */
  readonly scheduler?: StorageSchedulerKind;
}

/** What a job needs to go through the QoS: spread into a `JobPlacement`. */
export interface QosRoute {
  readonly device: string;
  readonly via: readonly Station[];
  readonly after: readonly Station[];
}

export interface StorageQos {
  readonly scheduler: StorageScheduler;
  /** Client names in index order (the scheduler's counters are indexed alike). */
  readonly clientNames: readonly string[];
  /** The route pieces for volume `name`'s jobs. */
  route(name: string): QosRoute;
  /** Index of volume `name` in the scheduler's counters. */
  clientIndex(name: string): number;
}

/**
 * Default `dispatch_depth`, as `hci.qos_dispatch_depth` in the stack coefficient file: a compromise to tune
 * per device. Deeper gets more of an NVMe drive's parallelism, shallower keeps a client's latency (and the
 * iodepth it needs to reach its reservation) lower.
 */
export const DEFAULT_DISPATCH_DEPTH = 64;

/**
 * Share of a drive's bottleneck that reservations may take in all (`GuaranteeLoad.utilisation`): at the very
 * peak the bottleneck's queue grows without bound. Judgement: 0.95 keeps every admitted reservation within
 * 2% in the model at 4K reads, writes and 70/30 (test/platform/cluster/admission-kept.test.ts), where the
 * drive rule is within 2% of what the model serves (sim/devices/nvme/guarantee.ts).
 */
export const GUARANTEE_UTILISATION = 0.95;

/** Builds the scheduler for `params.device` and returns each client's route pieces. */
export function storageQos(model: Model, params: StorageQosParams): StorageQos {
  const device = model.device(params.device);
  if (params.clients.length === 0) throw new RangeError(`storage QoS on "${params.device}": give at least one client`);
  const cost = checkCostModel({ ...LINEAR_4K, ...params.cost });
  const clients = params.clients.map((c) => {
    const client = { reservation_iops: c.reservation_iops ?? 0, limit_iops: c.limit_iops ?? Infinity, weight: c.weight ?? 1 };
    checkMClockClient(client, `storage QoS on "${params.device}", client "${c.name}"`);
    return client;
  });
  const names = params.clients.map((c) => c.name);
  const index = new Map<string, number>();
  names.forEach((name, i) => {
    if (index.has(name))
      throw new RangeError(`storage QoS on "${params.device}": client "${name}" is named twice; give each volume its own name`);
    index.set(name, i);
  });
  // Reservations beyond what the device can ever do at the reference size cannot all hold.
  const reserved = clients.reduce((sum, c) => sum + c.reservation_iops, 0);
  const peak = device.instance.peakIops
    ? Math.max(device.instance.peakIops('read', cost.unit_bytes), device.instance.peakIops('write', cost.unit_bytes))
    : Infinity;
  if (reserved > peak) {
    throw new RangeError(
      `storage QoS on "${params.device}": the reservations add up to ${reserved} IOPS of ${cost.unit_bytes} bytes, above the device's peak of ${peak}; admit fewer or smaller reservations`,
    );
  }
  const depth = params.dispatch_depth ?? DEFAULT_DISPATCH_DEPTH;
  const capacity = params.queue_capacity ?? DEFAULT_QUEUE_CAPACITY;
  const units = params.dispatch_units ?? Infinity;
  const scheduler: StorageScheduler =
    params.scheduler === 'fifo'
      ? new FifoScheduler(model.requests, clients.length, cost, depth, capacity, units)
      : new MClockScheduler(model.sim, model.requests, clients, cost, depth, capacity, units);
  const after = [scheduler.completion];
  const routes = scheduler.ports.map((port) => ({ device: params.device, via: [port], after }));
  const clientIndex = (name: string): number => {
    const i = index.get(name);
    if (i === undefined) throw new RangeError(`storage QoS on "${params.device}" has no client "${name}" (clients: ${names.join(', ')})`);
    return i;
  };
  return { scheduler, clientNames: names, route: (name) => routes[clientIndex(name)]!, clientIndex };
}

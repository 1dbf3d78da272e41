/**
 * The device-model interface, after fio's `ioengine_ops`: every model declares a name, an interface
 * version, its capabilities and a parameter schema, and is checked when it is registered. An instance is
 * a station: it accepts a request and forwards it along its route when the I/O is done.
 */
import type { TSchema, Static } from '@sinclair/typebox';
import type { Distribution } from '../core/distributions.js';
import type { Simulator } from '../core/kernel.js';
import type { RandomStreams } from '../core/random.js';
import type { RequestPool, Station } from '../io/requests.js';

/** Bumped when the contract below changes; registration refuses models written for another version. */
export const DEVICE_API_VERSION = 1;

/** What a device model does, declared rather than probed. */
export interface DeviceCapabilities {
  /** Acknowledges writes from a volatile or power-protected write buffer. */
  readonly writeCache: boolean;
  /** Models garbage collection and write amplification. */
  readonly garbageCollection: boolean;
  /** Accepts trim (deallocate) commands. */
  readonly trim: boolean;
  /** Service time depends on the offset (striping over parallel units, sequential detection). */
  readonly addressAware: boolean;
}

/** What a device instance is built with. */
export interface DeviceContext {
  readonly sim: Simulator;
  readonly requests: RequestPool;
  readonly streams: RandomStreams;
  /** Instance name, unique in the model ("nvme0"); random streams derive from it. */
  readonly name: string;
}

/** A device in a running model. */
export interface DeviceInstance extends Station {
  /** Usable capacity in bytes (the region jobs address when they give no `size`). */
  readonly capacity_bytes: number;
  /** Requests the device holds right now. */
  inFlight(): number;
  /**
   * For estimating a run's cost before it starts: the most I/Os of `bytes` in direction `op` the device
   * can complete per second, every job together (an upper bound, Infinity when it has none). Optional.
   */
  peakIops?(op: 'read' | 'write', bytes: number): number;
  /** For estimating a run's cost: the least time one I/O of `bytes` in direction `op` takes, ns (0 when it can be instant). Optional. */
  minLatency_ns?(op: 'read' | 'write', bytes: number): number;
  /**
   * When the device is nothing but one FIFO server (it serves each request for a time drawn from one
   * distribution, in arrival order, and passes it on), that distribution; the model may then run a lone
   * job on it without the kernel's heap (sim/workload/single-server-loop.ts). Optional.
   */
  singleServer?(): Distribution | null;
  /**
   * For utilisation: simulated time, ns, from the start until `now_ns` during which the device had at least one
   * host I/O in service (iostat's %util; background work such as a flush to the media not counted). Optional.
   */
  busyTime_ns?(now_ns: number): number;
  /** For run bounds and reports: host I/Os the device has completed since the start. Optional. */
  readonly completedIos?: number;
}

/** What a drive's guarantee is asked for (`DeviceKind.guaranteedIops`). */
export interface GuaranteeLoad {
  /** Size of each I/O, bytes. */
  readonly size_bytes: number;
  /** Fraction of I/Os that are reads, 0..1. */
  readonly readFraction: number;
  /** Requests outstanding at the device at most (the storage QoS's dispatch depth). */
  readonly depth: number;
  /** Share of the bottleneck's capacity a guarantee may take, (0, 1]. */
  readonly utilisation: number;
}

/** A registered kind of device (`queue`, `nvme`, `null`). */
export interface DeviceKind<S extends TSchema = TSchema> {
  readonly name: string;
  readonly version: number;
  readonly description: string;
  readonly capabilities: DeviceCapabilities;
  /** Parameters a profile of this kind gives: type, validation, defaults and help text in one schema. */
  readonly schema: S;
  create(params: Static<S>, context: DeviceContext): DeviceInstance;
  /** Usable capacity in bytes of the device `create` would build from `params`, read from them without building one. */
  capacityOf(params: Static<S>): number;
  /**
   * I/Os a second of `load`'s size and mix a device built from `params` keeps with `load.depth` outstanding,
   * computed from the parameters without running the model (admission counts reservations against it).
   * Optional: a kind without it has no guarantee the control plane can count on.
   */
  guaranteedIops?(params: Static<S>, load: GuaranteeLoad): number;
}

/**
 * Each kind of its own schema, held as a kind of some schema: its parameters come only from a profile
 * checked against that schema (bench/profiles.ts), which pairs them with the kind (`DeviceProfile<S>`).
 */
const registry = new Map<string, DeviceKind>();

/** Adds a device kind, refusing one written for another interface version or missing its parts. */
export function registerDevice<S extends TSchema>(kind: DeviceKind<S>): void {
  if (kind.version !== DEVICE_API_VERSION) {
    throw new Error(`device kind "${kind.name}" implements interface version ${kind.version}; this build needs ${DEVICE_API_VERSION}`);
  }
  if (typeof kind.create !== 'function' || typeof kind.capacityOf !== 'function' || !kind.schema || !kind.capabilities) {
    throw new Error(`device kind "${kind.name}" lacks create(), capacityOf(), schema or capabilities`);
  }
  if (registry.has(kind.name)) throw new Error(`device kind "${kind.name}" is registered twice`);
  registry.set(kind.name, kind);
}

/** The registered kind called `name`, or undefined. */
export function deviceKind(name: string): DeviceKind | undefined {
  return registry.get(name);
}

/** Names of the registered kinds, sorted. */
export function deviceKinds(): string[] {
  return [...registry.keys()].sort();
}

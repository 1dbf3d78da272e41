/**
 * A node's host CPU: its cores as one c-server resource that every consumer on the node charges work
 * to (the applications' own threads, the storage daemon per I/O, the network stack per packet), so what
 * the infrastructure spends is taken from what the applications get.
 *
 * Discipline: first come, first served over `cores` identical servers (an M/G/c FIFO queue), each piece
 * of work held by the earliest free core until done. Chosen over processor sharing because the finish
 * time of a charge is known the moment it arrives (one kernel event per charge, no rescheduling of every
 * job in service at each arrival, nothing allocated), and because the pieces are short against the
 * scheduler's time slice (Linux CFS: 0.75-3 ms granularity; a 4K Ceph write is ~0.3 ms of CPU per copy,
 * a packet ~1 us), so a core runs each to its end much as FIFO does. Application work should be offered
 * in slices no longer than that (see `CpuLoad`). Throughput and utilisation are the same under both
 * disciplines (both are work-conserving); only the spread of single waits differs.
 *
 * Accounting is per class (application, storage, network): busy time and charges are counted when the
 * work is accepted, so a run's report can say how many core-seconds went to apps and to infrastructure.
 */
import { EarliestFree } from './earliest-free.js';

/** Classes of work a node's CPU is charged with. */
export const CPU_APPLICATION = 0;
export const CPU_STORAGE = 1;
export const CPU_NETWORK = 2;
export type CpuClass = typeof CPU_APPLICATION | typeof CPU_STORAGE | typeof CPU_NETWORK;
/** Names of the classes, by index, as a report writes them. */
export const CPU_CLASS_NAMES = ['application', 'storage', 'network'] as const;

export class HostCpu {
  /** CPU time charged per class (index: `CPU_APPLICATION`...), ns of one core. */
  readonly busy_ns = new Float64Array(CPU_CLASS_NAMES.length);
  /** Pieces of work charged per class. */
  readonly charges = new Float64Array(CPU_CLASS_NAMES.length);
  /** When the work of the latest `reserve` started on its core, ns (after any wait for a core). */
  lastStart_ns = 0;
  private readonly free: EarliestFree;

  /**
   * @param name the node's name (reports say whose CPU this is)
   * @param cores cores the node's workloads and infrastructure share (a whole number ≥ 1)
   */
  constructor(
    readonly name: string,
    readonly cores: number,
  ) {
    if (!Number.isInteger(cores) || cores < 1)
      throw new RangeError(`host CPU of "${name}": cores must be a whole number ≥ 1, not ${cores}`);
    this.free = new EarliestFree(cores);
  }

  /**
   * Queues `cost_ns` of one core's work of class `cpuClass` arriving at `now_ns`; returns when it is done,
   * ns (its start is in `lastStart_ns`). Zero work is done at once and counts nothing.
   */
  reserve(now_ns: number, cost_ns: number, cpuClass: CpuClass): number {
    if (cost_ns <= 0) {
      this.lastStart_ns = now_ns;
      return now_ns;
    }
    const free = this.free;
    const core = free.earliest();
    const coreFree_ns = free.free_ns[core]!;
    const start_ns = coreFree_ns > now_ns ? coreFree_ns : now_ns;
    const done_ns = start_ns + cost_ns;
    free.reserveEarliest(core, done_ns);
    this.lastStart_ns = start_ns;
    this.busy_ns[cpuClass]! += cost_ns;
    this.charges[cpuClass]!++;
    return done_ns;
  }

  /** Cores class `cpuClass` kept busy on average over `window_ns` (busy time / window). */
  coresUsed(cpuClass: CpuClass, window_ns: number): number {
    return this.busy_ns[cpuClass]! / window_ns;
  }

  /** CPU time the infrastructure (storage and network) was charged, ns of one core. */
  infrastructure_ns(): number {
    return this.busy_ns[CPU_STORAGE]! + this.busy_ns[CPU_NETWORK]!;
  }

  /** Per class, the CPU time charged (ns) and the charges, for a node's report row. */
  usage(): { cpuClass: (typeof CPU_CLASS_NAMES)[number]; busy_ns: number; charges: number }[] {
    return CPU_CLASS_NAMES.map((cpuClass, i) => ({ cpuClass, busy_ns: this.busy_ns[i]!, charges: this.charges[i]! }));
  }
}

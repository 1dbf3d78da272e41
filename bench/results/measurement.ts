/**
 * What a run measured, before it is written as fio JSON, Arrow or text: a union on the target, so what
 * only the model has (seed, simulated time, kernel events, devices) exists only on a model run. Every
 * job, whatever ran it, is the one read-only `MeasuredJob` shape.
 */
import type { MeasuredJob } from '../../sim/measure/measured-job.js';
import type { WorkloadSpec } from '../../sim/workload/spec.js';

export type { MeasuredDirection, MeasuredHistogram, MeasuredJob } from '../../sim/measure/measured-job.js';

/**
 * One entry of fio's `jobs[]`: a job clone alone, or, with `group_reporting`, every clone of a reporting
 * group (with the same ramp and runtime) measured together, so histograms and intervals merge exactly.
 */
export interface JobMeasurement {
  /** fio's jobname: the first member's name. */
  readonly name: string;
  readonly groupid: number;
  /** The job clones measured together (one unless group_reporting). */
  readonly specs: readonly WorkloadSpec[];
  readonly measured: MeasuredJob;
  /** The job's labels (pod, volume, tenant, node...): `anvil_labels` in fio JSON, one Arrow column per key. None: no extra output. */
  readonly labels?: Readonly<Record<string, string>>;
}

/** A device the run modelled. */
export interface DeviceMeasurement {
  /** Unique in the run ("dev0" for a run of one device). */
  readonly name: string;
  /** Device kind (`nvme`, `queue`, `null`). */
  readonly kind: string;
  /** Usable capacity, bytes. */
  readonly capacity_bytes: number;
}

/** What every run has, whatever its target. */
interface MeasuredRun {
  readonly profile: { readonly name: string; readonly title: string; readonly kind: string; readonly path: string };
  /** Length of a row of the interval series, ns. */
  readonly interval_ns: number;
  readonly jobs: readonly JobMeasurement[];
}

/** A run on the model. */
export interface SimRunMeasurement extends MeasuredRun {
  readonly target: 'sim';
  readonly seed: number;
  /** Simulated time at the end of the run, ns. */
  readonly simulated_ns: number;
  /** Kernel events fired. */
  readonly events: number;
  /** The devices modelled. */
  readonly devices: readonly DeviceMeasurement[];
}

/** A run of fio on a host (or one fio server's part of a client/server run, or fio's aggregate of them). */
export interface HostRunMeasurement extends MeasuredRun {
  readonly target: 'host';
}

/** A whole run on one target. */
export type RunMeasurement = SimRunMeasurement | HostRunMeasurement;

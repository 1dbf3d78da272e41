/** What a run measured, before it is written as fio JSON, Arrow or text. */
import type { JobRecorder } from '../../sim/measure/job-recorder.js';
import type { WorkloadSpec } from '../../sim/workload/spec.js';

/**
 * One entry of fio's `jobs[]`: a job clone alone, or, with `group_reporting`, every clone of a reporting
 * group (with the same ramp and runtime) sharing one recorder, so histograms and intervals merge exactly.
 */
export interface JobMeasurement {
  /** fio's jobname: the first member's name. */
  readonly name: string;
  readonly groupid: number;
  /** The job clones measured together (one unless group_reporting). */
  readonly specs: readonly WorkloadSpec[];
  readonly recorder: JobRecorder;
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

/** A whole run on one target. */
export interface RunMeasurement {
  readonly target: 'sim' | 'host';
  readonly seed: number;
  readonly profile: { readonly name: string; readonly title: string; readonly kind: string; readonly path: string };
  /** Length of a row of the interval series, ns. */
  readonly interval_ns: number;
  /** Simulated time at the end of the run, ns. */
  readonly simulated_ns: number;
  /** Kernel events fired. */
  readonly events: number;
  readonly jobs: readonly JobMeasurement[];
  /** The devices modelled (model runs; a host run's devices are the hosts'). */
  readonly devices?: readonly DeviceMeasurement[];
}

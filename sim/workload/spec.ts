/**
 * A workload as the model runs it: one fio job (one clone of `numjobs`), with every option resolved to
 * numbers in base units. Job files are parsed into this by `bench/workloads`; the model never sees text.
 * Every spec is made by `workloadSpec`, so each has every field (fio's default where not given) and all
 * have one shape.
 */
import { FIO_DEFAULT_PERCENTILES } from '../measure/latency-histogram.js';

export type AccessPattern = 'sequential' | 'random';

/** One block size of a mix (fio's bssplit, bsrange): its size and the fraction of I/Os that have it. */
export interface BlockSizeShare {
  readonly size_bytes: number;
  /** Fraction of the direction's I/Os, 0..1; a mix's weights add up to 1. */
  readonly weight: number;
}

/**
 * How random offsets are drawn (fio's random_distribution): uniform; zipf (param theta); pareto (param
 * the power h); normal (param the standard deviation in % of the region); zoned (access share per region share).
 */
export interface OffsetDistribution {
  readonly kind: 'uniform' | 'zipf' | 'pareto' | 'normal' | 'zoned' | 'sequence';
  readonly param: number;
  /** zoned: in order from the region's start, the fraction of accesses and of the region, each 0..1. */
  readonly zones: readonly { readonly access: number; readonly region: number }[];
  /** sequence: the block indexes in order, repeated; with `strided` each cycle moves on by the sequence's length. */
  readonly sequence?: readonly number[];
  readonly strided?: boolean;
}

/**
 * fio's options that order jobs, pace them and shape their I/O beyond rw/bs/iodepth; absent fields are
 * fio's defaults, and a spec without them is the plain job (so specs of plain jobs keep one shape).
 */
export interface WorkloadExtras {
  /** Stonewall phase: a job starts once every job of an earlier phase has finished (fio's stonewall). */
  readonly phase?: number;
  /** The name of the job this one waits for (fio's wait_for), whose clones must all have finished. */
  readonly waitFor?: string;
  /** Delay before the job starts once it may, ns (fio's startdelay). */
  readonly startDelay_ns?: number;
  /** When this job finishes, stop the jobs of its group, phase or all (fio's exitall, exit_what). */
  readonly exitAll?: 'group' | 'stonewall' | 'all';
  /** Bytes to do before the job ends (fio's io_size x loops); absent: the region's size. */
  readonly ioLimit_bytes?: number;
  /** Most I/Os the job issues (fio's number_ios); absent or 0: no limit. */
  readonly maxIos?: number;
  /** Added to a sequential job's next offset after each I/O, bytes, may be negative (fio's rw=read:-8k). */
  readonly seqGap_bytes?: number;
  /** Block-size mix per direction (fio's bssplit, bsrange); absent: blockSize_bytes for every I/O. */
  readonly bsSplit?: { readonly read: readonly BlockSizeShare[]; readonly write: readonly BlockSizeShare[] };
  /** Distribution of random offsets; absent: uniform. */
  readonly distribution?: OffsetDistribution;
  /** Pause after every `thinktimeBlocks` I/Os before issuing again, ns (fio's thinktime). */
  readonly thinktime_ns?: number;
  readonly thinktimeBlocks?: number;
  /** After its writes, the job reads back what it wrote (fio's verify): the reads count in its read stats. */
  readonly verify?: boolean;
  /** With verify: read back every this many writes as they happen (fio's verify_backlog). */
  readonly verifyBacklog?: number;
  /** fio's zonemode=strided: after `zone_bytes` of sequential I/O, skip `skip_bytes`. */
  readonly stride?: { readonly zone_bytes: number; readonly skip_bytes: number };
  /**
   * fio's trim modes: `trim` (rw=trim/randtrim: every I/O a trim, of the write block size) or `trimwrite`
   * (rw=trimwrite/randtrimwrite: each block trimmed, then the same block written). Absent: no trims.
   */
  readonly trimMode?: 'trim' | 'trimwrite';
  /**
   * fio's num_range: each trim command carries this many ranges of the block size, so one I/O trims
   * trimRanges x bs (the model places them contiguously: a trim's cost does not depend on where its ranges are).
   */
  readonly trimRanges?: number;
  /** Size of a trim (of one range), bytes, where fio's bs gives trims their own (bs=4k,4k,64k); absent: the write size and mix. */
  readonly trimBlockSize_bytes?: number;
  /** fio's flow: jobs of one flow_id share I/Os by weight; a held-back job sleeps `sleep_ns` (0: until the group moves). */
  readonly flow?: { readonly id: number; readonly weight: number; readonly sleep_ns: number };
  /** fio's log files the job asks for (write_bw_log and the rest); the model runs the same, the writer reads it. */
  readonly logs?: FioLogRequest;
}

/**
 * fio's log options of one job: each present prefix asks for that log (`PREFIX_bw.N.log` and so on).
 * Periods are fio's: 0 for `log_avg_msec` means one line per I/O in fio.
 */
export interface FioLogRequest {
  readonly bw?: string;
  readonly iops?: string;
  readonly lat?: string;
  readonly hist?: string;
  /** fio's log_avg_msec, ms (0: fio logs every I/O). */
  readonly avg_ms: number;
  /** fio's log_hist_msec, ms (0: no histogram lines). */
  readonly hist_ms: number;
  /** fio's log_hist_coarseness, 0..6: each step halves the histogram's bins. */
  readonly histCoarseness: number;
  /** fio's bwavgtime and iopsavgtime, ms: the bandwidth and IOPS sampling period when log_avg_msec is 0. */
  readonly bwAvg_ms: number;
  readonly iopsAvg_ms: number;
  /** fio's per_job_logs: with it, file names carry the job's number (`.N.log`). */
  readonly perJobLogs: boolean;
  /** The job's number in fio's numbering (every clone of every section in file order, from 1). */
  readonly index: number;
}
export type RateProcess = 'linear' | 'poisson';

export interface WorkloadSpec extends WorkloadExtras {
  /** fio's jobname (the section name, or `name=`). */
  readonly name: string;
  /** Which clone of `numjobs` this is, from 0. */
  readonly clone: number;
  /** Reporting group: jobs with the same group and `groupReporting` are reported as one. */
  readonly group: number;
  /** fio's `group_reporting`. */
  readonly groupReporting: boolean;
  /** Sequential or random offsets (fio's `rw`). */
  readonly pattern: AccessPattern;
  /** Fraction of I/Os that are reads, 0..1 (1 for read/randread, 0 for write/randwrite, rwmixread/100 for mixes). */
  readonly readFraction: number;
  /** Block size per direction, bytes (fio's `bs`, which may give read,write). */
  readonly blockSize_bytes: { readonly read: number; readonly write: number };
  /** I/Os kept in flight (fio's `iodepth`). */
  readonly iodepth: number;
  /** Rate cap per direction, I/Os per second, 0 for none (fio's `rate_iops`). */
  readonly rate_iops: { readonly read: number; readonly write: number };
  /** How capped I/Os are spaced (fio's `rate_process`): evenly, or as a Poisson process. */
  readonly rateProcess: RateProcess;
  /** Region the job addresses, bytes from `offset_bytes`; 0 means the whole device (fio's `size`). */
  readonly size_bytes: number;
  /** Start of the region, bytes. */
  readonly offset_bytes: number;
  /** Stop after this much simulated time, ns, excluding ramp; 0 for no limit (fio's `runtime`). */
  readonly runtime_ns: number;
  /** Keep going until `runtime_ns` even when `size` has been transferred (fio's `time_based`). */
  readonly timeBased: boolean;
  /** Warm-up excluded from the statistics, ns (fio's `ramp_time`). */
  readonly ramp_ns: number;
  /** Percentiles to report, 0..100 (fio's `percentile_list`). */
  readonly percentiles: readonly number[];
  /** Which latencies get percentiles (fio's slat_/clat_/lat_percentiles); absent: fio's default, clat only. */
  readonly percentilesOf?: { readonly slat: boolean; readonly clat: boolean; readonly lat: boolean };
}

/** fio's default of which latencies get percentiles: completion latency only. */
export const FIO_PERCENTILES_OF = Object.freeze({ slat: false, clat: true, lat: false });

/** What a workload says of itself: its name, and any field that differs from fio's default. */
export type WorkloadFields = Pick<WorkloadSpec, 'name'> & Partial<WorkloadSpec>;

/**
 * The one way to make a `WorkloadSpec`: `fields` over fio's defaults (rw=read, bs=4k, iodepth=1, no rate
 * cap, the whole device, no runtime, fio's percentile list, clat percentiles).
 */
export function workloadSpec(fields: WorkloadFields): WorkloadSpec {
  return {
    name: fields.name,
    clone: fields.clone ?? 0,
    group: fields.group ?? 0,
    groupReporting: fields.groupReporting ?? false,
    pattern: fields.pattern ?? 'sequential',
    readFraction: fields.readFraction ?? 1,
    blockSize_bytes: fields.blockSize_bytes ?? { read: 4096, write: 4096 },
    iodepth: fields.iodepth ?? 1,
    rate_iops: fields.rate_iops ?? { read: 0, write: 0 },
    rateProcess: fields.rateProcess ?? 'linear',
    size_bytes: fields.size_bytes ?? 0,
    offset_bytes: fields.offset_bytes ?? 0,
    runtime_ns: fields.runtime_ns ?? 0,
    timeBased: fields.timeBased ?? false,
    ramp_ns: fields.ramp_ns ?? 0,
    percentiles: fields.percentiles ?? FIO_DEFAULT_PERCENTILES,
    percentilesOf: fields.percentilesOf ?? FIO_PERCENTILES_OF,
    ...extras(fields),
  };
}

const EXTRA_KEYS = [
  'phase',
  'waitFor',
  'startDelay_ns',
  'exitAll',
  'ioLimit_bytes',
  'maxIos',
  'seqGap_bytes',
  'bsSplit',
  'distribution',
  'thinktime_ns',
  'thinktimeBlocks',
  'verify',
  'verifyBacklog',
  'stride',
  'flow',
  'trimMode',
  'trimRanges',
  'trimBlockSize_bytes',
  'logs',
] as const satisfies readonly (keyof WorkloadExtras)[];

/** The extras `fields` gives (a plain job's spec has none of these keys). */
function extras(fields: WorkloadFields): WorkloadExtras {
  const out: Record<string, unknown> = {};
  for (const k of EXTRA_KEYS) if (fields[k] !== undefined) out[k] = fields[k];
  return out as WorkloadExtras;
}

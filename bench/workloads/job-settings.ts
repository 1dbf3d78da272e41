/**
 * One job's options while a job file is resolved (fio's `thread_options`, reduced to what the model
 * uses), with fio's defaults. The option table (`options.ts`) writes into it; `resolve.ts` reads it.
 */
import { FIO_DEFAULT_PERCENTILES } from '../../sim/measure/latency-histogram.js';
import type { BlockSizeShare, OffsetDistribution, RateProcess } from '../../sim/workload/spec.js';
import { defaultLogSettings, type LogSettings } from './log-settings.js';

/**
 * fio `rw` modes the model runs. `rw` and `readwrite` are the same sequential mix; the trim modes issue
 * trims (NVMe deallocate), `trimwrite` trimming each block and then writing it.
 */
export const RW_MODES = [
  'read',
  'write',
  'randread',
  'randwrite',
  'rw',
  'readwrite',
  'randrw',
  'trim',
  'randtrim',
  'trimwrite',
  'randtrimwrite',
] as const;
/** One of `RW_MODES`. */
export type RwMode = (typeof RW_MODES)[number];

/** One job's options while a file is resolved: fio's `thread_options`, reduced to what the model uses. */
export interface JobSettings {
  /** Job name (section name, or `name=` in the job section). */
  name: string;
  /** fio `rw` mode. */
  rw: RwMode;
  /** Block size per direction, bytes. */
  /** Block size per direction, bytes; `trim` is fio's third value (the write size unless given). */
  bs: { read: number; write: number; trim: number };
  /** I/Os in flight. */
  iodepth: number;
  /** Clones of the job. */
  numjobs: number;
  /** Percentage of mixed I/O that is reads, 0..100. */
  rwmixread: number;
  /** Cap per direction, I/Os per second; 0 is no cap. */
  rateIops: { read: number; write: number };
  /** Spacing of capped I/Os (fio `rate_process`). */
  rateProcess: RateProcess;
  /** fio `runtime`, ns; 0 is no limit. */
  runtime_ns: number;
  /** fio `time_based`. */
  timeBased: boolean;
  /** fio `ramp_time`, ns. */
  ramp_ns: number;
  /** fio `size` in bytes; 0 is the whole device (or see `sizePercent`). */
  size_bytes: number;
  /** fio `size=N%`: percentage of the device, 1..100; 0 when `size` is in bytes. */
  sizePercent: number;
  /** fio `group_reporting`. */
  groupReporting: boolean;
  /** Percentiles to report, 0 < p <= 100, ascending. */
  percentiles: number[];
  /** Which latencies get percentiles (fio's slat_percentiles, clat_percentiles, lat_percentiles). */
  percentilesOf: { slat: boolean; clat: boolean; lat: boolean };
  /** Free text (fio `description`). */
  description: string;
  /** 1-based line where each option was last set, by option name. */
  lines: Record<string, number>;
  /** fio `stonewall`, `new_group`, `wait_for`, `startdelay` (ns), `exitall` and `exit_what`. */
  stonewall: boolean;
  newGroup: boolean;
  waitFor: string;
  startdelay_ns: number;
  exitall: boolean;
  exitWhat: 'group' | 'stonewall' | 'all';
  /** fio `offset` and `offset_increment`, bytes. */
  offset_bytes: number;
  /** fio `offset=N%`: percentage of the device, 0 when `offset` is in bytes. */
  offsetPercent: number;
  offsetIncrement_bytes: number;
  /** fio `filesize` (bytes, 0 unset) and `nrfiles`. */
  filesize_bytes: number;
  nrfiles: number;
  /** fio `io_size` (bytes, 0 unset), `number_ios` (0 none), `loops`, `fill_device`. */
  ioSize_bytes: number;
  numberIos: number;
  /** fio's num_range: ranges of bs per trim command. */
  trimRanges: number;
  loops: number;
  fillDevice: boolean;
  /** fio `bssplit`/`bsrange` per direction; empty lists: `bs`. */
  bsSplit: { read: readonly BlockSizeShare[]; write: readonly BlockSizeShare[] };
  /** fio `random_distribution`; undefined: uniform. */
  distribution: OffsetDistribution | undefined;
  /** fio `rate` per direction, bytes per second (0 none). */
  rateBytes: { read: number; write: number };
  /** fio `thinktime` (ns) and `thinktime_blocks`. */
  thinktime_ns: number;
  thinktimeBlocks: number;
  /** fio `verify` (any kind but none) and `do_verify`. */
  verify: boolean;
  doVerify: boolean;
  /** The `rw=MODE:N` modifier of a sequential mode, bytes added after each I/O (may be negative). */
  seqGap_bytes: number;
  /** fio `zonemode` (none or strided), `zonesize` and `zoneskip` (bytes). */
  zoneMode: 'none' | 'strided';
  zoneSize_bytes: number;
  zoneSkip_bytes: number;
  /** fio `verify_backlog` (0: read back after all writes). */
  verifyBacklog: number;
  /** fio `flow_id`, `flow` (weight, 0: none) and `flow_sleep` (ns). */
  flowId: number;
  flowWeight: number;
  flowSleep_ns: number;
  /** fio `random_sequence_stride`. */
  sequenceStride: boolean;
  /** fio's log files and their periods. */
  logs: LogSettings;
}

/** fio's defaults (options.c `.def`), with the job name still to be filled in. */
export function defaultSettings(): JobSettings {
  return {
    name: '',
    rw: 'read',
    bs: { read: 4096, write: 4096, trim: 4096 },
    iodepth: 1,
    numjobs: 1,
    rwmixread: 50,
    rateIops: { read: 0, write: 0 },
    rateProcess: 'linear',
    runtime_ns: 0,
    timeBased: false,
    ramp_ns: 0,
    size_bytes: 0,
    sizePercent: 0,
    groupReporting: false,
    percentiles: [...FIO_DEFAULT_PERCENTILES],
    percentilesOf: { slat: false, clat: true, lat: false },
    description: '',
    lines: {},
    stonewall: false,
    newGroup: false,
    waitFor: '',
    startdelay_ns: 0,
    exitall: false,
    exitWhat: 'group',
    offset_bytes: 0,
    offsetPercent: 0,
    offsetIncrement_bytes: 0,
    filesize_bytes: 0,
    nrfiles: 1,
    ioSize_bytes: 0,
    numberIos: 0,
    trimRanges: 1,
    loops: 1,
    fillDevice: false,
    bsSplit: { read: [], write: [] },
    distribution: undefined,
    rateBytes: { read: 0, write: 0 },
    thinktime_ns: 0,
    thinktimeBlocks: 1,
    verify: false,
    doVerify: true,
    seqGap_bytes: 0,
    zoneMode: 'none',
    zoneSize_bytes: 0,
    zoneSkip_bytes: 0,
    verifyBacklog: 0,
    flowId: 0,
    flowWeight: 0,
    flowSleep_ns: 0,
    sequenceStride: false,
    logs: defaultLogSettings(),
  };
}

/** A deep copy, so a job can start from the `[global]` settings without changing them. */
export function cloneSettings(s: JobSettings): JobSettings {
  return {
    ...s,
    bs: { ...s.bs },
    rateIops: { ...s.rateIops },
    percentiles: [...s.percentiles],
    percentilesOf: { ...s.percentilesOf },
    lines: { ...s.lines },
    bsSplit: { ...s.bsSplit },
    rateBytes: { ...s.rateBytes },
    logs: { ...s.logs },
  };
}

/**
 * One job's log-file options while a job file is resolved, with fio's defaults: apart from the option
 * rows (`options-logs.ts`), so `job-settings.ts` can hold them without importing the option table.
 */

/** One job's log options while a file is resolved; a prefix of '' is the job's name (fio's bare `write_bw_log`). */
export interface LogSettings {
  bw: string | undefined;
  iops: string | undefined;
  lat: string | undefined;
  hist: string | undefined;
  /** fio's log_avg_msec, log_hist_msec (ms), log_hist_coarseness, bwavgtime and iopsavgtime (ms), per_job_logs. */
  avg_ms: number;
  hist_ms: number;
  histCoarseness: number;
  bwAvg_ms: number;
  iopsAvg_ms: number;
  perJobLogs: boolean;
}

/** fio's defaults: no logs, every I/O logged (0), no histogram period, 500 ms bandwidth and IOPS samples. */
export function defaultLogSettings(): LogSettings {
  return {
    bw: undefined,
    iops: undefined,
    lat: undefined,
    hist: undefined,
    avg_ms: 0,
    hist_ms: 0,
    histCoarseness: 0,
    bwAvg_ms: 500,
    iopsAvg_ms: 500,
    perJobLogs: true,
  };
}

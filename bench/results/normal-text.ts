/**
 * fio 3.33's normal output (stat.c show_thread_status_normal, show_run_stats), section by section, so
 * scripts that parse fio's text read Anvil's: the job lines, the version line (Anvil's, with target,
 * profile and seed), each job's block (IOPS and bandwidth, latencies, percentiles, bandwidth and IOPS
 * samples, latency distribution, cpu, IO depths, issued I/Os), then each reporting group's status. The
 * model has no process: pid 0 and no CPU time (as its JSON says), and a model run ends with a line of
 * its own (simulated time and kernel events) where fio prints its disk statistics.
 */
import { FIO_DEFAULT_PERCENTILES } from '../../sim/measure/latency-histogram.js';
import { FIO_PERCENTILES_OF, type WorkloadSpec } from '../../sim/workload/spec.js';
import {
  depthShares,
  groupStatus,
  hasSamples,
  intervalSamples,
  latencyDistribution,
  runtime_ms,
  rwName,
  sampleSummary,
  shareOfGroup,
  type DirectionName,
  type GroupStatus,
} from './fio-figures.js';
import { FIO_SIG_FIGS, ctimeUtc, fioNumber, fixed, scaleLatency } from './fio-numbers.js';
import type { JobMeasurement, MeasuredDirection, MeasuredHistogram, RunMeasurement } from './measurement.js';

/** What the text needs beside the run: Anvil's version and the run's timestamp (seconds since the epoch). */
export interface NormalTextOptions {
  readonly version: string;
  readonly timestamp_s: number;
}

/** fio's normal output of a run, ending in a newline. */
export function normalText(run: RunMeasurement, options: NormalTextOptions): string {
  const out: string[] = [];
  jobLines(run, out);
  // Where fio names its version: Anvil's, with what only Anvil knows. A host run has no seed: 0, as always.
  out.push(
    `anvil-${options.version}: target ${run.target}, profile ${run.profile.name} (${run.profile.title}), seed ${run.target === 'sim' ? run.seed : 0}`,
  );
  const processes = run.jobs.reduce((n, j) => n + j.specs.length, 0);
  out.push(`Starting ${processes} process${processes === 1 ? '' : 'es'}`, '');
  const groups = groupStatus(run.jobs);
  const when = ctimeUtc(options.timestamp_s);
  for (const job of run.jobs) jobBlock(job, groups.get(job.groupid)!, when, out);
  for (const [groupid, group] of groups) {
    out.push('', `Run status group ${groupid} (all jobs):`);
    for (const dir of ['read', 'write', 'trim'] as const) {
      const g = group[dir];
      if (g.max_run_ms === 0) continue;
      out.push(
        `${dir.toUpperCase().padStart(7)}: bw=${bytesPerSec(g.agg_bytes_per_s, true)} (${bytesPerSec(g.agg_bytes_per_s, false)}), ` +
          `${bytesPerSec(g.min_bw, true)}-${bytesPerSec(g.max_bw, true)} (${bytesPerSec(g.min_bw, false)}-${bytesPerSec(g.max_bw, false)}), ` +
          `io=${bytes(g.io_bytes, true)} (${bytes(g.io_bytes, false)}), run=${g.min_run_ms}-${g.max_run_ms}msec`,
      );
    }
  }
  // A host run has no simulated time: fio measured it.
  if (run.target === 'sim') out.push('', `Model stats (simulated): time=${Math.round(run.simulated_ns / 1e6)}msec, events=${run.events}`);
  return out.join('\n') + '\n';
}

/** fio's line per job before the run ("name: (g=0): rw=..., bs=..., ioengine=..., iodepth=N"), "..." for its other clones. */
function jobLines(run: RunMeasurement, out: string[]): void {
  for (const job of run.jobs) {
    const spec = job.specs[0]!;
    const bs = (size: number) => `${fioNumber(size, FIO_SIG_FIGS, true, 'bytes')}-${fioNumber(size, FIO_SIG_FIGS, true, 'bytes')}`;
    const b = spec.blockSize_bytes;
    out.push(
      `${job.name}: (g=${job.groupid}): rw=${rwName(spec)}, bs=(R) ${bs(b.read)}, (W) ${bs(b.write)}, (T) ${bs(b.write)}, ` +
        `ioengine=${run.target === 'sim' ? 'anvil-model' : 'fio'}, iodepth=${spec.iodepth}`,
    );
    if (job.specs.length > 1) out.push('...');
  }
}

function jobBlock(job: JobMeasurement, group: GroupStatus, when: string, out: string[]): void {
  const error = job.measured.total_err !== undefined ? 5 : 0;
  out.push(`${job.name}: (groupid=${job.groupid}, jobs=${job.specs.length}): err=${`${error}`.padStart(2)}: pid=0: ${when}`);
  const spec = job.specs[0]!;
  const ms = runtime_ms(job);
  for (const dir of ['read', 'write', 'trim'] as const) {
    const d = job.measured[dir];
    if (!d || d.io_bytes === 0) continue;
    directionBlock(dir, d, spec, ms, group, out);
  }
  const dist = latencyDistribution(job);
  for (const [unit, shares] of [
    ['nsec', dist.ns],
    ['usec', dist.us],
    ['msec', dist.ms],
  ] as const) {
    const shown = Object.entries(shares).filter(([, v]) => v > 0);
    for (let i = 0; i < shown.length; i += 5) {
      out.push(
        `  lat (${unit})   : ${shown
          .slice(i, i + 5)
          .map(([k, v]) => `${k}=${fixed(Math.max(v, 0.01), 0, 2)}%`)
          .join(', ')}`,
      );
    }
  }
  out.push('  cpu          : usr=0.00%, sys=0.00%, ctx=0, majf=0, minf=0');
  const depth = depthShares(job);
  out.push(
    `  IO depths    : ${Object.entries(depth)
      .map(([k, v]) => `${k}=${share(v)}%`)
      .join(', ')}`,
  );
  // The model submits and completes one I/O at a time: fio's 1-4 bucket holds them all.
  const batches = `0=0.0%, 4=${job.measured.read.total_ios + job.measured.write.total_ios + (job.measured.trim?.total_ios ?? 0) > 0 ? '100.0' : '0.0'}%, 8=0.0%, 16=0.0%, 32=0.0%, 64=0.0%, >=64=0.0%`;
  out.push(`     submit    : ${batches}`, `     complete  : ${batches}`);
  const ios = [job.measured.read.total_ios, job.measured.write.total_ios, job.measured.trim?.total_ios ?? 0];
  out.push(`     issued rwts: total=${ios.join(',')},0 short=0,0,0,0 dropped=0,0,0,0`);
  if (job.measured.total_err !== undefined)
    out.push(`     errors    : total=${job.measured.total_err}, first_error=5/<Input/output error>`);
  out.push(`     latency   : target=0, window=0, percentile=100.00%, depth=${spec.iodepth}`);
}

function directionBlock(dir: DirectionName, d: MeasuredDirection, spec: WorkloadSpec, ms: number, group: GroupStatus, out: string[]): void {
  const bw = ms > 0 ? Math.floor((d.io_bytes * 1000) / ms) : 0;
  const iops = ms > 0 ? Math.floor((d.total_ios * 1000) / ms) : 0;
  out.push(
    `  ${dir}: IOPS=${fioNumber(iops, FIO_SIG_FIGS, false, 'none')}, BW=${bytesPerSec(bw, true)} (${bytesPerSec(bw, false)})(${bytes(d.io_bytes, true)}/${ms}msec)`,
  );
  if (hasSamples(d.slat)) out.push(latencyLine('slat', d.slat));
  if (hasSamples(d.clat)) out.push(latencyLine('clat', d.clat));
  if (hasSamples(d.lat)) out.push(latencyLine(' lat', d.lat));
  const of = spec.percentilesOf ?? FIO_PERCENTILES_OF;
  const list = spec.percentiles.length > 0 ? spec.percentiles : FIO_DEFAULT_PERCENTILES;
  if (of.slat && hasSamples(d.slat)) percentileBlock('slat', d.slat, list, out);
  if (of.clat && hasSamples(d.clat)) percentileBlock('clat', d.clat, list, out);
  if (of.lat && hasSamples(d.lat)) percentileBlock('lat', d.lat, list, out);
  const samples = intervalSamples(d);
  if (samples.bw.length > 0) {
    const s = sampleSummary(samples.bw);
    const per = shareOfGroup(s.mean, group[dir].agg_bytes_per_s);
    // fio shows MiB/s once the mean passes 1024 x 1024 KiB/s.
    const mib = s.mean > 1024 * 1024;
    const k = mib ? 1024 : 1;
    out.push(
      `   bw (${(mib ? 'MiB' : 'KiB').padStart(5)}/s): min=${`${Math.floor(s.min / k)}`.padStart(5)}, max=${`${Math.floor(s.max / k)}`.padStart(5)}, ` +
        `per=${fixed(per, 3, 2)}%, avg=${fixed(s.mean / k, 5, 2)}, stdev=${fixed(s.dev / k, 5, 2)}, samples=${s.n}`,
    );
    const ops = sampleSummary(samples.iops);
    out.push(
      `   iops        : min=${`${Math.floor(ops.min)}`.padStart(5)}, max=${`${Math.floor(ops.max)}`.padStart(5)}, ` +
        `avg=${fixed(ops.mean, 5, 2)}, stdev=${fixed(ops.dev, 5, 2)}, samples=${ops.n}`,
    );
  }
}

function latencyLine(name: string, h: MeasuredHistogram): string {
  const s = scaleLatency(h.min_ns, h.max_ns, h.mean_ns, h.stddev_ns);
  const num = (v: number) => fioNumber(v, 6, false, 'none');
  return `    ${name} (${s.unit}): min=${num(s.min)}, max=${num(s.max)}, avg=${fixed(s.mean, 5, 2)}, stdev=${fixed(s.dev, 5, 2)}`;
}

/** fio's show_clat_percentiles: the unit from the values' range, as many per line as fit 80 columns. */
function percentileBlock(name: string, h: MeasuredHistogram, list: readonly number[], out: string[]): void {
  const sorted = [...list].sort((a, b) => a - b);
  let values = sorted.map((p) => Math.round(h.percentile(p)));
  const minv = Math.min(...values);
  const maxv = Math.max(...values);
  let unit = 'nsec';
  let steps = 0;
  if (minv > 2_000_000 && maxv > 99_999_999) [unit, steps] = ['msec', 2];
  else if (minv > 2000 && maxv > 99_999) [unit, steps] = ['usec', 1];
  for (let i = 0; i < steps; i++) values = values.map((v) => Math.floor((v + 999) / 1000));
  const divided = Math.floor(maxv / 1000 ** steps);
  const width = Math.max(5, divided > 0 ? Math.floor(Math.log10(divided) + 1) : 0);
  const precision = Math.max(...sorted.map(decimalsOf));
  const perLine = Math.floor(73 / (precision + 10 + width));
  out.push(`    ${name} percentiles (${unit}):`);
  let line = '     |';
  sorted.forEach((p, j) => {
    if (j > 0 && j % perLine === 0) {
      out.push(line);
      line = '     |';
    }
    line += ` ${fixed(p, precision + 3, precision)}th=[${`${values[j]}`.padStart(width)}]${j === sorted.length - 1 ? '' : ','}`;
  });
  out.push(line);
}

/** Decimals a percentile was written with (fio's percentile_precision is the most of the list). */
function decimalsOf(p: number): number {
  const text = `${p}`;
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

/** fio's stat_calc_dist: one decimal, a non-empty bucket under 0.1% shown as 0.1%. */
function share(v: number): string {
  return (v > 0 && v < 0.1 ? 0.1 : v).toFixed(1);
}

function bytesPerSec(v: number, binary: boolean): string {
  return fioNumber(v, FIO_SIG_FIGS, binary, 'bytes/s');
}

function bytes(v: number, binary: boolean): string {
  return fioNumber(v, FIO_SIG_FIGS, binary, 'bytes');
}

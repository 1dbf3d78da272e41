/**
 * What a model run will cost, estimated before it starts: the I/Os it simulates (each a handful of
 * events; about a microsecond or two of wall time each). A run above the limit is refused with the
 * estimate and the flag that raises it, so a typo such as `runtime=1h` or a size-bound job over a 4 TB
 * device fails at once instead of running for hours without a word.
 */
import { AnvilError } from '../../platform/errors.js';
import type { DeviceInstance } from '../../sim/devices/index.js';
import { openLoopRate } from '../../sim/workload/job-generator.js';
import type { WorkloadSpec } from '../../sim/workload/spec.js';
import { standaloneDevice, type DeviceProfile } from '../profiles.js';

/** The default limit on a model run, I/Os: about a minute of wall time on a 2-core machine. */
export const DEFAULT_MAX_IOS = 50_000_000;

/** The estimate for one run. */
export interface RunCost {
  /** I/Os the run is expected to simulate, at most (Infinity when nothing bounds it but the model's stall guard). */
  readonly ios: number;
  /** The job whose share is largest, for the message. */
  readonly largestJob: string;
}

/** The I/Os of one job clone: bounded by its size (unless time_based) and by its rate over its runtime. */
function jobIos(spec: WorkloadSpec, device: DeviceInstance): number {
  const rf = spec.readFraction;
  const region = spec.size_bytes > 0 ? Math.min(spec.size_bytes, device.capacity_bytes) : device.capacity_bytes;
  const meanBs = rf * spec.blockSize_bytes.read + (1 - rf) * spec.blockSize_bytes.write;
  // io_size x loops replaces the region as the amount; verify reads it all back; number_ios caps the count.
  const amount = (spec.ioLimit_bytes ?? region) * (spec.verify === true ? 2 : 1);
  const bySize = Math.min(spec.timeBased ? Infinity : Math.ceil(amount / meanBs), spec.maxIos ?? Infinity);
  const duration_s = spec.runtime_ns > 0 ? (spec.ramp_ns + spec.runtime_ns) / 1e9 : Infinity;
  const rate = jobRate(spec, device);
  const byTime = duration_s === Infinity ? Infinity : rate * duration_s;
  return Math.min(bySize, byTime);
}

/** The fastest rate (I/Os per second) one job clone can run at: its rate limit, else its queue depth over the device's least latency, at most the device's peak. */
function jobRate(spec: WorkloadSpec, device: DeviceInstance): number {
  const rf = spec.readFraction;
  const open = openLoopRate(spec);
  const minLatency = device.minLatency_ns
    ? rf * device.minLatency_ns('read', spec.blockSize_bytes.read) + (1 - rf) * device.minLatency_ns('write', spec.blockSize_bytes.write)
    : 0;
  const closed = minLatency > 0 ? (spec.iodepth * 1e9) / minLatency : Infinity;
  return Math.min(open > 0 ? open : closed, mixPeak(spec, device));
}

/** The device's peak rate for this job's read/write mix (time per I/O averaged over the mix). */
function mixPeak(spec: WorkloadSpec, device: DeviceInstance): number {
  if (!device.peakIops) return Infinity;
  const rf = spec.readFraction;
  const perIo =
    (rf > 0 ? rf / device.peakIops('read', spec.blockSize_bytes.read) : 0) +
    (rf < 1 ? (1 - rf) / device.peakIops('write', spec.blockSize_bytes.write) : 0);
  return perIo > 0 ? 1 / perIo : Infinity;
}

/** Estimates the I/Os of running `jobs` on `device` (an instance built from the run's profile). */
export function estimateRunCost(jobs: readonly WorkloadSpec[], device: DeviceInstance): RunCost {
  let sum = 0;
  let largest = { name: jobs[0]?.name ?? '', ios: -1 };
  let peak = 0;
  const phaseEnd_s = new Map<number, number>();
  for (const spec of jobs) {
    const ios = jobIos(spec, device);
    sum += ios;
    if (ios > largest.ios) largest = { name: spec.name, ios };
    peak = Math.max(peak, mixPeak(spec, device));
    const end_s = spec.runtime_ns > 0 ? ((spec.startDelay_ns ?? 0) + spec.ramp_ns + spec.runtime_ns) / 1e9 : Infinity;
    phaseEnd_s.set(spec.phase ?? 0, Math.max(phaseEnd_s.get(spec.phase ?? 0) ?? 0, end_s));
  }
  // Stonewall phases run one after the other.
  let horizon_s = 0;
  for (const end_s of phaseEnd_s.values()) horizon_s += end_s;
  // The jobs share the device: together they complete no more than its peak rate over the run.
  const shared = peak * horizon_s;
  return { ios: Math.min(sum, Number.isNaN(shared) ? Infinity : shared), largestJob: largest.name };
}

/**
 * The run's length, ns: a job bound by runtime ends with it; a job bound by size lasts at least its I/Os
 * at its fastest rate (and the jobs of a phase together at least their I/Os at the device's peak), so the
 * estimate is a lower bound, Infinity only when nothing bounds the job. Stonewall phases add up.
 */
export function estimateHorizon_ns(jobs: readonly WorkloadSpec[], device: DeviceInstance): number {
  const phaseEnd_ns = new Map<number, number>();
  const phaseIos = new Map<number, number>();
  let peak = 0;
  for (const spec of jobs) {
    const start_ns = (spec.startDelay_ns ?? 0) + spec.ramp_ns;
    const ios = jobIos(spec, device);
    const end_ns = spec.runtime_ns > 0 ? start_ns + spec.runtime_ns : start_ns + (ios / jobRate(spec, device)) * 1e9;
    const phase = spec.phase ?? 0;
    phaseEnd_ns.set(phase, Math.max(phaseEnd_ns.get(phase) ?? 0, Number.isNaN(end_ns) ? Infinity : end_ns));
    phaseIos.set(phase, (phaseIos.get(phase) ?? 0) + ios);
    peak = Math.max(peak, mixPeak(spec, device));
  }
  let total_ns = 0;
  for (const [phase, end_ns] of phaseEnd_ns) {
    const shared_ns = ((phaseIos.get(phase) ?? 0) / peak) * 1e9;
    total_ns += Number.isFinite(end_ns) ? Math.max(end_ns, Number.isNaN(shared_ns) ? 0 : shared_ns) : end_ns;
  }
  return total_ns;
}

/** Builds the profile's device (cheap: no events) to estimate on. */
export function estimateOnProfile(jobs: readonly WorkloadSpec[], profile: DeviceProfile): RunCost {
  return estimateRunCost(jobs, standaloneDevice(profile));
}

/** estimateHorizon_ns on the profile's device. */
export function estimateHorizonOnProfile(jobs: readonly WorkloadSpec[], profile: DeviceProfile): number {
  return estimateHorizon_ns(jobs, standaloneDevice(profile));
}

function count(n: number): string {
  if (n >= 1e12) return n.toExponential(2);
  if (n >= 1e9) return `${(n / 1e9).toPrecision(3)} billion`;
  if (n >= 1e6) return `${(n / 1e6).toPrecision(3)} million`;
  return String(Math.round(n));
}

/**
 * Throws ANVIL_ERR_RUN_TOO_LARGE when the estimate is above `maxIos`. An unbounded estimate (a device
 * with no service time in a closed loop) is left to the model's own stall guard, which stops it at once.
 */
export function checkRunCost(cost: RunCost, maxIos: number, jobFile: string): void {
  if (!Number.isFinite(cost.ios) || cost.ios <= maxIos) return;
  const raise = Math.ceil(cost.ios / 1e6) * 1e6;
  const flag = raise <= Number.MAX_SAFE_INTEGER ? `, or raise the limit with --max-ios ${raise}` : '';
  throw new AnvilError(
    'ANVIL_ERR_RUN_TOO_LARGE',
    `${jobFile}: this run would simulate about ${count(cost.ios)} I/Os (most in job '${cost.largestJob}'), above the limit of ${count(maxIos)} (--max-ios); ` +
      `shorten runtime or size (a job bound by size alone covers the whole device when it gives none)${flag}`,
  );
}

/**
 * IOPS at a latency SLA, from the NVMe model: the highest 4 KiB random I/O rate one drive sustains while
 * the p99 of total latency (queue wait + completion) of reads and of writes stays within the budget. The
 * search bisects an open-loop Poisson rate between 0 and the drive's closed-loop maximum. Results are
 * cached on disk under a hash of everything that decides them, so a report does not re-simulate.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { anvilVersion } from '../../bench/package-root.js';
import { runOnModel } from '../../bench/targets/sim.js';
import type { DeviceProfile } from '../../bench/profiles.js';
import { workloadSpec, type WorkloadSpec } from '../../sim/workload/spec.js';
import type { RunMeasurement } from '../../bench/results/measurement.js';

/** Bumped whenever the search below changes what it returns, so old cache entries are not reused. */
export const NODE_IOPS_METHOD_VERSION = 1;

export interface DriveIopsQuery {
  readonly profile: DeviceProfile;
  /** Fraction of drive I/Os that are reads, 0..1. */
  readonly readFraction: number;
  /** p99 latency budget for the drive, ns (the SLA less the stack's own software path). */
  readonly p99Budget_ns: number;
  readonly seed: number;
}

export interface DriveIops {
  /** Highest total IOPS (reads + writes) whose p99 meets the budget; 0 when even a light load misses it. */
  readonly iops: number;
  /** p99 of total latency at that rate, ns (worst direction). */
  readonly p99_ns: number;
  /** The drive's closed-loop maximum for the same mix (QD 256), IOPS. */
  readonly max_iops: number;
  /** Model runs made to answer (0 when read from the cache). */
  readonly modelRuns: number;
  readonly fromCache: boolean;
}

const RAMP_NS = 50e6;
const RUNTIME_NS = 200e6;
const BISECTION_STEPS = 9;

/** The job of the SLA search: 4k random I/O with `readFraction` reads, open loop at `rate_iops` (0: closed, QD 64). */
export function slaSearchSpec(readFraction: number, rate_iops: number, clone: number): WorkloadSpec {
  const open = rate_iops > 0;
  return workloadSpec({
    name: 'sla-search',
    clone,
    groupReporting: true,
    pattern: 'random',
    readFraction,
    iodepth: open ? 1024 : 64,
    rate_iops: open ? { read: rate_iops * readFraction, write: rate_iops * (1 - readFraction) } : { read: 0, write: 0 },
    rateProcess: 'poisson',
    runtime_ns: RUNTIME_NS,
    timeBased: true,
    ramp_ns: RAMP_NS,
  });
}

interface Observed {
  iops: number;
  p99_ns: number;
}

function observe(run: RunMeasurement): Observed {
  let ios = 0;
  let p99 = 0;
  let window = 0;
  for (const job of run.jobs) {
    window = Math.max(window, job.measured.window_ns);
    for (const d of ['read', 'write'] as const) {
      const r = job.measured[d];
      ios += r.total_ios;
      if (r.total_ios > 0) p99 = Math.max(p99, r.lat.percentile(99));
    }
  }
  return { iops: window > 0 ? (ios * 1e9) / window : 0, p99_ns: p99 };
}

/** Searches the model, without the cache. */
export function searchDriveIops(query: DriveIopsQuery): DriveIops {
  const { profile, readFraction, p99Budget_ns, seed } = query;
  let runs = 0;
  const run = (jobs: WorkloadSpec[]) => {
    runs++;
    return observe(runOnModel({ jobs, profile, seed }));
  };
  // Closed loop at QD 256 (4 x 64) gives the ceiling; an open loop above it only queues.
  const max = run([0, 1, 2, 3].map((c) => slaSearchSpec(readFraction, 0, c)));
  let lo = 0;
  let hi = max.iops;
  let best: Observed = { iops: 0, p99_ns: 0 };
  for (let i = 0; i < BISECTION_STEPS; i++) {
    const rate = (lo + hi) / 2;
    const seen = run([slaSearchSpec(readFraction, rate, 0)]);
    if (seen.p99_ns <= p99Budget_ns) {
      lo = rate;
      best = seen;
    } else hi = rate;
  }
  return { iops: Math.floor(best.iops), p99_ns: best.p99_ns, max_iops: Math.floor(max.iops), modelRuns: runs, fromCache: false };
}

/** The cache key: a SHA-256 over everything that decides the answer. */
export function driveIopsKey(query: DriveIopsQuery): string {
  const inputs = {
    method: NODE_IOPS_METHOD_VERSION,
    // A new Anvil may model the drive differently: its results are not reused across versions.
    anvil: anvilVersion(),
    profile: { kind: query.profile.kind.name, version: query.profile.kind.version, params: query.profile.params },
    readFraction: query.readFraction,
    p99Budget_ns: query.p99Budget_ns,
    seed: query.seed,
  };
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex');
}

/** The search, answered from `cacheDir` when the same inputs were simulated before. */
export function driveIopsAtSla(query: DriveIopsQuery, cacheDir: string | undefined): DriveIops {
  if (!cacheDir) return searchDriveIops(query);
  const file = join(cacheDir, `${driveIopsKey(query)}.json`);
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as DriveIops;
    if (typeof cached.iops === 'number' && typeof cached.p99_ns === 'number') return { ...cached, modelRuns: 0, fromCache: true };
  } catch {
    // Not cached yet (or unreadable): simulate.
  }
  const answer = searchDriveIops(query);
  mkdirSync(cacheDir, { recursive: true });
  // Write then rename, so a reader never sees half a file.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ iops: answer.iops, p99_ns: answer.p99_ns, max_iops: answer.max_iops }));
  renameSync(tmp, file);
  return answer;
}

/**
 * The M/M/1 of `mm1-kernel.ts` and `mm1-baseline.cpp` as a user runs it: `anvil run` on a job file
 * (`mm1-anvil.fio`: Poisson arrivals, rho 0.9) and a `queue` device profile (`mm1-queue.yaml`: one
 * exponential server), in a child process timed from spawn to exit, so module loading, job parsing,
 * the model (one open-loop job on one server: the fused loop of sim/workload/open-loop-single-server.ts),
 * the recorders with their fio-compatible histograms and interval series, and writing the JSON are all
 * in the figure.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import { runAnvilTimed } from './anvil-child.js';
import type { Mm1Throughput } from './mm1-kernel.js';
import { MM1_INTERARRIVAL_MEAN_NS } from './mm1-kernel.js';

const JOB_FILE = join('bench', 'perf', 'mm1-anvil.fio');
const PROFILE = join('bench', 'perf', 'mm1-queue.yaml');

interface Mm1JobJson {
  jobs: { read: { total_ios: number; clat_ns: { mean: number } } }[];
}

/**
 * One `anvil run` of the M/M/1 job with its runtime set for about `customers` arrivals (Poisson: the
 * count varies by about its square root), `--seed seed`. Wall time of the whole child process.
 */
export function runMm1ThroughAnvil(customers: number, seed: number): Mm1Throughput {
  const root = packageRoot();
  const runtime_us = Math.round((customers * MM1_INTERARRIVAL_MEAN_NS) / 1e3);
  const job = readFileSync(join(root, JOB_FILE), 'utf8').replace(/^runtime=.*$/m, `runtime=${runtime_us}us`);
  const dir = mkdtempSync(join(tmpdir(), 'anvil-mm1-'));
  try {
    const jobFile = join(dir, 'mm1.fio');
    writeFileSync(jobFile, job);
    const { stdout, seconds } = runAnvilTimed('mm1-anvil-run', [
      'run',
      jobFile,
      '--profile',
      join(root, PROFILE),
      '--seed',
      String(seed),
      '--output-format',
      'json',
    ]);
    const read = (JSON.parse(stdout) as Mm1JobJson).jobs[0]!.read;
    return { customers: read.total_ios, seconds, customersPerSecond: read.total_ios / seconds, meanSojourn_ns: read.clat_ns.mean };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

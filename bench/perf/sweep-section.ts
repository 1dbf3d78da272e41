/**
 * Speed of a sweep as a user runs it: `anvil sweep bench/sweeps/p4510-qd.yaml` (4 KiB random reads at
 * queue depth 1..256 on the P4510, nine points) with `--jobs 1` and `--jobs 2`, each in a child process
 * timed from spawn to exit into a fresh folder (so no point is skipped as unchanged): points per wall
 * second, and the speed-up of two worker threads over one (at most 2 on two free cores).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import { runAnvilTimed } from './anvil-child.js';
import type { BenchSection, Row, SectionOptions } from './section.js';

/** The sweep timed, relative to the package root. */
export const SWEEP_BENCH_FILE = join('bench', 'sweeps', 'p4510-qd.yaml');

/** The worker counts compared. */
export const SWEEP_BENCH_JOBS: readonly number[] = [1, 2];

export interface SweepSpeed {
  readonly jobs: number;
  readonly points: number;
  readonly wall_s: number;
}

/** The sweep file to time: the bench's own, or (quick) the same with its points' runtime cut to a tenth. */
function sweepFile(dir: string, quick: boolean): string {
  const file = join(packageRoot(), SWEEP_BENCH_FILE);
  if (!quick) return file;
  const job = readFileSync(join(packageRoot(), 'bench', 'workloads', 'reference', 'randread-4k.fio'), 'utf8')
    .replace(/^runtime=.*$/m, 'runtime=200ms')
    .replace(/^ramp_time=.*$/m, 'ramp_time=20ms');
  const text = readFileSync(file, 'utf8').replace(/^base: .*$/m, `job: |\n${job.replace(/^/gm, '  ')}`);
  const quickFile = join(dir, 'p4510-qd-quick.yaml');
  writeFileSync(quickFile, text);
  return quickFile;
}

/** One `anvil sweep FILE --jobs N` into a fresh folder, timed; the points it ran read from its report. */
export function timeSweep(file: string, jobs: number): SweepSpeed {
  const out = mkdtempSync(join(tmpdir(), 'anvil-sweep-bench-'));
  try {
    const { stdout, seconds } = runAnvilTimed('sweep bench', ['sweep', file, '--out', out, '--jobs', `${jobs}`]);
    const ran = /: (\d+) points? run, 0 unchanged/.exec(stdout);
    if (!ran) throw new Error(`sweep bench: anvil sweep printed no count of points run: ${stdout.trim()}`);
    return { jobs, points: Number(ran[1]), wall_s: seconds };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export const sweepSection: BenchSection = {
  name: 'sweep',
  description: 'anvil sweep of queue depth 1..256 on the P4510: points per wall second with --jobs 1 and 2, and the speed-up',
  async run(options: SectionOptions): Promise<Row[]> {
    const dir = mkdtempSync(join(tmpdir(), 'anvil-sweep-bench-file-'));
    try {
      const file = sweepFile(dir, options.quick);
      const speeds = SWEEP_BENCH_JOBS.map((jobs) => {
        options.log(`sweep: --jobs ${jobs}`);
        return timeSweep(file, jobs);
      });
      const rows: Row[] = speeds.map((s) => ({
        name: `sweep, --jobs ${s.jobs}`,
        value: s.points / s.wall_s,
        unit: 'points/s',
        note: `${s.points} points in ${s.wall_s.toFixed(2)} s wall, spawn to exit`,
      }));
      const [one, two] = rows;
      rows.push({
        name: 'sweep, speed-up of --jobs 2',
        value: (two!.value ?? 0) / (one!.value ?? 1),
        unit: 'x',
        note: 'points per second with 2 worker threads over 1 (the ideal is 2 on two free cores)',
      });
      return rows;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

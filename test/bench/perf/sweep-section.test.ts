/**
 * The bench's sweep section times `anvil sweep --jobs N` as a user runs it; what it reads from the run must
 * be what the run did: every point run (none skipped as unchanged, each timing starts from an empty
 * folder). Its time is the bench's business: not read here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SWEEP_BENCH_FILE, SWEEP_BENCH_JOBS, timeSweep } from '../../../bench/perf/sweep-section.js';
import { parseSweep } from '../../../bench/sweep/plan.js';
import { writeFiles } from '../../cli-harness.js';

describe('bench sweep section', () => {
  it('times the README sweep: queue depth 1..256 of a 4K random read on the P4510', () => {
    const plan = parseSweep(readFileSync(SWEEP_BENCH_FILE, 'utf8'), SWEEP_BENCH_FILE);
    expect(plan.points.map((p) => p.values[0])).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256]);
    expect(plan.profile).toBe('intel-p4510-4tb');
    expect(plan.jobText).toMatch(/rw=randread\nbs=4k/);
    expect(SWEEP_BENCH_JOBS).toEqual([1, 2]);
  });

  it('counts every point of a sweep as run, with one worker thread and with two', () => {
    const dir = writeFiles({
      'tiny.yaml':
        'kind: Sweep\njob: |\n  [j]\n  rw=randread\n  bs=4k\n  runtime=5ms\n  time_based\naxes:\n  - option: iodepth\n    values: [1, 2, 4]\n',
    });
    for (const jobs of SWEEP_BENCH_JOBS) {
      const speed = timeSweep(join(dir, 'tiny.yaml'), jobs);
      expect(speed).toMatchObject({ jobs, points: 3 });
      expect(speed.wall_s).toBeGreaterThan(0);
    }
  });
});

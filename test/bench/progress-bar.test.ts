import { describe, expect, it } from 'vitest';
import { parseProfile } from '../../bench/profiles.js';
import { progressBar, sweepProgressBar } from '../../bench/results/progress-bar.js';
import { runOnModel, type SimProgress } from '../../bench/targets/sim.js';
import { workload } from './spec-factory.js';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream };
}

describe('progress bar', () => {
  it('draws nothing when stderr is not a terminal', () => {
    const { stream } = fakeStream(false);
    expect(progressBar(stream)).toBeUndefined();
  });

  it('on a terminal shows simulated time, wall time and IOPS, redraws at most ten times a second, and clears itself', () => {
    const { writes, stream } = fakeStream(true);
    const bar = progressBar(stream)!;
    bar.update({ now_ns: 5e8, end_ns: 1e9, iops: 645_000, wall_s: 0.2 });
    bar.update({ now_ns: 6e8, end_ns: 1e9, iops: 645_000, wall_s: 0.25 }); // too soon: skipped
    bar.update({ now_ns: 1e9, end_ns: 1e9, iops: 640_000, wall_s: 0.4 });
    expect(writes).toHaveLength(2);
    expect(writes[0]).toMatch(/^\r\[#{15}\.{15}\] {2}50% sim 500 ms wall 0\.2 s 645k IOPS/);
    expect(writes[1]).toMatch(/100% sim 1\.00 s/);
    bar.done();
    expect(writes.at(-1)).toBe('\r\x1b[K');
  });
});

describe('progress of a model run (issue 11, point 18)', () => {
  it('counts the clones of a group_reporting job once: the bar shows the IOPS the result reports', () => {
    // 4 clones, 1 I/O in flight each, 10 us per I/O: 4 x 100k = 400k IOPS, in one shared recorder.
    const profile = parseProfile('kind: null\nlatency: 10us\ncapacity: 1G\n', 'null.yaml');
    const jobs = [0, 1, 2, 3].map((clone) => workload({ clone, groupReporting: true, iodepth: 1, runtime_ns: 100e6 }));
    const reports: SimProgress[] = [];
    const { writes, stream } = fakeStream(true);
    const bar = progressBar(stream)!;
    let wall = 0;
    const run = runOnModel({
      jobs,
      profile,
      seed: 1,
      onProgress: (p) => {
        reports.push(p);
        bar.update(p);
      },
      wallClock_s: () => (wall += 1), // every report is drawn
    });
    const measured = run.jobs[0]!.measured.read;
    expect(run.jobs).toHaveLength(1);
    expect(measured.total_ios).toBe(40_000);
    const full = reports.filter((p, i) => i > 0 && p.now_ns - reports[i - 1]!.now_ns === reports[1]!.now_ns - reports[0]!.now_ns);
    expect(full.length).toBeGreaterThan(10);
    for (const p of full) expect(p.iops).toBeCloseTo(400_000, -3);
    expect(writes.filter((w) => w.includes(' 400k IOPS')).length).toBeGreaterThan(10);
    expect(writes.some((w) => /\b1\.60M IOPS/.test(w))).toBe(false);
    expect(reports.at(-1)!.ios).toBe(measured.total_ios);
  });
});

describe('progress of a sweep (issue 21)', () => {
  it('shows points finished of all, those failed and the time left; nothing off a terminal', () => {
    expect(sweepProgressBar(fakeStream(false).stream)).toBeUndefined();
    const { writes, stream } = fakeStream(true);
    const bar = sweepProgressBar(stream)!;
    bar.update({ finished: 1, failed: 0, total: 4, wall_s: 2, eta_s: undefined });
    bar.update({ finished: 3, failed: 1, total: 4, wall_s: 6, eta_s: 2 });
    expect(writes[0]).toBe(`\r[${'#'.repeat(8)}${'.'.repeat(22)}]  25% 1/4 points, 0 failed, wall 2.0 s\x1b[K`);
    expect(writes[1]).toMatch(/ 75% 3\/4 points, 1 failed, wall 6\.0 s eta 2\.00 s/);
    bar.done();
    expect(writes.at(-1)).toBe('\r\x1b[K');
  });
});

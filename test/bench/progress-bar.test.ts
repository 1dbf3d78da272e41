import { describe, expect, it } from 'vitest';
import { progressBar } from '../../bench/results/progress-bar.js';

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
    expect(writes[0]).toMatch(/^\r\[#{15}\.{15}\]  50% sim 500 ms wall 0\.2 s 645k IOPS/);
    expect(writes[1]).toMatch(/100% sim 1\.00 s/);
    bar.done();
    expect(writes.at(-1)).toBe('\r\x1b[K');
  });
});

/** The token bucket (sim/resources) by its arithmetic, and the limit-only throttle station built on it. */
import { describe, expect, it } from 'vitest';
import { parseProfile } from '../../../bench/profiles.js';
import { loadWorkloads } from '../../../bench/workloads/resolve.js';
import { Model } from '../../../sim/model/model.js';
import { rateLimit } from '../../../sim/qos/rate-limit.js';
import { TokenBucket } from '../../../sim/resources/token-bucket.js';

describe('token bucket', () => {
  it('starts full, refills at its rate, never above its burst', () => {
    const bucket = new TokenBucket(1_000, 10); // 1 token per ms
    for (let k = 0; k < 10; k++) expect(bucket.tryTake(0, 1)).toBe(true);
    expect(bucket.tryTake(0, 1)).toBe(false);
    expect(bucket.readyAt_ns(0, 1)).toBe(1e6);
    expect(bucket.tokens(5e6)).toBeCloseTo(5, 9);
    expect(bucket.tokens(1e9)).toBe(10);
  });

  it('work larger than the burst waits for a full bucket, then overdraws; the debt is waited out', () => {
    const bucket = new TokenBucket(1_000, 10);
    expect(bucket.tryTake(0, 32)).toBe(true); // 10 - 32 = -22
    expect(bucket.tokens(0)).toBe(-22);
    // One more token needs 23 refilled: 23 ms.
    expect(bucket.readyAt_ns(0, 1)).toBeCloseTo(23e6, 3);
    expect(bucket.tryTake(22e6, 1)).toBe(false);
    expect(bucket.tryTake(23e6, 1)).toBe(true);
  });

  it('refuses a rate or burst that is not a positive finite number, naming it', () => {
    expect(() => new TokenBucket(0, 1)).toThrow(/rate must be a positive number/);
    expect(() => new TokenBucket(1, -1)).toThrow(/burst must be a number of tokens >= 0/);
  });
});

describe('rate-limit station', () => {
  const device = parseProfile('kind: null\nlatency: 10us\ncapacity: 1G\n', 'null.yaml');

  function run(bs: string, limit_iops: number, burst_ios: number): number {
    const model = new Model(1, 1e8);
    model.addDevice('dev', device.kind, device.params);
    const [spec] = loadWorkloads(`[capped]\nrw=randread\nbs=${bs}\niodepth=8\nruntime=1\ntime_based\n`, 'capped.fio', 2 ** 30, {}).specs;
    const job = model.addJob({ spec: spec!, device: 'dev', via: [rateLimit(model, { limit_iops, burst_ios })] });
    model.run(1e8);
    return job.recorder.read.total_ios;
  }

  it('a saturating job gets the burst plus rate x time: 20 + 2,000/s x 1 s', () => {
    // Tokens taken by 1 s - 10 us (the last ones still need the device's 10 us): 20 + 2,000 x 0.99999 = 2,019.98.
    const ios = run('4k', 2_000, 20);
    expect(ios).toBeGreaterThanOrEqual(2_019);
    expect(ios).toBeLessThanOrEqual(2_020);
  });

  it('charges a 128K I/O 32 units: 3,200 units/s let 100 I/Os a second through', () => {
    // Burst 64 units = two 128K I/Os at once; then one every 10 ms: 2 + 99.999 -> 101 by 1 s.
    const ios = run('128k', 3_200, 64);
    expect(ios).toBeGreaterThanOrEqual(101);
    expect(ios).toBeLessThanOrEqual(102);
  });
});

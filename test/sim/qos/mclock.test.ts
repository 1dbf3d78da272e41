/**
 * mClock in front of a `queue` device of known capacity C = 10,000 IOPS (one server, exponential service
 * of mean 100 us), checked against arithmetic:
 * - The device is always busy in these runs, so its completions are a Poisson process of rate C: over the
 *   1 s window their count has standard deviation sqrt(10,000) = 100 (1% of C). Shares that depend on the
 *   total get 4 standard deviations (400 IOPS).
 * - What mClock clocks (a reservation's R tags, a limit's L tags) runs on simulated time, not on the
 *   random service: a backlogged client's count in the window is rate * window, off only by the requests
 *   crossing the window's edges (at most the dispatch depth plus one, 9 here; 0.3% of 3,000). We allow 1%.
 * - Weight shares are ratios of P-tag progress: two backlogged clients' normalised service differs by at
 *   most one request's tag spacing, so a 2:1 weight gives 2:1 of the weight-phase dispatches to within a
 *   few requests in thousands. We allow 2.5%.
 */
import { describe, expect, it } from 'vitest';
import { ioCostUnits, LINEAR_4K } from '../../../sim/qos/io-cost.js';
import { CAPACITY_IOPS, job, runOnQueue } from './qos-harness.js';

const DEPTH = 8;
const POISSON_4SD_IOPS = 4 * Math.sqrt(CAPACITY_IOPS);
const within = (value: number, expected: number, tolerance: number) =>
  expect(Math.abs(value - expected), `${value} vs ${expected} +- ${tolerance}`).toBeLessThanOrEqual(tolerance);

describe("mClock reservation: a tier's guarantee whatever the neighbour does", () => {
  const jobs = job('victim', 16) + job('noisy', 256);
  const R = 3_000;
  const clients = [
    // The noisy neighbour's weight alone would give the victim 1/10 of C = 1,000: only the reservation gets it 3,000.
    { name: 'victim', reservation_iops: R, weight: 1 },
    { name: 'noisy', weight: 9 },
  ];

  it('without QoS, one FIFO device gives the victim its share of the requests in the system: 16/272 of C, far below R', () => {
    const run = runOnQueue(jobs, undefined);
    const fifoShare = (16 / (16 + 256)) * CAPACITY_IOPS; // 588 IOPS
    within(run.iops.victim!, fifoShare, 0.2 * fifoShare);
    expect(run.iops.victim!).toBeLessThan(R / 3);
    // Little's law for closed loops: everyone waits for all 272 I/Os at C, 27.2 ms (C is Poisson: 5%).
    within(run.clat_mean_ns.victim!, (272 / CAPACITY_IOPS) * 1e9, 0.05 * 27.2e6);
  });

  it('with QoS, the victim gets its reservation R and the neighbour the rest of C', () => {
    const run = runOnQueue(jobs, { clients, dispatch_depth: DEPTH });
    expect(run.iops.victim!).toBeGreaterThanOrEqual(R * 0.99);
    // Its weight-phase share (1/10 of C) is below R, so the reservation is all it gets.
    within(run.iops.victim!, R, 0.01 * R);
    within(run.iops.noisy!, CAPACITY_IOPS - R, POISSON_4SD_IOPS);
    // Little's law: the victim's 16 I/Os turn over at R, so each takes 16 / R = 5.33 ms, a fifth of the 27.2 ms it waits without QoS.
    within(run.clat_mean_ns.victim!, (16 / R) * 1e9, 0.02 * (16 / R) * 1e9);
    const scheduler = run.qos!.scheduler;
    const victim = run.qos!.clientIndex('victim');
    expect(scheduler.reservationDispatches[victim]!).toBeGreaterThan(0.95 * scheduler.unitsDispatched[victim]!);
    // The scheduler, not the device, holds the queue: at most DEPTH at the device.
    expect(scheduler.inDevice).toBeLessThanOrEqual(DEPTH);
  });

  it('the reservation holds however deep the neighbour goes', () => {
    const run = runOnQueue(job('victim', 16) + job('noisy', 2048), { clients, dispatch_depth: DEPTH });
    within(run.iops.victim!, R, 0.01 * R);
  });

  it('several jobs on one volume (fio clones, numjobs=4) share its one reservation', () => {
    const run = runOnQueue(job('victim', 4, 'numjobs=4\n') + job('noisy', 256), { clients, dispatch_depth: DEPTH });
    within(run.iops.victim!, R, 0.01 * R);
  });

  it('a victim that had the device to itself keeps its reservation when a neighbour arrives (served by weight is not served by reservation)', () => {
    // Alone for 0.5 s the victim is served 10,000 IOPS by weight. Had those I/Os advanced its R tags (1/R
    // each), the tags would stand 5,000 / 3,000 s = 1.7 s ahead and the reservation would give nothing
    // until then; mClock takes weight-phase I/Os off the R tags, so from 0.5 s the victim gets R again.
    const run = runOnQueue(
      job('victim', 16).replace('ramp_time=0.1', 'ramp_time=0.5').replace('runtime=1', 'runtime=0.5') +
        job('noisy', 256).replace('ramp_time=0.1', 'ramp_time=0').replace('runtime=1', 'runtime=0.5'),
      { clients, dispatch_depth: DEPTH },
      1,
      { noisy: 0.5e9 },
    );
    within(run.iops.victim!, R, 0.01 * R);
  });

  it('a victim with a larger weight share than its reservation gets the weight share (mClock: the larger of the two)', () => {
    const run = runOnQueue(jobs, {
      clients: [
        { name: 'victim', reservation_iops: R, weight: 1 },
        { name: 'noisy', weight: 1 },
      ],
      dispatch_depth: DEPTH,
    });
    within(run.iops.victim!, CAPACITY_IOPS / 2, POISSON_4SD_IOPS / 2);
  });
});

describe('mClock limit', () => {
  it('caps a client at its limit while the other takes the rest of the device (work conserving)', () => {
    const run = runOnQueue(job('capped', 64) + job('free', 64), {
      clients: [{ name: 'capped', limit_iops: 2_000 }, { name: 'free' }],
      dispatch_depth: DEPTH,
    });
    within(run.iops.capped!, 2_000, 0.01 * 2_000);
    within(run.iops.free!, CAPACITY_IOPS - 2_000, POISSON_4SD_IOPS);
  });

  it('caps a client alone on the device: the device idles rather than exceed the limit', () => {
    const run = runOnQueue(job('capped', 64), { clients: [{ name: 'capped', limit_iops: 2_500 }], dispatch_depth: DEPTH });
    within(run.iops.capped!, 2_500, 0.01 * 2_500);
  });
});

describe('mClock weights share the spare capacity', () => {
  it('2:1 weights with no reservations give 2:1 of the device', () => {
    const run = runOnQueue(job('heavy', 64) + job('light', 64), {
      clients: [
        { name: 'heavy', weight: 2 },
        { name: 'light', weight: 1 },
      ],
      dispatch_depth: DEPTH,
    });
    within(run.iops.heavy! / run.iops.light!, 2, 0.05);
    within(run.iops.heavy! + run.iops.light!, CAPACITY_IOPS, POISSON_4SD_IOPS);
  });

  it('what a reservation leaves (C - R) splits 2:1 between weights 2 and 1', () => {
    const R = 3_000;
    const run = runOnQueue(job('reserved', 32) + job('heavy', 64) + job('light', 64), {
      clients: [
        { name: 'reserved', reservation_iops: R, weight: 1 },
        { name: 'heavy', weight: 2 },
        { name: 'light', weight: 1 },
      ],
      dispatch_depth: DEPTH,
    });
    within(run.iops.reserved!, R, 0.01 * R);
    within(run.iops.heavy! / run.iops.light!, 2, 0.05);
    const spare = CAPACITY_IOPS - R;
    within(run.iops.heavy!, (2 / 3) * spare, POISSON_4SD_IOPS);
    within(run.iops.light!, (1 / 3) * spare, POISSON_4SD_IOPS);
  });

  it('a client arriving late gets its share at once, neither starving the others nor owed the time it was away', () => {
    // "early" has run alone for 0.5 s (its P tags are 5,000 requests ahead) when "late" starts; from then on
    // both backlogged clients of weight 1 share the device evenly. Without mClock's idle rule "late" would
    // take the whole device for 0.5 s. Window: 0.5 s to 1 s for both.
    const run = runOnQueue(
      job('early', 64).replace('runtime=1\nramp_time=0.1', 'runtime=0.5\nramp_time=0.5') +
        job('late', 64).replace('runtime=1\nramp_time=0.1', 'runtime=0.5\nramp_time=0'),
      { clients: [{ name: 'early' }, { name: 'late' }], dispatch_depth: DEPTH },
      1,
      { late: 0.5e9 },
    );
    // Poisson sd of the total over 0.5 s: sqrt(5,000) = 71 I/Os = 141 IOPS.
    within(run.iops.early!, CAPACITY_IOPS / 2, 4 * 141);
    within(run.iops.late!, CAPACITY_IOPS / 2, 4 * 141);
  });
});

describe('I/O-size cost: a large I/O counts as several small ones', () => {
  it('the linear model charges a 128K I/O as 32 units of 4K; the affine one adds a fixed part per I/O', () => {
    expect(ioCostUnits(LINEAR_4K, 131_072)).toBe(32);
    expect(ioCostUnits(LINEAR_4K, 512)).toBe(1);
    // Ceph-style: per_io_bytes = bandwidth / IOPS, e.g. 1.2 GB/s / 20,000 IOPS = 60,000 B: (131072 + 60000) / (4096 + 60000).
    expect(ioCostUnits({ ...LINEAR_4K, per_io_bytes: 60_000 }, 131_072)).toBeCloseTo(191_072 / 64_096, 12);
    // Writes priced apart (iocost-style): a 4K write at factor 10 costs 10 units, a 4K read still 1.
    expect(ioCostUnits({ ...LINEAR_4K, write_factor: 10 }, 4096, true)).toBe(10);
    expect(ioCostUnits({ ...LINEAR_4K, write_factor: 10 }, 4096, false)).toBe(1);
  });

  it('with writes at 4 units, a writer limited to 3,200 units/s gets 800 write IOPS', () => {
    const writer = job('writer', 32).replace('rw=randread', 'rw=randwrite');
    const run = runOnQueue(writer, { clients: [{ name: 'writer', limit_iops: 3_200 }], cost: { write_factor: 4 }, dispatch_depth: DEPTH });
    within(run.iops.writer!, 800, 8);
  });

  it('a 128K client limited to 3,200 units/s gets 100 IOPS, the same bandwidth as a 4K client at 3,200', () => {
    const run = runOnQueue(job('large', 32, 'bs=128k\n') + job('small', 32), {
      clients: [
        { name: 'large', limit_iops: 3_200 },
        { name: 'small', limit_iops: 3_200 },
      ],
      dispatch_depth: DEPTH,
    });
    within(run.iops.large!, 100, 2);
    within(run.iops.small!, 3_200, 32);
    within(run.bw_bytes.large! / run.bw_bytes.small!, 1, 0.02);
  });

  it('a reservation of 3,200 units/s gives a 128K client 100 IOPS beside a deep 4K neighbour', () => {
    const run = runOnQueue(job('large', 16, 'bs=128k\n') + job('noisy', 256), {
      clients: [
        { name: 'large', reservation_iops: 3_200, weight: 0.01 },
        { name: 'noisy', weight: 1 },
      ],
      dispatch_depth: DEPTH,
    });
    within(run.iops.large!, 100, 2);
    within(run.iops.noisy!, CAPACITY_IOPS - 100, POISSON_4SD_IOPS);
  });
});

describe('determinism', () => {
  const jobs = job('victim', 16) + job('noisy', 256);
  const qos = {
    clients: [
      { name: 'victim', reservation_iops: 3_000 },
      { name: 'noisy', weight: 9 },
    ],
    dispatch_depth: DEPTH,
  };

  it('the same seed gives the same numbers; another seed other ones', () => {
    const a = runOnQueue(jobs, qos, 7);
    const b = runOnQueue(jobs, qos, 7);
    const c = runOnQueue(jobs, qos, 8);
    expect(b.iops).toEqual(a.iops);
    expect(b.clat_mean_ns).toEqual(a.clat_mean_ns);
    expect(c.clat_mean_ns).not.toEqual(a.clat_mean_ns);
    expect(a.model.requests.inUse).toBe(0);
  });
});

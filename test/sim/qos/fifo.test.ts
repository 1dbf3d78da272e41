/**
 * The FIFO storage scheduler (sim/qos/fifo.ts), the declared alternative to mClock behind the same
 * interface: in front of the `queue` device of capacity C = 10,000 IOPS it serves requests in arrival order
 * with no reservation, limit or weight, so a closed-loop client gets its share of the requests in the
 * system, 16/272 of C, as with no scheduler at all, where mClock gives it its reservation.
 */
import { describe, expect, it } from 'vitest';
import { CAPACITY_IOPS, job, runOnQueue } from './qos-harness.js';

const DEPTH = 8;
const R = 3_000;
const jobs = job('victim', 16) + job('noisy', 256);
const clients = [
  { name: 'victim', reservation_iops: R, weight: 1 },
  { name: 'noisy', limit_iops: 5_000, weight: 9 },
];

describe('storage QoS with scheduler: fifo', () => {
  it('keeps no reservation or limit: each closed loop gets its share of the requests waiting', () => {
    const fifo = runOnQueue(jobs, { clients, dispatch_depth: DEPTH, scheduler: 'fifo' });
    const share = (16 / (16 + 256)) * CAPACITY_IOPS; // 588 IOPS
    expect(Math.abs(fifo.iops.victim! - share)).toBeLessThan(0.2 * share);
    // The noisy client's limit is not applied either: it takes the rest of the device.
    expect(fifo.iops.noisy!).toBeGreaterThan(8_500);
    const scheduler = fifo.qos!.scheduler;
    expect(scheduler.inDevice).toBeLessThanOrEqual(DEPTH);
    expect(scheduler.reservationDispatches[0]!).toBe(0);
    expect(scheduler.weightDispatches[0]! + scheduler.weightDispatches[1]!).toBeGreaterThan(0.9 * CAPACITY_IOPS * 0.1);
  });

  it('mClock on the same jobs and clients keeps the reservation and the limit', () => {
    const mclock = runOnQueue(jobs, { clients, dispatch_depth: DEPTH });
    expect(mclock.iops.victim!).toBeGreaterThanOrEqual(0.99 * R);
    expect(mclock.iops.noisy!).toBeLessThanOrEqual(1.01 * 5_000);
  });

  it('holds the same unit window as mClock: at most dispatch_units cost units at the device, one request always', () => {
    const big = job('victim', 16) + job('noisy', 64, 'bs=128k\n');
    const run = runOnQueue(big, { clients, dispatch_depth: 64, dispatch_units: 64, scheduler: 'fifo' });
    expect(run.qos!.scheduler.inDevice).toBeLessThanOrEqual(64);
    expect(run.iops.victim!).toBeGreaterThan(0);
    expect(run.iops.noisy!).toBeGreaterThan(0);
  });
});

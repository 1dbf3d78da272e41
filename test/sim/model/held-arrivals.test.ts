/**
 * An evenly spaced open-loop job faster than its device: arrivals beyond iodepth are held, as fio holds
 * them, without a request row each (job-generator.ts `defersHeld`): the pool stays at iodepth however
 * many wait, and a held arrival still travels the route it arrived on when the job is re-routed.
 */
import { describe, expect, it } from 'vitest';
import { Model } from '../../../sim/model/model.js';
import { workload } from '../../bench/spec-factory.js';
import { counter, nullDevice } from './route-stations.js';

describe('arrivals held at iodepth', () => {
  it('hold no request rows: the pool stays at iodepth while arrivals pile up, and each waits its due time', () => {
    const device = nullDevice('100us');
    const model = new Model(1, 1e6);
    model.addDevice('dev0', device.kind, device.params);
    // 100K IOPS offered (one every 10 us) to 2 slots of 100 us: 20K served, the rest held.
    const job = model.addJob({
      spec: workload({ iodepth: 2, runtime_ns: 2e6, rate_iops: { read: 100_000, write: 0 } }),
      device: 'dev0',
    });
    let mostInUse = 0;
    for (let t = 5e4; t < 2e6; t += 5e4) model.at(t, () => (mostInUse = Math.max(mostInUse, model.requests.inUse)));
    model.run(1e5);
    expect(mostInUse).toBe(2);
    const { slat, clat } = job.recorder.read;
    expect([clat.min_ns, clat.max_ns]).toEqual([100_000, 100_000]);
    // The I/O of pair j (arrivals 20j and 20j + 10 us) is submitted at 100j (+10) us: it waited 80j us.
    expect(slat.min_ns).toBe(0);
    expect(slat.max_ns % 80_000).toBe(0);
    expect(slat.max_ns).toBeGreaterThanOrEqual(18 * 80_000);
  });

  it('travel the route they arrived on when the job is re-routed while they wait', () => {
    const device = nullDevice('100us');
    const model = new Model(1, 1e6);
    model.addDevice('a', device.kind, device.params);
    model.addDevice('b', device.kind, device.params);
    const viaA = counter(model);
    const viaB = counter(model);
    const job = model.addJob({
      spec: workload({ iodepth: 2, runtime_ns: 2e6, rate_iops: { read: 100_000, write: 0 } }),
      device: 'a',
      via: [viaA],
    });
    // At 505 us, 51 have arrived and 11 gone: the 40 held (and more arriving) fill the rest of the run.
    model.at(505_000, () => model.reroute(job, 'b', [viaB]));
    model.run(1e5);
    expect(viaA.passed).toBeGreaterThan(11 + 20);
    expect(viaB.passed).toBe(0);
    expect(job.recorder.read.clat.n).toBeGreaterThan(30);
    expect(model.requests.inUse).toBe(0);
  });
});

/** Routes that change while the model runs: a job re-routed mid-run, a job attached at a later start. */
import { describe, expect, it } from 'vitest';
import { OP_READ } from '../../../sim/io/requests.js';
import { Model } from '../../../sim/model/model.js';
import { workload } from '../../bench/spec-factory.js';
import { counter, nullDevice } from './route-stations.js';

describe('routes that change while the model runs', () => {
  it('a flow re-routed mid-run: new I/Os take the new route, the old flow is retired, the job measures on', () => {
    const fast = nullDevice('10us');
    const slow = nullDevice('40us');
    const model = new Model(1, 1e6);
    model.addDevice('node-a/nvme0', fast.kind, fast.params);
    model.addDevice('node-b/nvme0', slow.kind, slow.params);
    const viaA = counter(model);
    const viaB = counter(model);
    const job = model.addJob({ spec: workload({ iodepth: 1, runtime_ns: 2e6 }), device: 'node-a/nvme0', via: [viaA] });
    const oldFlow = job.currentFlow;
    let newFlow = -1;
    model.at(1e6, () => (newFlow = model.reroute(job, 'node-b/nvme0', [viaB])));
    model.run(1e5);

    // First millisecond on the 10 us device (100 I/Os), then the second on the 40 us one (25 more).
    expect(viaA.passed).toBe(100);
    expect(viaB.passed).toBe(25);
    const clat = job.recorder.read.clat;
    expect(clat.n).toBe(125);
    expect([clat.min_ns, clat.max_ns]).toEqual([10_000, 40_000]);
    expect(job.recorder.window_ns).toBe(2e6);
    expect(newFlow).not.toBe(oldFlow);
    expect(model.requests.isRetired(oldFlow)).toBe(true);
    expect(() => model.requests.alloc(oldFlow, OP_READ, 0, 4096, model.sim.now)).toThrow(/retired/);
    expect(model.requests.inUse).toBe(0);
  });

  it('I/Os in flight when the flow is re-routed complete on their old route', () => {
    const slow = nullDevice('100us');
    const fast = nullDevice('10us');
    const model = new Model(1, 1e6);
    model.addDevice('old', slow.kind, slow.params);
    model.addDevice('new', fast.kind, fast.params);
    const job = model.addJob({ spec: workload({ iodepth: 4, runtime_ns: 1e6 }), device: 'old' });
    // At 50 us, four I/Os are half way through the 100 us device: they come back at 100 us, then the new route.
    model.at(50_000, () => model.reroute(job, 'new'));
    model.run(1e5);
    const clat = job.recorder.read.clat;
    expect(clat.counts[0]).toBe(0);
    expect(clat.max_ns).toBe(100_000);
    // 4 at 100 us, then (1 ms - 100 us) / 10 us rounds of 4.
    expect(clat.n).toBe(4 + 90 * 4);
  });

  it('a job attached at a later start time ramps and runs from there', () => {
    const device = nullDevice('10us');
    const model = new Model(1, 1e5);
    model.addDevice('dev0', device.kind, device.params);
    const early = model.addJob({ spec: workload({ name: 'early', runtime_ns: 2e6 }), device: 'dev0' });
    const late = model.addJob({ spec: workload({ name: 'late', runtime_ns: 5e5, ramp_ns: 1e5 }), device: 'dev0', start_ns: 1e6 });
    model.run(1e5);
    expect(late.state).toMatchObject({ state: 'done', started_ns: 1e6, finished_ns: 1.6e6 });
    expect(late.recorder.windowStart_ns).toBe(1.1e6);
    expect(late.recorder.window_ns).toBe(5e5);
    expect(late.recorder.read.total_ios).toBe(50);
    expect(late.recorder.read.intervals.map((r) => r.time_ns)).toEqual([1.2e6, 1.3e6, 1.4e6, 1.5e6, 1.6e6]);
    expect(early.recorder.read.total_ios).toBe(200);
    expect(model.sim.now).toBe(2e6);
  });
});

/**
 * The heap-free loops against the kernel: the single-server loop (sim/workload/single-server-loop.ts)
 * and the fused open loop (open-loop-single-server.ts). The same model of one job on one single-server
 * queue, once as the model runs it alone (on a loop) and once with an unused second device beside it
 * (which keeps it on the kernel's heap), must measure the same to the last bit: every histogram,
 * interval row, depth count, the job's lifecycle, the clock and the events fired.
 */
import { describe, expect, it } from 'vitest';
import { parseProfile } from '../../../bench/profiles.js';
import { Model } from '../../../sim/model/model.js';
import { NoProgressError } from '../../../sim/workload/job-generator.js';
import type { WorkloadSpec } from '../../../sim/workload/spec.js';
import { workload } from '../../bench/spec-factory.js';

const queue = (service: string, servers = 1) =>
  parseProfile(`kind: queue\nservers: ${servers}\nservice: ${service}\ncapacity: 1G\n`, 'queue.yaml');
const spare = parseProfile('kind: null\nlatency: 1us\ncapacity: 1G\n', 'null.yaml');

function runModel(spec: WorkloadSpec, service: string, onKernel: boolean, start_ns = 0) {
  const model = new Model(7, 1e6);
  const profile = queue(service);
  model.addDevice('dev0', profile.kind, profile.params);
  if (onKernel) model.addDevice('spare', spare.kind, spare.params);
  const job = model.addJob({ spec, device: 'dev0', name: 'job', start_ns });
  model.run(2e5);
  return {
    loop: model.ranOn,
    now: model.sim.now,
    events: model.sim.eventsFired,
    inUse: model.requests.inUse,
    state: job.state,
    measured: job.recorder.measured(),
  };
}

function expectSameOnBoth(spec: WorkloadSpec, service: string, loop: Model['ranOn'], start_ns = 0) {
  const onLoop = runModel(spec, service, false, start_ns);
  const onKernel = runModel(spec, service, true, start_ns);
  expect(onLoop.loop).toBe(loop);
  expect(onKernel.loop).toBe('kernel');
  expect(onLoop.measured.read.total_ios + onLoop.measured.write.total_ios).toBeGreaterThan(100);
  expect({ ...onLoop, loop: null }).toEqual({ ...onKernel, loop: null });
}

describe('the single-server loop gives the kernel results to the last bit', () => {
  it('M/M/1 at rho 0.9, Poisson arrivals, sequential reads', () => {
    const spec = workload({ pattern: 'sequential', rate_iops: { read: 900_000, write: 0 }, rateProcess: 'poisson', iodepth: 65536 });
    expectSameOnBoth({ ...spec, runtime_ns: 5e6 }, '{ dist: exponential, mean: 1us }', 'fused open loop');
  });

  it('M/M/1 overloaded: arrivals held at iodepth wait before submission, dropped at the end; random writes, a ramp, a late start', () => {
    const spec = workload({
      rate_iops: { read: 0, write: 1_500_000 },
      rateProcess: 'poisson',
      readFraction: 0,
      iodepth: 3,
      ramp_ns: 3e5,
      runtime_ns: 2e6,
    });
    const onLoop = runModel(spec, '{ dist: exponential, mean: 1us }', false, 1e5);
    expect(onLoop.measured.write.slat.max_ns).toBeGreaterThan(0);
    expectSameOnBoth(spec, '{ dist: exponential, mean: 1us }', 'fused open loop', 1e5);
  });

  it('an open-loop job bound by size stops issuing before its runtime', () => {
    const spec = workload({ rate_iops: { read: 500_000, write: 0 }, size_bytes: 4096 * 700, timeBased: false, iodepth: 2 });
    expectSameOnBoth(spec, '{ dist: uniform, min: 1us, max: 5us }', 'fused open loop');
  });

  it('evenly spaced arrivals that tie with departures (deterministic service equal to the gap)', () => {
    const spec = workload({ rate_iops: { read: 1_000_000, write: 0 }, iodepth: 4, runtime_ns: 2e6 });
    expectSameOnBoth(spec, '{ dist: deterministic, mean: 1us }', 'fused open loop');
  });

  it('arrivals held at iodepth (submission latency), a ramp, a mix of reads and writes, a late start', () => {
    const spec = workload({
      rate_iops: { read: 1_500_000, write: 1_500_000 },
      rateProcess: 'poisson',
      readFraction: 0.7,
      blockSize_bytes: { read: 4096, write: 8192 },
      iodepth: 3,
      ramp_ns: 3e5,
      runtime_ns: 2e6,
    });
    expectSameOnBoth(spec, '{ dist: exponential, mean: 1us }', 'single-server loop', 1e5);
  });

  it('a closed loop, random offsets, uniform service', () => {
    expectSameOnBoth(workload({ iodepth: 8, runtime_ns: 3e6 }), '{ dist: uniform, min: 1us, max: 3us }', 'single-server loop');
  });

  it('a job bound by size ends before its runtime, its end event still waiting', () => {
    const spec = workload({ pattern: 'sequential', size_bytes: 4096 * 500, timeBased: false, iodepth: 2, runtime_ns: 1e9 });
    expectSameOnBoth(spec, '{ dist: lognormal, mean: 2us, stddev: 1us }', 'single-server loop');
  });

  it('a closed loop on a zero service time is stopped as on the kernel', () => {
    const spec = workload({ iodepth: 2 });
    for (const onKernel of [false, true])
      expect(() => runModel(spec, '{ dist: deterministic, mean: 0ns }', onKernel)).toThrow(NoProgressError);
  });

  it('is not used for a station of several servers', () => {
    const model = new Model(7, 1e6);
    const profile = queue('{ dist: exponential, mean: 1us }', 2);
    model.addDevice('dev0', profile.kind, profile.params);
    model.addJob({ spec: workload({ iodepth: 4, runtime_ns: 1e5 }), device: 'dev0' });
    model.run(2e5);
    expect(model.ranOn).toBe('kernel');
    expect(model.completedIos()).toBeGreaterThan(0);
  });
});

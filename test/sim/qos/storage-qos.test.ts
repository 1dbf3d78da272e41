/** The storageQos builder: routes through it, its checks, and a fio job file on an NVMe drive model through it. */
import { describe, expect, it } from 'vitest';
import { loadProfile, parseProfile } from '../../../bench/profiles.js';
import { loadWorkloads } from '../../../bench/workloads/resolve.js';
import { Model } from '../../../sim/model/model.js';
import { storageQos, type StorageQosClient } from '../../../sim/qos/storage-qos.js';
import { workload } from '../../bench/spec-factory.js';

const QUEUE = parseProfile('kind: queue\nservers: 1\nservice: { dist: deterministic, mean: 100us }\n', 'queue.yaml');

function queueModel(): Model {
  const model = new Model(1, 1e8);
  model.addDevice('dev', QUEUE.kind, QUEUE.params);
  return model;
}

describe('storageQos builder', () => {
  it('gives each volume a route [job, its port, device, the completion port, job]; the model lays it out so', () => {
    const model = queueModel();
    const qos = storageQos(model, { device: 'dev', clients: [{ name: 'a' }, { name: 'b' }] });
    const job = model.addJob({ spec: workload({ runtime_ns: 1e6 }), ...qos.route('b') });
    const route = model.requests.route(job.currentFlow);
    expect(route).toEqual([job, qos.scheduler.ports[1], model.device('dev').instance, qos.scheduler.completion, job]);
    // A re-routed job keeps going through the QoS when given the same pieces.
    const { via, after } = qos.route('a');
    const flow = model.reroute(job, 'dev', via, after);
    expect(model.requests.route(flow)).toEqual([job, qos.scheduler.ports[0], model.device('dev').instance, qos.scheduler.completion, job]);
  });

  it('refuses, naming the device and client: no clients, a name twice, a limit below the reservation, a bad weight, an unknown volume', () => {
    const model = queueModel();
    const build = (clients: StorageQosClient[]) => () => storageQos(model, { device: 'dev', clients });
    expect(build([])).toThrow(/storage QoS on "dev": give at least one client/);
    expect(build([{ name: 'a' }, { name: 'a' }])).toThrow(/client "a" is named twice/);
    expect(build([{ name: 'a', reservation_iops: 500, limit_iops: 400 }])).toThrow(
      /client "a": limit_iops \(400\) is below reservation_iops \(500\)/,
    );
    expect(build([{ name: 'a', weight: 0 }])).toThrow(/client "a": weight must be a positive number/);
    expect(build([{ name: 'a', reservation_iops: -1 }])).toThrow(/reservation_iops must be a number of IOPS >= 0/);
    expect(() => storageQos(model, { device: 'dev', clients: [{ name: 'a' }], dispatch_depth: 0 })).toThrow(
      /dispatch depth must be a whole number >= 1/,
    );
    expect(() => storageQos(model, { device: 'dev', clients: [{ name: 'a' }], cost: { unit_bytes: 0 } })).toThrow(
      /unit_bytes must be a positive size/,
    );
    expect(() => storageQos(model, { device: 'nope', clients: [{ name: 'a' }] })).toThrow(/no device "nope"/);
    expect(() => storageQos(model, { device: 'dev', clients: [{ name: 'a' }] }).route('b')).toThrow(/no client "b" \(clients: a\)/);
  });

  it('refuses reservations that add up to more than the device can ever do (a 100 us server: 10,000 IOPS)', () => {
    const model = queueModel();
    expect(() =>
      storageQos(model, {
        device: 'dev',
        clients: [
          { name: 'a', reservation_iops: 6_000 },
          { name: 'b', reservation_iops: 5_000 },
        ],
      }),
    ).toThrow(/reservations add up to 11000 IOPS of 4096 bytes, above the device's peak of 10000/);
    expect(() =>
      storageQos(model, {
        device: 'dev',
        clients: [
          { name: 'a', reservation_iops: 6_000 },
          { name: 'b', reservation_iops: 4_000 },
        ],
      }),
    ).not.toThrow();
  });
});

describe('a fio job file on an Intel P4510 model through storage QoS', () => {
  // Two jobs on one drive: the victim (iodepth 32) beside a noisy neighbour (iodepth 256).
  const JOBS = '[global]\nrw=randread\nbs=4k\nruntime=0.05\nramp_time=0.01\ntime_based\n[victim]\niodepth=32\n[noisy]\niodepth=256\n';
  const R = 150_000;

  function run(withQos: boolean): { victim: number; noisy: number } {
    const profile = loadProfile('intel-p4510-4tb');
    const model = new Model(1, 1e8);
    model.addDevice('nvme0', profile.kind, profile.params);
    const qos = withQos
      ? storageQos(model, {
          device: 'nvme0',
          dispatch_depth: 64,
          clients: [
            { name: 'victim', reservation_iops: R },
            { name: 'noisy', weight: 9 },
          ],
        })
      : undefined;
    const specs = loadWorkloads(JOBS, 'noisy-neighbour.fio', model.device('nvme0').instance.capacity_bytes, {}).specs;
    const [victim, noisy] = specs.map((spec) => model.addJob({ spec, ...(qos ? qos.route(spec.name) : { device: 'nvme0' }) }));
    model.run(1e7);
    const iops = (j: typeof victim) => j!.recorder.read.total_ios / (j!.recorder.window_ns / 1e9);
    return { victim: iops(victim), noisy: iops(noisy) };
  }

  it('without QoS the victim gets its share of the requests (32 of 288, a ninth of the drive), below R; with it, R', () => {
    const bare = run(false);
    expect(bare.victim / (bare.victim + bare.noisy)).toBeCloseTo(1 / 9, 1);
    expect(bare.victim).toBeLessThan(R / 1.5);
    // With QoS, at dispatch depth 64 the victim's 32 I/Os see the device's latency at depth 64, short
    // enough for 150K IOPS; its R tags clock 150,000 a second (1% for the window's edges).
    const guarded = run(true);
    expect(guarded.victim).toBeGreaterThanOrEqual(0.99 * R);
  });
});

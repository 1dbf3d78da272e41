/**
 * Issue 13: a storage QoS window in cost units. Requests alone let a neighbour's 128K writes fill the
 * drive's queue (64 of them ahead of every small I/O of a reserved client, milliseconds each); with the
 * window counted in 4K units as well, a 128K write takes 32 of the 64 slots and the reservation holds.
 */
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../../../bench/profiles.js';
import { loadWorkloads } from '../../../bench/workloads/resolve.js';
import { Model } from '../../../sim/model/model.js';
import { storageQos } from '../../../sim/qos/storage-qos.js';

// The victim: 8K random 70/30 at QD8 (an OLTP database); the neighbour: 128K sequential writes at QD32.
const JOBS =
  '[global]\nruntime=0.2\nramp_time=0.05\ntime_based\n[victim]\nrw=randrw\nrwmixread=70\nbs=8k\niodepth=8\n[noisy]\nrw=write\nbs=128k\niodepth=32\n';
/** The victim's reservation, 4K units a second (its 8K I/Os cost 2 each). */
const R = 40_000;

function victimUnitsPerSecond(dispatch_units?: number): number {
  const profile = loadProfile('intel-p4510-4tb');
  const model = new Model(1, 1e8);
  model.addDevice('nvme0', profile.kind, profile.params);
  const qos = storageQos(model, {
    device: 'nvme0',
    dispatch_depth: 64,
    ...(dispatch_units !== undefined ? { dispatch_units } : {}),
    clients: [{ name: 'victim', reservation_iops: R }, { name: 'noisy' }],
  });
  const specs = loadWorkloads(JOBS, 'neighbour.fio', model.device('nvme0').instance.capacity_bytes, {}).specs;
  const [victim] = specs.map((spec) => model.addJob({ spec, ...qos.route(spec.name) }));
  model.run(1e7);
  const r = victim!.recorder;
  return ((r.read.total_ios + r.write.total_ios) * 2) / (r.window_ns / 1e9);
}

describe('storage QoS with a window in cost units', () => {
  it("keeps a small-I/O client's reservation beside 128K writes, which a window of requests alone does not", () => {
    expect(victimUnitsPerSecond()).toBeLessThan(0.5 * R);
    // 2% for the window's edges of a closed-loop job.
    expect(victimUnitsPerSecond(64)).toBeGreaterThanOrEqual(0.98 * R);
  });

  it('refuses a window of zero units', () => {
    const profile = loadProfile('intel-p4510-4tb');
    const model = new Model(1, 1e8);
    model.addDevice('nvme0', profile.kind, profile.params);
    expect(() => storageQos(model, { device: 'nvme0', dispatch_units: 0, clients: [{ name: 'a' }] })).toThrow(
      /dispatch units must be above 0/,
    );
  });
});

/**
 * Issue 13: an I/O that comes back with STATUS_ERROR (its volume had no plex to serve it) is counted, not
 * measured, and its job stops at the first one as fio does without continue_on_error; fio's JSON then
 * carries `error` (EIO), `total_err` and `first_error`, and a job without errors is written as before.
 */
import { describe, expect, it } from 'vitest';
import { parseProfile } from '../../../bench/profiles.js';
import { fioJson } from '../../../bench/results/fio-json.js';
import { runModel } from '../../../bench/targets/sim.js';
import { STATUS_ERROR, type Station } from '../../../sim/io/requests.js';
import { Model } from '../../../sim/model/model.js';
import { workload } from '../../bench/spec-factory.js';

const nullDevice = parseProfile('kind: null\nlatency: 10us\ncapacity: 1G\n', 'null.yaml');

/** Marks every I/O that passes from `from_ns` on as failed (as a volume with no plex left does). */
function failingFrom(model: Model, from_ns: number): Station {
  return {
    accept(req: number) {
      if (model.sim.now >= from_ns) model.requests.status[req] = STATUS_ERROR;
      model.requests.forward(req);
    },
  };
}

describe('I/O errors on the model', () => {
  it('counts the errored I/Os, leaves them out of the latencies, and stops the job at the first', () => {
    const model = new Model(1, 1e5);
    model.addDevice('dev0', nullDevice.kind, nullDevice.params);
    // Closed loop at depth 4 on a 10 us device: rounds of 4 complete every 10 us. From 105 us on, I/Os fail:
    // the round submitted at 110 us comes back failed at 120 us, all four of it.
    const failing = model.addJob({
      spec: workload({ name: 'failing', iodepth: 4, runtime_ns: 1e6 }),
      device: 'dev0',
      via: [failingFrom(model, 105_000)],
    });
    const healthy = model.addJob({ spec: workload({ name: 'healthy', iodepth: 1, runtime_ns: 1e6 }), device: 'dev0' });
    const run = runModel(model, { profile: { name: 'null', title: 'null', kind: 'null', path: 'null.yaml' }, horizon_ns: 2e6 });

    expect(failing.recorder.errors).toBe(4);
    expect(failing.recorder.read.total_ios).toBe(11 * 4);
    expect(failing.state).toEqual({ state: 'done', started_ns: 0, finished_ns: 120_000 });
    expect(failing.recorder.windowEnd_ns).toBe(120_000);
    expect(healthy.recorder.errors).toBe(0);
    expect(healthy.recorder.read.total_ios).toBe(100);
    expect(model.requests.inUse).toBe(0);

    const [failed, fine] = run.jobs;
    expect(failed!.measured.total_err).toBe(4);
    expect('total_err' in fine!.measured).toBe(false);
    const doc = fioJson(run, { format: 'json', version: 'test', timestamp_s: 0 }) as { jobs: Record<string, unknown>[] };
    expect(doc.jobs[0]).toMatchObject({ error: 5, total_err: 4, first_error: 5 });
    expect(doc.jobs[1]).toMatchObject({ error: 0 });
    expect(Object.keys(doc.jobs[1]!)).not.toContain('total_err');
    expect(Object.keys(doc.jobs[1]!)).not.toContain('first_error');
  });
});

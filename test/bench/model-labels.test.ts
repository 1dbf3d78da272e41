/** A model of several devices with labelled jobs: labels reach fio JSON and the Arrow tables; each device draws from its own streams. */
import pl from 'nodejs-polars';
import { describe, expect, it } from 'vitest';
import { loadProfile, parseProfile } from '../../bench/profiles.js';
import { arrowTables } from '../../bench/results/arrow-tables.js';
import { fioJson } from '../../bench/results/fio-json.js';
import { runModel } from '../../bench/targets/sim.js';
import { Model } from '../../sim/model/model.js';
import { workload } from './spec-factory.js';

const describeProfile = (p: { name: string; title: string; kind: { name: string }; path: string }) => ({
  name: p.name,
  title: p.title,
  kind: p.kind.name,
  path: p.path,
});

describe('a model of many devices and labelled jobs', () => {
  it('two NVMe devices with two labelled jobs each: labels in the fio JSON and as Arrow columns', () => {
    const nvme = loadProfile('intel-p4510-4tb');
    const model = new Model(7, 1e6);
    for (const node of ['node-a', 'node-b']) {
      model.addDevice(`${node}/nvme0`, nvme.kind, nvme.params);
      for (const pod of ['web', 'db']) {
        const spec = workload({ name: `${pod}-io`, iodepth: 4, runtime_ns: 5e6, readFraction: pod === 'db' ? 0.7 : 1 });
        model.addJob({ spec, device: `${node}/nvme0`, labels: { node, pod, tenant: pod === 'db' ? 'acme' : 'globex' } });
      }
    }
    const run = runModel(model, { profile: describeProfile(nvme), horizon_ns: 5e6 });
    expect(run.devices?.map((d) => d.name)).toEqual(['node-a/nvme0', 'node-b/nvme0']);

    const json = fioJson(run, { format: 'json', version: 'test', timestamp_s: 0 }) as { jobs: Record<string, unknown>[] };
    expect(json.jobs.map((j) => j.anvil_labels)).toEqual([
      { node: 'node-a', pod: 'web', tenant: 'globex' },
      { node: 'node-a', pod: 'db', tenant: 'acme' },
      { node: 'node-b', pod: 'web', tenant: 'globex' },
      { node: 'node-b', pod: 'db', tenant: 'acme' },
    ]);
    // fio's own keys are all still there, in fio's order, before Anvil's.
    expect(Object.keys(json.jobs[0]!).slice(0, 3)).toEqual(['jobname', 'groupid', 'error']);
    expect(Object.keys(json.jobs[0]!).at(-1)).toBe('anvil_labels');

    const tables = arrowTables(run, { version: 'test', jobfile: 'model' });
    for (const name of ['jobs.arrow', 'intervals.arrow', 'latency_histogram.arrow', 'interval_histogram.arrow']) {
      const table = pl.readIPC(Buffer.from(tables.get(name)!));
      expect(table.columns.slice(table.columns.indexOf('job'), table.columns.indexOf('job') + 4)).toEqual(['job', 'node', 'pod', 'tenant']);
      expect(table.height).toBeGreaterThan(0);
      // Every row carries its job's labels: the pod decides the tenant, and the job name says the pod.
      const rows = table.select('job', 'node', 'pod', 'tenant').unique().sort(['node', 'pod']).toRecords();
      expect(rows).toEqual([
        { job: 'db-io', node: 'node-a', pod: 'db', tenant: 'acme' },
        { job: 'web-io', node: 'node-a', pod: 'web', tenant: 'globex' },
        { job: 'db-io', node: 'node-b', pod: 'db', tenant: 'acme' },
        { job: 'web-io', node: 'node-b', pod: 'web', tenant: 'globex' },
      ]);
    }
    const jobs = pl.readIPC(Buffer.from(tables.get('jobs.arrow')!));
    const webReads = jobs.filter(
      pl
        .col('pod')
        .eq(pl.lit('web'))
        .and(pl.col('direction').eq(pl.lit('read'))),
    );
    expect(webReads.getColumn('total_ios').toArray()).toEqual([run.jobs[0]!.measured.read.total_ios, run.jobs[2]!.measured.read.total_ios]);
  });

  it('a job without labels writes no label key and no label column', () => {
    const queue = parseProfile('kind: null\nlatency: 10us\ncapacity: 1G\n', 'null.yaml');
    const model = new Model(1, 1e5);
    model.addDevice('dev0', queue.kind, queue.params);
    model.addJob({ spec: workload({ runtime_ns: 1e6 }), device: 'dev0' });
    const run = runModel(model, { profile: describeProfile(queue), horizon_ns: 1e6 });
    const json = fioJson(run, { format: 'json', version: 'test', timestamp_s: 0 }) as { jobs: Record<string, unknown>[] };
    expect(json.jobs[0]).not.toHaveProperty('anvil_labels');
    const jobs = pl.readIPC(Buffer.from(arrowTables(run, { version: 'test', jobfile: 'x' }).get('jobs.arrow')!));
    expect(jobs.columns.slice(0, 3)).toEqual(['job', 'clones', 'direction']);
  });

  it('devices with the same parameters on different nodes draw from their own streams', () => {
    const queue = parseProfile('kind: queue\nservers: 1\nservice: { dist: exponential, mean: 20us }\ncapacity: 1G\n', 'queue.yaml');
    const model = new Model(3, 1e6);
    for (const node of ['n1', 'n2']) {
      model.addDevice(`${node}/nvme0`, queue.kind, queue.params);
      model.addJob({ spec: workload({ runtime_ns: 2e6 }), device: `${node}/nvme0`, labels: { node } });
    }
    const run = runModel(model, { profile: describeProfile(queue), horizon_ns: 2e6 });
    const [a, b] = run.jobs.map((j) => j.measured.read.clat);
    expect(a!.n).toBeGreaterThan(50);
    expect(b!.n).toBeGreaterThan(50);
    expect(a!.mean_ns).not.toBe(b!.mean_ns);
  });

  it('refuses a label named like a result column, rather than writing two columns of one name', () => {
    const device = parseProfile('kind: null\nlatency: 10us\ncapacity: 1G\n', 'null.yaml');
    const model = new Model(1, 1e5);
    model.addDevice('dev0', device.kind, device.params);
    model.addJob({ spec: workload({ runtime_ns: 1e5 }), device: 'dev0', labels: { direction: 'north' } });
    const run = runModel(model, { profile: describeProfile(device), horizon_ns: 1e5 });
    expect(() => arrowTables(run, { version: 'test', jobfile: 'x' })).toThrow(/job label "direction" has the name of a result column/);
  });
});

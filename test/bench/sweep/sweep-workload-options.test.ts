/**
 * fio options inside a cluster scenario's workloads as sweep axes (issue 21): `job.OPTION` sets it in
 * every workload's job, `workloads.N.job.OPTION` in the N-th, `workloads.POD.OPTION` in those of pod POD;
 * the option and each value are checked when the sweep is read (a coded error naming the line and axis),
 * and a point's scenario is the base with only those jobs changed.
 */
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseSweep } from '../../../bench/sweep/plan.js';
import { pointInputs } from '../../../bench/sweep/point-inputs.js';
import { caughtAnvilError as caught } from '../../caught.js';
import { writeFiles } from '../../cli-harness.js';

const SCENARIO = `kind: ClusterScenario
name: two-dbs
duration: 200ms
nodes: { count: 1, profile: appliance-d10 }
tenants:
  - name: shop
pods:
  - { name: orders-db, tenant: shop, cpu: 2, memory: 4Gi, volumes: [orders] }
  - { name: stock-db, tenant: shop, cpu: 2, memory: 4Gi, volumes: [stock] }
volumes:
  - { name: orders, tenant: shop, size: 100Gi }
  - { name: stock, tenant: shop, size: 100Gi }
workloads:
  - pod: orders-db
    volume: orders
    job: |
      [oltp]
      rw=randrw
      bs=8k
      iodepth=8
      runtime=200ms
  - pod: shop/stock-db
    volume: stock
    job: |
      [global]
      iodepth=4
      [scan]
      rw=read
      bs=128k
`;

function plan(axes: string) {
  const dir = writeFiles({ 'base.yaml': SCENARIO });
  return parseSweep(`kind: Sweep\nbase: base.yaml\naxes:\n${axes}`, join(dir, 'sweep.yaml'));
}

/** The job files of a point's workloads. */
function jobsOf(axes: string, index: number): string[] {
  const p = plan(axes);
  const text = pointInputs(p, p.points[index]!, 'v').scenarioText!;
  return (parse(text) as { workloads: { job: string }[] }).workloads.map((w) => w.job);
}

describe('fio options in a scenario workload as sweep axes', () => {
  it("sets an option in every workload with job.OPTION, replacing each job's own setting", () => {
    const [orders, stock] = jobsOf('  - { field: job.iodepth, values: [1, 32] }\n', 1);
    expect(orders).toBe('[oltp]\niodepth=32\nrw=randrw\nbs=8k\nruntime=200ms\n');
    // The [global] line goes; each job gets its own.
    expect(stock).toBe('[global]\n[scan]\niodepth=32\nrw=read\nbs=128k\n');
  });

  it('sets it in one workload by index (workloads.N.job.OPTION) or by pod (workloads.POD.OPTION), the others unchanged', () => {
    const base = jobsOf('  - { field: duration, values: [200ms] }\n', 0);
    const byIndex = jobsOf('  - { field: workloads.1.job.bs, values: [64k] }\n', 0);
    expect(byIndex[0]).toBe(base[0]);
    expect(byIndex[1]).toBe('[global]\niodepth=4\n[scan]\nbs=64k\nrw=read\n');
    const byPod = jobsOf('  - { field: workloads.stock-db.iodepth, values: [16] }\n', 0);
    expect(byPod[0]).toBe(base[0]);
    expect(byPod[1]).toBe('[global]\n[scan]\niodepth=16\nrw=read\nbs=128k\n');
    // The axis is the merged table's column, and each value makes a point of its own.
    const p = plan('  - { field: workloads.orders-db.job.iodepth, values: [1, 2, 4] }\n');
    expect(p.axes.map((a) => a.name)).toEqual(['workloads.orders-db.job.iodepth']);
    expect(new Set(p.points.map((q) => pointInputs(p, q, 'v').digest)).size).toBe(3);
  });

  it('refuses an option the model does not take, a workload that is not there and a value the job reader refuses, each by line and axis', () => {
    const e = caught(() =>
      plan(
        [
          '  - { field: job.latency_target, values: [5ms] }',
          '  - { field: workloads.5.job.bs, values: [4k] }',
          '  - { field: workloads.cache.iodepth, values: [1] }',
          '  - { field: workloads.0.job.rw, values: [read, sideways] }',
        ].join('\n') + '\n',
      ),
    );
    expect(e.code).toBe('ANVIL_ERR_SWEEP');
    const details = e.details.join('\n');
    expect(details).toMatch(
      /sweep\.yaml:4: \/axes\/0: axis job\.latency_target: field job\.latency_target: option 'latency_target' is not supported by the model/,
    );
    expect(details).toMatch(
      /sweep\.yaml:5: \/axes\/1: axis workloads\.5\.job\.bs: .*no workload of the scenario is there \(it has 2, on pods orders-db, stock-db\)/,
    );
    expect(details).toMatch(/sweep\.yaml:6: \/axes\/2: axis workloads\.cache\.iodepth: .*no workload of the scenario is there/);
    expect(details).toMatch(
      /sweep\.yaml:7: \/axes\/3: axis workloads\.0\.job\.rw: field workloads\.0\.job\.rw = "sideways": .*rw=sideways is not a mode the model runs/,
    );
    expect(details).not.toMatch(/= "read"/);
  });
});

/**
 * Issue 13, storage QoS in the I/O path: per volume a reservation, a limit and a weight for spare
 * capacity. Two tiers without reservations saturate one drive; a tier's `storage_weight` sets their split of
 * it (mClock's weight phase), and a tier that names none weighs the default (vSphere's Normal shares).
 */
import { describe, expect, it } from 'vitest';
import { anvilInProcess } from '../../cli-harness.js';
import { scenarioFile } from './scenario-files.js';

interface PodJson {
  pod: string;
  iops: number;
}

/** One appliance-d10 node; pods `heavy` and `light` of tiers weighing `heavy` and `light` shares (omitted where undefined), each reading 4K at QD64 as fast as it can (together twice the QoS dispatch depth of 64, so the scheduler, not the drive, orders them). */
async function split(heavy: number | undefined, light: number | undefined): Promise<{ heavy: number; light: number }> {
  const weight = (w: number | undefined) => (w === undefined ? '' : `, storage_weight: ${w}`);
  const file = scenarioFile(`kind: ClusterScenario
name: two weights on one drive
stack: hci
seed: 3
duration: 600ms
warmup: 200ms
interval: 200ms
nodes: { count: 1, profile: appliance-d10 }
networks:
  - { name: pods, subnet: 10.1.0.0/24, start: 10.1.0.10, end: 10.1.0.250, gateway: 10.1.0.1, default: true }
tenants: [{ name: t }]
perf_tiers:
  - { name: heavy-tier, storage_iops: 0, network_bandwidth: 1M${weight(heavy)} }
  - { name: light-tier, storage_iops: 0, network_bandwidth: 1M${weight(light)} }
volumes:
  - { name: heavy-vol, tenant: t, size: 10Gi, perf_tier: heavy-tier }
  - { name: light-vol, tenant: t, size: 10Gi, perf_tier: light-tier }
pods:
  - { name: heavy, tenant: t, cpu: 1, memory: 1Gi, volumes: [heavy-vol] }
  - { name: light, tenant: t, cpu: 1, memory: 1Gi, volumes: [light-vol] }
workloads:
  - { pod: heavy, volume: heavy-vol, job: "[load]\\nrw=randread\\nbs=4k\\niodepth=64\\ntime_based\\nruntime=600ms\\n" }
  - { pod: light, volume: light-vol, job: "[load]\\nrw=randread\\nbs=4k\\niodepth=64\\ntime_based\\nruntime=600ms\\n" }
`);
  const r = await anvilInProcess(['run', file, '--output-format', 'json'], { SOURCE_DATE_EPOCH: '1700000000' });
  expect(r.stderr).not.toMatch(/ANVIL_ERR/);
  expect(r.code).toBe(0);
  const pods = (JSON.parse(r.stdout) as { anvil_scenario: { pods: PodJson[] } }).anvil_scenario.pods;
  const iops = (name: string) => pods.find((p) => p.pod === `t/${name}`)!.iops;
  return { heavy: iops('heavy'), light: iops('light') };
}

describe('a perf tier weight shares a drive between volumes that want more than it gives', () => {
  it('splits the drive 4:1 between 2000 and 500 shares, and evenly when neither tier names a weight', async () => {
    const weighted = await split(2000, 500);
    expect(weighted.heavy / weighted.light).toBeGreaterThan(3.6);
    expect(weighted.heavy / weighted.light).toBeLessThan(4.4);
    const even = await split(undefined, undefined);
    expect(even.heavy / even.light).toBeGreaterThan(0.9);
    expect(even.heavy / even.light).toBeLessThan(1.1);
    // The drive is saturated either way: the weights move its I/Os between the volumes, not its total.
    expect((weighted.heavy + weighted.light) / (even.heavy + even.light)).toBeCloseTo(1, 1);
    // A tier of 2000 against one that names none (1000): 2:1.
    const half = await split(2000, undefined);
    expect(half.heavy / half.light).toBeGreaterThan(1.8);
    expect(half.heavy / half.light).toBeLessThan(2.2);
  });

  it('refuses a weight out of its range at its path', async () => {
    const r = await anvilInProcess([
      'perf-tier',
      'create',
      'x',
      '--storage-iops',
      '1k',
      '--network-bandwidth',
      '1M',
      '--storage-weight',
      '0',
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--storage-weight/);
    expect(r.stderr).toMatch(/1 to 100,?000/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

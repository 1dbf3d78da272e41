/**
 * Issue 13: admission from what the model says a node can guarantee, so that "admitted" means "kept".
 * Before, appliance-d10 admitted 500K IOPS (its rated figure) and full-node.yaml's 25 pods of 20K got
 * ~15.8K each from the model; now the node admits what its drive keeps behind the storage QoS at the
 * tier's I/O (test/sim/nvme-guarantee.test.ts has the figure against arithmetic), every admitted pod gets
 * its reservation, and the pods beyond it stay pending with a reason that names both figures.
 */
import { describe, expect, it } from 'vitest';
import { loadNodeProfile, nodeCapacityAt } from '../../../platform/domain/node-profile.js';
import { anvilInProcess } from '../../cli-harness.js';
import { scenarioFile, shortenedScenario } from './scenario-files.js';

const FIXED_TIME = { SOURCE_DATE_EPOCH: '1700000000' };

interface ScenarioJson {
  anvil_scenario: {
    pods_running: number;
    pods_pending: number;
    pods: { pod: string; state: string; reason?: string; iops?: number; reserved_iops?: number }[];
  };
}

/** Runs a scenario file and returns its summary, failing on an error. */
async function runScenario(file: string): Promise<ScenarioJson['anvil_scenario']> {
  const r = await anvilInProcess(['run', file, '--output-format', 'json'], FIXED_TIME);
  expect(r.stderr).not.toMatch(/ANVIL_ERR/);
  expect(r.code).toBe(0);
  return (JSON.parse(r.stdout) as ScenarioJson).anvil_scenario;
}

/** Every running pod got at least its reservation less 2%; the pending ones say what the node has and what they asked. */
function expectKeptAndRefused(s: ScenarioJson['anvil_scenario'], reserved: number, guaranteeable: number): void {
  const running = s.pods.filter((p) => p.state === 'running');
  expect(running.length).toBe(Math.floor(guaranteeable / reserved));
  for (const p of running) {
    expect(p.reserved_iops).toBe(reserved);
    expect(p.iops!, p.pod).toBeGreaterThanOrEqual(reserved * 0.98);
  }
  const pending = s.pods.filter((p) => p.state === 'pending');
  expect(pending.length).toBeGreaterThan(0);
  const free = guaranteeable - running.length * reserved;
  for (const p of pending) expect(p.reason).toContain(`${free} of ${guaranteeable} guaranteeable IOPS free, pod needs ${reserved}`);
}

/** One appliance-d10 node, `pods` pods of one tier reserving `reserved` each (tier fields after `tierExtra`), each running fio `rw` at iodepth 16 as fast as it can. */
function filledNode(reserved: number, pods: number, tierExtra: string, rw: string, bs = '4k', nodes = 1, mirrors = 1): string {
  const names = Array.from({ length: pods }, (_, i) => `p${i}`);
  return scenarioFile(`kind: ClusterScenario
name: a filled node
stack: hci
seed: 5
duration: 1s
warmup: 200ms
interval: 200ms
nodes: { count: ${nodes}, profile: appliance-d10 }
networks:
  - { name: pods, subnet: 10.1.0.0/24, start: 10.1.0.10, end: 10.1.0.250, gateway: 10.1.0.1, default: true }
tenants: [{ name: t }]
perf_tiers:
  - { name: tier, storage_iops: ${reserved}, network_bandwidth: 1M${tierExtra} }
volumes:
${names.map((n) => `  - { name: ${n}-vol, tenant: t, size: 10Gi, perf_tier: tier, mirrors: ${mirrors} }`).join('\n')}
pods:
${names.map((n) => `  - { name: ${n}, tenant: t, cpu: 1, memory: 1Gi, volumes: [${n}-vol] }`).join('\n')}
workloads:
${names
  .map(
    (n) => `  - pod: ${n}
    volume: ${n}-vol
    job: |
      [load]
      ${rw}
      bs=${bs}
      iodepth=16
      time_based
      runtime=1s`,
  )
  .join('\n')}
`);
}

describe('admission counts what the node guarantees, and the model keeps it (hci)', () => {
  const guaranteeable = loadNodeProfile('appliance-d10').guaranteeable_iops;

  it('full-node.yaml: the high tier pods that fit get their 20K each, the one more stays pending', async () => {
    expect(guaranteeable).toBeLessThan(8 * 20_000); // the scenario's 8th pod is one too many
    const s = await runScenario(shortenedScenario('full-node', { duration: '1s', warmup: '200ms', interval: '200ms' }));
    expect([s.pods_running, s.pods_pending]).toEqual([Math.floor(guaranteeable / 20_000), 8 - Math.floor(guaranteeable / 20_000)]);
    expectKeptAndRefused(s, 20_000, guaranteeable);
  });

  it('full-node.yaml beside a best-effort neighbour writing 4K at random as fast as it can: the admitted pods keep their 20K', async () => {
    const neighbour = `volumes:
  - { name: scratch, tenant: load, size: 500Gi }
pods:
  - { name: loader, tenant: load, cpu: 2, memory: 4Gi, volumes: [scratch] }
workloads:
  - pod: loader
    volume: scratch
    job: |
      [noisy]
      rw=randwrite
      bs=4k
      iodepth=32
      time_based
      runtime=1s
`;
    const file = shortenedScenario('full-node', { duration: '1s', warmup: '200ms', interval: '200ms' }, '', [['workloads:\n', neighbour]]);
    const s = await runScenario(file);
    const loader = s.pods.find((p) => p.pod === 'load/loader')!;
    expect(loader.state).toBe('running');
    expect(loader.iops!).toBeGreaterThan(10_000); // it does take the spare capacity
    const readers = s.pods.filter((p) => p.pod !== 'load/loader');
    expectKeptAndRefused({ ...s, pods: readers }, 20_000, guaranteeable);
  });

  it('a node filled with 4K 70/30 reservations keeps each, every pod as greedy as it can be', async () => {
    const reserved = Math.floor(guaranteeable / 10 / 100) * 100;
    expectKeptAndRefused(await runScenario(filledNode(reserved, 11, '', 'rw=randrw\n      rwmixread=70')), reserved, guaranteeable);
  });

  it("a tier's own I/O mix prices it: read-only and write-only tiers fill the node as its drive allows them", async () => {
    const inventory = loadNodeProfile('appliance-d10');
    for (const [mix, kib, reserved, rw] of [
      [1, 4, 20_000, 'rw=randread'],
      [0, 4, 5_000, 'rw=randwrite'],
      // 128K I/Os cost 32 units each: the QoS keeps two at the drive (its depth counts units too).
      [1, 128, 45_000, 'rw=randread'],
    ] as const) {
      const capacity = nodeCapacityAt(inventory, { io_size_bytes: kib * 1024, read_fraction: mix });
      // What one pod takes of the node's 4K 70/30 figure, and how many fit.
      const share = Math.ceil((reserved * guaranteeable) / capacity);
      const fit = Math.floor(guaranteeable / share);
      expect(fit * reserved).toBeLessThanOrEqual(capacity);
      const tier = `, io_size: ${kib}k, read_fraction: ${mix}`;
      const s = await runScenario(filledNode(reserved, fit + 2, tier, rw, `${kib}k`));
      const running = s.pods.filter((p) => p.state === 'running');
      expect(running).toHaveLength(fit);
      // The summary counts I/Os; reservations are in 4K units.
      for (const p of running) expect(p.iops! * (kib / 4), `${rw} ${kib}k ${p.pod}`).toBeGreaterThanOrEqual(reserved * 0.98);
      for (const p of s.pods.filter((p) => p.state === 'pending'))
        expect(p.reason).toContain(`pod needs ${reserved} at its tiers' I/O, ${share} of the node's`);
    }
  });

  it("a mirrored volume's writes count on the node of its other plex too, and the pods admitted keep their reservations", async () => {
    // Two nodes, every volume mirrored on both: a pod takes its 40K on its node and its writes' share
    // (30% of 40K, priced as writes) on the other; four fit, where counting the pods' nodes alone admitted six.
    const inventory = loadNodeProfile('appliance-d10');
    const reserved = 40_000;
    const writeShare = Math.ceil((reserved * 0.3 * guaranteeable) / nodeCapacityAt(inventory, { io_size_bytes: 4096, read_fraction: 0 }));
    const perNode = (local: number, remote: number) => local * reserved + remote * writeShare;
    expect(perNode(2, 2)).toBeLessThanOrEqual(guaranteeable);
    expect(perNode(3, 2)).toBeGreaterThan(guaranteeable);
    const s = await runScenario(filledNode(reserved, 6, '', 'rw=randrw\n      rwmixread=70', '4k', 2, 2));
    const running = s.pods.filter((p) => p.state === 'running');
    expect(running).toHaveLength(4);
    for (const p of running) expect(p.iops!, p.pod).toBeGreaterThanOrEqual(reserved * 0.98);
    for (const p of s.pods.filter((p) => p.state === 'pending'))
      expect(p.reason).toMatch(
        /on node node-\d, which holds a plex of volume p\d-vol: \d+ of \d+ guaranteeable IOPS free, the volume's writes there need \d+|perf-tier admission \(storage IOPS\)/,
      );
  });
});

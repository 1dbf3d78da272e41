/**
 * Issue 13, outputs and bounds of a cluster run: `--max-ios` stops a scenario's run once its drives have
 * served that many I/Os and says so (coded error, nothing written); each drive's row in the summary gives
 * the fraction of the run it had an I/O in service, which must agree with the arithmetic of its load.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anvilInProcess, tempDir } from '../../cli-harness.js';
import { scenarioFile, shortenedScenario } from './scenario-files.js';

const FIXED_TIME = { SOURCE_DATE_EPOCH: '1700000000' };

interface BoundsJson {
  jobs: { read: { iops: number; total_ios: number; clat_ns: { mean: number } } }[];
  anvil_scenario: { drives: { drive: string; units_per_s: number; busy_fraction?: number }[] };
}

/** One pod reading 4K at QD1 at `rate` IOPS on its own drive, for `duration`. */
const onePodAtRate = (rate: number, duration = '200ms') =>
  scenarioFile(`kind: ClusterScenario
name: one reader at a fixed rate
stack: hci
duration: ${duration}
warmup: 20ms
interval: 20ms
nodes: { count: 1, profile: appliance-d10 }
networks:
  - { name: pods, subnet: 10.1.0.0/24, start: 10.1.0.10, end: 10.1.0.20, gateway: 10.1.0.1, default: true }
tenants: [{ name: t }]
volumes:
  - { name: data, tenant: t, size: 10Gi }
pods:
  - { name: reader, tenant: t, cpu: 1, memory: 1Gi, volumes: [data] }
workloads:
  - pod: reader
    volume: data
    job: |
      [r]
      rw=randread
      bs=4k
      iodepth=1
      rate_iops=${rate}
      time_based
`);

describe('anvil run SCENARIO --max-ios', () => {
  it('stops the run once the drives have served more I/Os than the limit, says how far it got, and writes nothing', async () => {
    const file = shortenedScenario('noisy-neighbour', { duration: '300ms', warmup: '50ms', interval: '50ms' });
    const out = join(tempDir('anvil-max-ios-'), 'out');
    const stopped = await anvilInProcess(['run', file, '--max-ios', '5000', '--output-format', 'json', '--out', out], FIXED_TIME);
    expect(stopped.code).not.toBe(0);
    expect(stopped.stderr).toContain('ANVIL_ERR_RUN_TOO_LARGE');
    expect(stopped.stderr).toContain('above the limit of 5000 (--max-ios)');
    // It stopped well before the scenario's end (the drive serves ~50K I/Os a second: 5K in ~100 ms).
    const at = /the run stopped at ([\d.]+) ms of 300 ms simulated/.exec(stopped.stderr);
    expect(at).not.toBeNull();
    expect(Number(at![1])).toBeLessThan(200);
    expect(stopped.stderr).toMatch(/raise the limit with --max-ios \d+/);
    expect(stopped.stdout).toBe('');
    expect(existsSync(join(out, 'summary.json'))).toBe(false);

    // The same run under a limit above what it serves runs to its end.
    const whole = await anvilInProcess(['run', file, '--max-ios', '1000000', '--output-format', 'json'], FIXED_TIME);
    expect(whole.code).toBe(0);
    expect(whole.stderr).not.toContain('ANVIL_ERR');
  });
});

describe('drive utilisation in the scenario summary', () => {
  it("gives each drive's busy fraction: at a fixed rate and QD1, the rate times the mean latency", async () => {
    for (const rate of [1000, 4000]) {
      const r = await anvilInProcess(['run', onePodAtRate(rate), '--output-format', 'json'], FIXED_TIME);
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.stdout) as BoundsJson;
      const [drive] = doc.anvil_scenario.drives;
      const job = doc.jobs[0]!.read;
      expect(job.total_ios).toBeGreaterThan(0);
      // One I/O at a time: the drive is busy for each I/O's device time (its completion latency, the QoS adds no
      // wait at this load), I/Os never overlap, so busy fraction = rate x mean latency (warm-up at the same rate).
      const expected = (job.iops * job.clat_ns.mean) / 1e9;
      expect(drive!.busy_fraction).toBeGreaterThan(expected * 0.95);
      expect(drive!.busy_fraction).toBeLessThan(expected * 1.05);
    }
  });

  it('says busy in the text summary, beside the QoS units', async () => {
    const r = await anvilInProcess(['run', onePodAtRate(2000)], FIXED_TIME);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^drive node-1\/nvme0: .* from its QoS \(.*\), busy \d+\.\d% of the run$/m);
  });
});

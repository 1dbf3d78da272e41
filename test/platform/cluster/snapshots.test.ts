/**
 * Issue 13, snapshots in cluster scenarios: at its time the control plane takes the snapshot (its own
 * createSnapshot) and the model's volume pays copy-on-write on the first write to each block after it,
 * so a writer's latency rises after the snapshot and comes back as its blocks get copied; the platform
 * lists the snapshot afterwards; a snapshot naming what the scenario lacks is refused at its path.
 */
import { describe, expect, it } from 'vitest';
import { loadClusterScenario, type LoadedClusterScenario } from '../../../bench/scenario/load.js';
import type { SimRunMeasurement } from '../../../bench/results/measurement.js';
import { runScenarioFile } from '../../../platform/cluster/run-scenario.js';
import type { ScenarioSummary } from '../../../platform/cluster/scenario-summary.js';
import { objectsOf } from '../../../platform/domain/queries.js';
import { localAdmin } from '../../../platform/domain/tenancy.js';
import { placeScenario } from '../../../platform/cluster/placement.js';
import { AnvilError } from '../../../platform/errors.js';
import type { Snapshot } from '../../../platform/domain/volume.js';
import { scenarioFile } from './scenario-files.js';
import { anvilInProcess } from '../../cli-harness.js';
import { scheduleSnapshots } from '../../../platform/cluster/snapshots.js';
import { assembleHci } from '../../../platform/cluster/assemble.js';
import { loadStackCoefficients } from '../../../bench/stack-coefficients.js';

/** Bytes of the region the writer writes: 128 blocks of 4K (the volume's block size at this size). */
const REGION_BYTES = 512 * 1024;

/** One node (two with `mirrors`), a writer on a volume, a snapshot of it at 100 ms. */
function scenarioText(stack: 'hci' | 'diy', snapshots = '  - { at: 100ms, volume: data }', mirrors = 1): string {
  return `kind: ClusterScenario
name: snapshot test
stack: ${stack}
seed: 5
duration: 300ms
warmup: 20ms
interval: 10ms
nodes: { count: ${mirrors}, profile: appliance-d10 }
networks:
  - { name: pods, subnet: 10.1.0.0/24, start: 10.1.0.10, end: 10.1.0.50, gateway: 10.1.0.1, default: true }
tenants: [{ name: t }]
volumes:
  - { name: data, tenant: t, size: 1Gi, mirrors: ${mirrors} }
pods:
  - { name: db, tenant: t, cpu: 2, memory: 4Gi, volumes: [data] }
workloads:
  - pod: db
    volume: data
    job: |
      [w]
      rw=randwrite
      bs=4k
      iodepth=4
      rate_iops=10000
      size=${REGION_BYTES}
      time_based
      runtime=10s
snapshots:
${snapshots}
`;
}

async function runFile(file: string): Promise<{ summary: ScenarioSummary; run: SimRunMeasurement; text: string }> {
  let text = '';
  const io = { stdout: { write: (t: string) => (text += t) }, stderr: process.stderr };
  const { summary, run } = await runScenarioFile(file, { target: 'sim', outputFormat: 'normal' }, io);
  return { summary: summary as ScenarioSummary, run, text };
}

/** The writer's interval rows: ending time, mean and p99 completion latency. */
function writeIntervals(run: SimRunMeasurement): { time_ns: number; mean: number; p99: number }[] {
  const job = run.jobs.find((j) => j.labels?.pod === 't/db')!;
  return job.measured.write.intervals
    .filter((r) => r.ios > 0)
    .map((r) => ({ time_ns: r.time_ns, mean: r.clat_mean_ns, p99: r.clat_p99_ns }));
}

/** Mean of the rows' figure over intervals ending in (from, to]. */
function meanOver(rows: ReturnType<typeof writeIntervals>, from_ns: number, to_ns: number, figure: 'mean' | 'p99'): number {
  const inside = rows.filter((r) => r.time_ns > from_ns && r.time_ns <= to_ns);
  expect(inside.length).toBeGreaterThan(0);
  return inside.reduce((n, r) => n + r[figure], 0) / inside.length;
}

describe.each(['hci', 'diy'] as const)('a snapshot of a written volume on %s', (stack) => {
  it('raises the writer latency in the intervals after it, which comes back as the blocks get copied; the platform lists the snapshot', async () => {
    const file = scenarioFile(scenarioText(stack));
    const { summary, run, text } = await runFile(file);
    const rows = writeIntervals(run);
    const before = { mean: meanOver(rows, 50e6, 100e6, 'mean'), p99: meanOver(rows, 50e6, 100e6, 'p99') };
    const justAfter = rows.find((r) => r.time_ns === 110e6)!;
    const late = { mean: meanOver(rows, 250e6, 300e6, 'mean'), p99: meanOver(rows, 250e6, 300e6, 'p99') };
    // The first writes after the snapshot each read and write a block before their own write (diy's
    // host stack dwarfs the copy in the mean, less so in the tail).
    expect(justAfter.mean).toBeGreaterThan(1.15 * before.mean);
    expect(justAfter.p99).toBeGreaterThan(1.3 * before.p99);
    // Every block of the region copied by then: writes cost what they did before the snapshot.
    expect(Math.abs(late.mean - before.mean)).toBeLessThan(0.1 * before.mean);
    expect(late.p99).toBeLessThan(justAfter.p99);

    const snapshots = summary.snapshots!;
    expect(snapshots.taken).toEqual([{ at_ns: 100e6, snapshot: 't/data-snap-1', volume: 't/data', nodes: ['node-1'] }]);
    const blocks = REGION_BYTES / 4096;
    // Each block the writer touched paid once, and it touched all of them in 200 ms of writes.
    expect(snapshots.volumes).toEqual([{ volume: 't/data', snapshots: 1, copies_on_write: blocks, copied_bytes: REGION_BYTES }]);
    expect(text).toContain('snapshot at 100 ms: t/data-snap-1 of t/data on node-1');
    expect(text).toContain(`volume t/data: ${blocks} blocks copied on first write`);
  });
});

describe('the platform takes the snapshot at its time', () => {
  it("holds it on the nodes of the volume's in-sync plexes, each block copied once for both plexes", async () => {
    const s: LoadedClusterScenario = loadClusterScenario(
      scenarioFile(scenarioText('hci', '  - { at: 50ms, volume: t/data, name: nightly }', 2)),
    );
    expect(s.snapshots).toEqual([{ at_ns: 50e6, volume: 't/data', name: 'nightly' }]);
    // Placed as anvil run places it; none before the run.
    expect(placeScenario(s).store.read((st) => st.snapshots.size)).toBe(0);
    const { summary } = await runFile(s.file);
    expect(summary.snapshots!.taken[0]).toMatchObject({ snapshot: 't/nightly', nodes: expect.arrayContaining(['node-1', 'node-2']) });
    // Copies on both plexes counted once per block.
    expect(summary.snapshots!.volumes[0]!.copies_on_write).toBe(REGION_BYTES / 4096);
  });

  it('is in the control plane state as anvil get snapshots shows it, from its time on', () => {
    const s = loadClusterScenario(scenarioFile(scenarioText('hci')));
    const placement = placeScenario(s);
    const built = assembleHci(
      s,
      placement.store.read((st) => st),
      loadStackCoefficients(),
    );
    const log = scheduleSnapshots(s, placement, built);
    built.model.sim.run(99e6);
    expect(placement.store.read((st) => objectsOf(st, localAdmin('t'), 'snapshots', 't'))).toEqual([]);
    built.model.sim.run(101e6);
    const listed = placement.store.read((st) => objectsOf(st, localAdmin('t'), 'snapshots', 't')) as Snapshot[];
    expect(listed.map((x) => [x.name, x.volume, x.nodes])).toEqual([['data-snap-1', 'data', ['node-1']]]);
    expect(log.records).toHaveLength(1);
    expect(built.volumes.get('t/data')!.handle.volume.map.snapshotGeneration).toBe(1);
  });
});

describe('a snapshot the platform refuses', () => {
  it('is recorded with its code and costs the model nothing: the volume had no copy in sync then', async () => {
    const text = scenarioText('hci').replace(
      'snapshots:\n',
      'faults:\n  - { at: 50ms, event: node-down, node: node-1 }\n  - { at: 150ms, event: node-up, node: node-1 }\nsnapshots:\n',
    );
    const { summary, text: out } = await runFile(scenarioFile(text));
    expect(summary.snapshots!.taken).toEqual([
      { at_ns: 100e6, snapshot: 't/data-snap-1', volume: 't/data', refused: expect.stringMatching(/^ANVIL_ERR_VOLUME_UNAVAILABLE: /) },
    ]);
    expect(summary.snapshots!.volumes).toEqual([]);
    expect(out).toContain('snapshot at 100 ms: t/data-snap-1 of t/data refused by the platform (ANVIL_ERR_VOLUME_UNAVAILABLE: ');
  });

  it('counts in anvil scenario validate', async () => {
    const r = await anvilInProcess(['scenario', 'validate', scenarioFile(scenarioText('hci'))]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(', 0 faults, 1 snapshot, 0 SLAs;');
  });
});

describe('bad snapshot entries', () => {
  it('are refused, every one at its path', () => {
    const entries = ['  - { at: 50ms, volume: nope }', '  - { at: 2s, volume: data }', '  - { at: 60ms, volume: other/data }'].join('\n');
    let error: unknown;
    try {
      loadClusterScenario(scenarioFile(scenarioText('hci', entries)));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AnvilError);
    const e = error as AnvilError;
    expect(e.code).toBe('ANVIL_ERR_CLUSTER_SCENARIO');
    const details = e.details.join('\n');
    expect(details).toMatch(/:\d+: \/snapshots\/0\/volume: no volume named nope in the scenario; volumes: t\/data/);
    expect(details).toMatch(/:\d+: \/snapshots\/1\/at: 2s is after the end of the run \(300ms\)/);
    expect(details).toMatch(/:\d+: \/snapshots\/2\/volume: no volume other\/data in the scenario/);
    expect(e.details).toHaveLength(3);
  });

  it('refuses two snapshots of one name', () => {
    const entries = ['  - { at: 50ms, volume: data, name: snap }', '  - { at: 60ms, volume: data, name: snap }'].join('\n');
    expect(() => loadClusterScenario(scenarioFile(scenarioText('hci', entries)))).toThrow(
      expect.objectContaining({
        details: [expect.stringMatching(/\/snapshots\/1\/name: snapshot t\/snap is taken already by \/snapshots\/0/)],
      }),
    );
  });
});

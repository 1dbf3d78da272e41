/**
 * Issue 13, faults on the hci cluster run: a drive failed under a mirrored volume, a node failed under a
 * pod that the platform moves (or that the scenario does not let move), an unmirrored volume whose node
 * fails. Each scenario runs as `anvil run` runs it (placed by the control plane, built, faults scheduled,
 * run, settled) for a few hundred simulated milliseconds; the model's volumes are looked at afterwards.
 */
import { describe, expect, it } from 'vitest';
import { loadClusterScenario, type LoadedClusterScenario } from '../../../bench/scenario/load.js';
import { loadStackCoefficients } from '../../../bench/stack-coefficients.js';
import { runModel } from '../../../bench/targets/sim.js';
import { assembleHci } from '../../../platform/cluster/assemble.js';
import { checkFaults, followModelResyncs, runRemainingFaults, scheduleFaults, settleAfterRun } from '../../../platform/cluster/faults.js';
import { placeScenario } from '../../../platform/cluster/placement.js';
import { runScenarioFile } from '../../../platform/cluster/run-scenario.js';
import type { ScenarioSummary } from '../../../platform/cluster/scenario-summary.js';
import type { SimRunMeasurement } from '../../../bench/results/measurement.js';
import { scenarioFile } from './scenario-files.js';

/** Two (or three) appliance nodes, one tenant; volumes, pods, workloads and faults as given (YAML lines, two spaces in). */
function scenarioText(parts: {
  nodes?: number;
  volumes: string;
  pods: string;
  workloads: string;
  faults: string;
  duration?: string;
}): string {
  return `kind: ClusterScenario
name: faults test
stack: hci
seed: 3
duration: ${parts.duration ?? '300ms'}
warmup: 20ms
interval: 20ms
nodes: { count: ${parts.nodes ?? 2}, profile: appliance-d10 }
networks:
  - { name: pods, subnet: 10.1.0.0/24, start: 10.1.0.10, end: 10.1.0.50, gateway: 10.1.0.1, default: true }
tenants: [{ name: t }]
volumes:
${parts.volumes}
pods:
${parts.pods}
workloads:
${parts.workloads}
faults:
${parts.faults}
`;
}

/** A random 4K mix at queue depth `qd` on `volume` of `pod`, for the whole run. */
const journal = (pod: string, volume: string, qd = 4) => `  - pod: ${pod}
    volume: ${volume}
    job: |
      [j]
      rw=randrw
      rwmixread=50
      bs=4k
      iodepth=${qd}
      time_based
      runtime=10s`;

/** Places, builds, schedules the faults, runs and settles `s` as anvil run does; returns the pieces to look at. */
function runLowLevel(s: LoadedClusterScenario) {
  const placement = placeScenario(s);
  const state = placement.store.read((st) => st);
  checkFaults(s, state);
  const built = assembleHci(s, state, loadStackCoefficients(), followModelResyncs(placement));
  const log = scheduleFaults(s, placement, built);
  const run = runModel(built.model, {
    profile: { name: 'cluster', title: s.spec.name, kind: 'cluster', path: s.file },
    horizon_ns: s.duration_ns,
  });
  runRemainingFaults(built, s.duration_ns);
  const plexes = settleAfterRun(s, placement, built, log);
  return { placement, built, log, run, plexes };
}

/** Runs the file as `anvil run FILE --output-format json` does, in process; returns the summary, the measurement and stdout. */
async function runFile(file: string): Promise<{ summary: ScenarioSummary; run: SimRunMeasurement; stdout: string; text: string }> {
  let stdout = '';
  const io = { stdout: { write: (t: string) => (stdout += t) }, stderr: process.stderr };
  const { summary, run } = await runScenarioFile(file, { target: 'sim', outputFormat: 'json' }, io);
  let text = '';
  await runScenarioFile(
    file,
    { target: 'sim', outputFormat: 'normal' },
    { stdout: { write: (t: string) => (text += t) }, stderr: process.stderr },
  );
  return { summary: summary as ScenarioSummary, run, stdout, text };
}

/** I/Os a pod's jobs completed in intervals ending after `after_ns` (and by `until_ns`), per direction. */
function iosAfter(run: SimRunMeasurement, pod: string, after_ns: number, until_ns = Infinity): { read: number; write: number } {
  const jobs = run.jobs.filter((j) => j.labels?.pod === pod);
  const inside = (t: number) => t > after_ns && t <= until_ns;
  const sum = (d: 'read' | 'write') =>
    jobs.reduce((n, j) => n + j.measured[d].intervals.filter((r) => inside(r.time_ns)).reduce((m, r) => m + r.ios, 0), 0);
  return { read: sum('read'), write: sum('write') };
}

/** The node the platform places pod `t/NAME` on for this scenario (placement only). */
const placedNode = (text: string, pod: string) => {
  const placement = placeScenario(loadClusterScenario(scenarioFile(text)));
  const status = placement.store.read((st) => st.pods.get(`t/${pod}`)!.status);
  if (status.state !== 'running') throw new Error(`pod ${pod} is pending: ${status.failure.summary}`);
  return status.node;
};

const mirrored = '  - { name: data, tenant: t, size: 8Gi, mirrors: 2 }';
const dbPod = '  - { name: db, tenant: t, cpu: 2, memory: 4Gi, volumes: [data] }';

describe('drive-failed under a two-way mirrored volume', () => {
  it('loses the plex on the drive in both worlds; the volume serves on from the surviving plex with no acknowledged write lost', () => {
    const text = scenarioText({
      volumes: mirrored,
      pods: dbPod,
      workloads: journal('db', 'data'),
      faults: '  - { at: 100ms, event: drive-failed, node: node-2, drive: 0 }',
    });
    const { built, log, run, plexes, placement } = runLowLevel(loadClusterScenario(scenarioFile(text)));
    const v = built.volumes.get('t/data')!;
    const failed = v.plexNodes.indexOf('node-2');
    const surviving = v.plexNodes.indexOf('node-1');
    expect(log.records).toEqual([{ at_ns: 100e6, event: 'drive-failed', node: 'node-2', drive: 0, plexes: [`t/data#${failed}`] }]);
    // The model: the plex is offline for good, reads and writes go on to the other, nothing lost or failed.
    expect(v.handle.volume.state[failed]).toBe('offline');
    expect(v.handle.volume.readingFrom).toBe(surviving);
    expect(v.handle.volume.verifyAcknowledged()).toEqual([]);
    expect(v.handle.volume.failedIos).toBe(0);
    const after = iosAfter(run, 't/db', 120e6);
    expect(after.read).toBeGreaterThan(1000);
    expect(after.write).toBeGreaterThan(1000);
    expect(run.jobs.every((j) => j.measured.total_err === undefined)).toBe(true);
    // The platform: the plex is gone with its drive, the volume degraded on node-1.
    const platform = placement.store.read((st) => st.volumes.get('t/data')!);
    expect(platform.state).toBe('degraded');
    expect(platform.plexes.map((p) => p.node)).toEqual(['node-1']);
    expect(plexes.find((p) => p.node === 'node-2')).toMatchObject({ state: 'offline', platform_state: 'lost' });
    expect(log.close(300e6).volumes).toEqual([]);
  });

  it('refuses a drive the node does not have before the run, naming the fault', async () => {
    const text = scenarioText({
      volumes: mirrored,
      pods: dbPod,
      workloads: journal('db', 'data'),
      faults: '  - { at: 100ms, event: drive-failed, node: node-2, drive: 40 }',
    });
    await expect(runFile(scenarioFile(text))).rejects.toMatchObject({
      code: 'ANVIL_ERR_CLUSTER_SCENARIO',
      details: [expect.stringMatching(/^\/faults\/0\/drive: node node-2 \(profile appliance-d10\) has \d+ drive\(s\), indices 0 to \d+$/)],
    });
  });
});

describe('node-down under a pod with a workload', () => {
  it('reschedule true: the platform moves the pod, its I/O goes on from the new node, and no acknowledged write is lost', async () => {
    const base = { volumes: mirrored, pods: dbPod, workloads: journal('db', 'data') };
    const from = placedNode(scenarioText({ ...base, faults: '  []' }), 'db');
    const to = from === 'node-1' ? 'node-2' : 'node-1';
    const faults = `  - { at: 100ms, event: node-down, node: ${from} }\n  - { at: 200ms, event: node-up, node: ${from} }`;
    const file = scenarioFile(scenarioText({ ...base, faults }));
    const { built, log, run } = runLowLevel(loadClusterScenario(file));
    expect(log.records[0]).toMatchObject({ event: 'node-down', node: from, moved: [{ pod: 't/db', to }] });
    expect(log.pods.get('t/db')).toEqual({ moves: [{ at_ns: 100e6, from, to }] });
    // From the new node its plex there is local: reads go to it (the returning plex is back in sync by the end too).
    const v = built.volumes.get('t/data')!;
    expect(v.plexNodes[v.handle.volume.readingFrom]).toBe(to);
    expect(v.handle.volume.verifyAcknowledged()).toEqual([]);
    // The node is back: its plex takes writes again (resyncing, or in sync once copied).
    expect(v.handle.volume.state[v.plexNodes.indexOf(from)]).not.toBe('offline');
    const after = iosAfter(run, 't/db', 120e6);
    expect(after.read).toBeGreaterThan(1000);
    expect(after.write).toBeGreaterThan(1000);

    const { summary, text } = await runFile(file);
    expect(summary.pods.find((p) => p.pod === 't/db')).toMatchObject({ moves: [{ at_ns: 100e6, from, to }] });
    expect(summary.outages).toEqual({ volumes: [], pods: [] });
    expect(text).toContain(`moved to ${to} at 100 ms`);
    expect(text).toContain(`node-down ${from} (plexes t/data#`);
    // Its own computing (its CPU request kept busy) moved with it: 100 ms on the old node, 200 ms on the new.
    const cores = 2;
    const coreTime = (node: string) => summary.nodes.find((n) => n.node === node)!.application_ns;
    expect(coreTime(from) / (cores * 100e6)).toBeGreaterThan(0.8);
    expect(coreTime(from) / (cores * 100e6)).toBeLessThan(1.2);
    expect(coreTime(to) / (cores * 200e6)).toBeGreaterThan(0.8);
    expect(coreTime(to) / (cores * 200e6)).toBeLessThan(1.2);
  });

  it('reschedule false: the pod goes down with its node, its jobs stop there, and its outage to the end of the run is reported', async () => {
    const pinned = '  - { name: db, tenant: t, cpu: 2, memory: 4Gi, volumes: [data], reschedule: false }';
    const base = { volumes: mirrored, pods: pinned, workloads: journal('db', 'data') };
    const from = placedNode(scenarioText({ ...base, faults: '  []' }), 'db');
    const file = scenarioFile(
      scenarioText({
        ...base,
        faults: `  - { at: 100ms, event: node-down, node: ${from} }\n  - { at: 200ms, event: node-up, node: ${from} }`,
      }),
    );
    const { summary, run, text } = await runFile(file);
    const reason = `reschedule: false: it went down with ${from}`;
    expect(summary.faults[0]).toMatchObject({ event: 'node-down', stopped: [{ pod: 't/db', reason }] });
    expect(summary.faults[0]!.moved).toBeUndefined();
    expect(summary.pods.find((p) => p.pod === 't/db')).toMatchObject({ stopped: { at_ns: 100e6, reason } });
    expect(summary.outages!.pods).toEqual([{ name: 't/db', from_ns: 100e6, to_ns: 300e6, outage_ns: 200e6, until: 'end of run' }]);
    // Its job measured up to the stop, nothing after.
    const job = run.jobs.find((j) => j.labels?.pod === 't/db')!;
    expect(job.measured.windowEnd_ns).toBeGreaterThanOrEqual(100e6);
    expect(job.measured.windowEnd_ns).toBeLessThan(101e6);
    expect(iosAfter(run, 't/db', 120e6)).toEqual({ read: 0, write: 0 });
    expect(text).toContain('pod t/db down for 200 ms, from 100 ms to end of run');
  });
});

/** Pod t/app on node-1 writing to t/solo, an unmirrored volume on `volumeNode`, under `faults` (YAML list items). */
const soloVolumeScenario = (volumeNode: string, faults: string) =>
  scenarioFile(
    scenarioText({
      volumes: `  - { name: solo, tenant: t, size: 8Gi, mirrors: 1, node_selector: { kubernetes.io/hostname: ${volumeNode} } }`,
      pods: '  - { name: app, tenant: t, cpu: 2, memory: 4Gi, volumes: [solo], node_selector: { kubernetes.io/hostname: node-1 } }',
      workloads: journal('app', 'solo', 8),
      faults,
    }),
  );

describe('an unmirrored volume on a failed node', () => {
  it('reports the volume outage from the fault to the node’s return and the errors its pod’s jobs saw; the pod starts again when the platform places it', async () => {
    const file = soloVolumeScenario(
      'node-2',
      '  - { at: 100ms, event: node-down, node: node-2 }\n  - { at: 200ms, event: node-up, node: node-2 }',
    );
    const { summary, run, stdout, text } = await runFile(file);
    expect(summary.outages!.volumes).toEqual([{ name: 't/solo', from_ns: 100e6, to_ns: 200e6, outage_ns: 100e6, until: 'node-up node-2' }]);
    const errors = run.jobs.reduce((n, j) => n + (j.measured.total_err ?? 0), 0);
    expect(errors).toBeGreaterThan(0);
    expect(errors).toBeLessThanOrEqual(8);
    expect(summary.pods.find((p) => p.pod === 't/app')).toMatchObject({ errors });
    // fio's own fields: the job's errno (EIO) and its error count.
    const doc = JSON.parse(stdout) as {
      jobs: { error: number; total_err?: number; first_error?: number; anvil_labels: { node: string } }[];
    };
    expect(doc.jobs[0]).toMatchObject({ error: 5, total_err: errors, first_error: 5 });
    expect(text).toContain('volume t/solo out (no plex in sync) for 100 ms, from 100 ms to node-up node-2');
    expect(text).toContain(`${errors} I/O errors`);
    // The platform left the pod pending (its volume unavailable), then placed it again when node-2 came
    // back: its workload ran anew there, as a job of its own, with no error.
    expect(summary.pods.find((p) => p.pod === 't/app')).toMatchObject({
      stopped: { at_ns: 100e6, reason: expect.stringMatching(/^pending: /) },
      restarted: { at_ns: 200e6, node: 'node-1' },
    });
    expect(summary.outages!.pods).toEqual([
      { name: 't/app', from_ns: 100e6, to_ns: 200e6, outage_ns: 100e6, until: 'started again on node-1' },
    ]);
    expect(doc.jobs).toHaveLength(2);
    expect(doc.jobs[1]).toMatchObject({ error: 0, anvil_labels: { node: 'node-1' } });
    expect(doc.jobs[1]!.total_err).toBeUndefined();
    const after = iosAfter(run, 't/app', 220e6);
    expect(after.read + after.write).toBeGreaterThan(1000);
    // Down between the stop (what was in flight came back by 120 ms) and the restart.
    expect(iosAfter(run, 't/app', 120e6, 200e6)).toEqual({ read: 0, write: 0 });
  });
});

describe('drive-failed under an unmirrored volume', () => {
  it('loses the volume with its drive: the run reports its outage to the end and its jobs’ errors, and does not count the loss as a model fault', async () => {
    const file = soloVolumeScenario('node-2', '  - { at: 100ms, event: drive-failed, node: node-2, drive: 0 }');
    const { summary, run } = await runFile(file);
    expect(summary.outages!.volumes).toEqual([{ name: 't/solo', from_ns: 100e6, to_ns: 300e6, outage_ns: 200e6, until: 'end of run' }]);
    expect(summary.plexes).toEqual([
      expect.objectContaining({ volume: 't/solo', node: 'node-2', state: 'offline', platform_state: 'lost' }),
    ]);
    const errors = run.jobs.reduce((n, j) => n + (j.measured.total_err ?? 0), 0);
    expect(errors).toBeGreaterThan(0);
    // The platform left the pod pending (its volume is lost): its jobs stopped at the fault.
    expect(summary.pods.find((p) => p.pod === 't/app')).toMatchObject({ errors, stopped: { at_ns: 100e6 } });
    expect(summary.faults[0]!.stopped![0]!.reason).toMatch(/^pending: .*lost/);
  });
});

describe('drive-failed under an unmirrored volume on its pod’s node', () => {
  it('fails the jobs’ I/O at the fault: in a run with faults the volume stays on its jobs’ way (no straight leg to the drive)', async () => {
    const file = soloVolumeScenario('node-1', '  - { at: 100ms, event: drive-failed, node: node-1, drive: 0 }');
    const { summary, run } = await runFile(file);
    expect(summary.plexes).toEqual([
      expect.objectContaining({ volume: 't/solo', node: 'node-1', state: 'offline', platform_state: 'lost' }),
    ]);
    expect(summary.outages!.volumes).toEqual([expect.objectContaining({ name: 't/solo', from_ns: 100e6, until: 'end of run' })]);
    expect(run.jobs.reduce((n, j) => n + (j.measured.total_err ?? 0), 0)).toBeGreaterThan(0);
    expect(summary.pods.find((p) => p.pod === 't/app')).toMatchObject({ stopped: { at_ns: 100e6 } });
  });
});

describe('faults one after another on a two-way mirror', () => {
  it('a node down, then the other plex’s drive failed: the volume is lost to the faults, the stale plex stays out when its node returns, and the run reports it', async () => {
    const faults = [
      '  - { at: 100ms, event: node-down, node: node-1 }',
      '  - { at: 150ms, event: drive-failed, node: node-2, drive: 0 }',
      '  - { at: 200ms, event: node-up, node: node-1 }',
    ].join('\n');
    const { summary } = await runFile(
      scenarioFile(scenarioText({ volumes: mirrored, pods: dbPod, workloads: journal('db', 'data'), faults })),
    );
    expect(summary.outages!.volumes).toEqual([{ name: 't/data', from_ns: 150e6, to_ns: 300e6, outage_ns: 150e6, until: 'end of run' }]);
    // The platform keeps the returning plex out of sync (nothing in sync to copy from); the model keeps it offline.
    expect(summary.plexes).toEqual([
      expect.objectContaining({ node: 'node-1', state: 'offline', platform_state: 'out-of-sync' }),
      expect.objectContaining({ node: 'node-2', state: 'offline', platform_state: 'lost' }),
    ]);
    expect(summary.pods.find((p) => p.pod === 't/db')).toMatchObject({ stopped: { at_ns: 150e6 } });
  });
});

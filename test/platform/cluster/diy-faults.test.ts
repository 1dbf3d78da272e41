/**
 * Issue 13, faults on the DIY stack: the block store's copies (assemble-diy.ts) go offline with their node,
 * drive or storage link, writes go on degraded on the others, the copies that come back recover only what
 * was written meanwhile (at the coefficient file's pace, beside the client's I/O), the acting primary follows
 * the first copy in sync, pods on a failed node are moved by the platform and their I/O goes to the primary
 * from their new node; an unmirrored volume (a pool of one copy) reports its outage. Scenarios are
 * bench/scenarios/mirror-node-failure.yaml shortened, or small ones of their own, run as `anvil run` runs them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtInStackCoefficientsPath, loadStackCoefficients } from '../../../bench/stack-coefficients.js';
import { loadClusterScenario, type LoadedClusterScenario } from '../../../bench/scenario/load.js';
import type { SimRunMeasurement } from '../../../bench/results/measurement.js';
import { runModel } from '../../../bench/targets/sim.js';
import { assembleDiy } from '../../../platform/cluster/assemble-diy.js';
import { compareText, type ScenarioCompareSummary } from '../../../platform/cluster/compare.js';
import { checkFaults, followModelResyncs, runRemainingFaults, scheduleFaults, settleAfterRun } from '../../../platform/cluster/faults.js';
import { placeScenario } from '../../../platform/cluster/placement.js';
import { runScenarioFile } from '../../../platform/cluster/run-scenario.js';
import type { ScenarioSummary } from '../../../platform/cluster/scenario-summary.js';
import { writeFiles } from '../../cli-harness.js';
import { shortenedScenario } from './scenario-files.js';

const MIB = 1024 * 1024;
const coefficients = loadStackCoefficients();
const DB = 'ledger/ledger-db';
const JOURNAL = 'ledger/journal';

/**
 * bench/scenarios/mirror-node-failure.yaml in `duration`, its journal 8 GiB (32 KiB blocks, so a recovery
 * is done within the run), the faults at 150 and 300 ms; `replace` changes more.
 */
const mirrorFailure = (duration: string, replace: readonly (readonly [string, string])[] = []) =>
  shortenedScenario('mirror-node-failure', { duration, warmup: '50ms', interval: '50ms' }, '', [
    ['size: 100Gi', 'size: 8Gi'],
    ['{ at: 15s, event: node-down, node: node-2 }', '{ at: 150ms, event: node-down, node: node-2 }'],
    ['{ at: 30s, event: node-up, node: node-2 }', '{ at: 300ms, event: node-up, node: node-2 }'],
    ...replace,
  ]);

/** Runs `file` as `anvil run FILE --stack STACK --output-format json` does, in process. */
async function runFile(file: string, stack: string): Promise<{ summary: unknown; run: SimRunMeasurement }> {
  const io = { stdout: { write: () => true }, stderr: process.stderr };
  return runScenarioFile(file, { target: 'sim', outputFormat: 'json', stack }, io);
}

/** Places, builds on diy, schedules the faults, runs and settles `s` as anvil run does; returns the pieces to look at. */
function runLowLevel(s: LoadedClusterScenario, probe_ns?: number) {
  const placement = placeScenario(s);
  const state = placement.store.read((st) => st);
  checkFaults(s, state);
  const built = assembleDiy(s, state, coefficients, followModelResyncs(placement));
  const log = scheduleFaults(s, placement, built);
  const v = built.volumes.get(JOURNAL)!;
  // What the volume looks like mid-run (after the faults at `probe_ns`).
  const seen: { primary: number; legsFrom: string; readingFrom: number; via: number }[] = [];
  if (probe_ns !== undefined)
    built.model.at(probe_ns, () =>
      seen.push({ primary: v.primary(), legsFrom: v.legsFrom(), readingFrom: v.handle.volume.readingFrom, via: v.route().via.length }),
    );
  const start = { via: v.route().via.length };
  const run = runModel(built.model, {
    profile: { name: 'cluster', title: s.spec.name, kind: 'cluster', path: s.file },
    horizon_ns: s.duration_ns,
  });
  runRemainingFaults(built, s.duration_ns);
  const plexes = settleAfterRun(s, placement, built, log);
  return { placement, built, log, run, plexes, v, seen, start };
}

/** I/Os a pod's jobs completed in intervals ending after `after_ns` and by `until_ns`, per direction. */
function iosIn(run: SimRunMeasurement, pod: string, after_ns: number, until_ns = Infinity): { read: number; write: number } {
  const jobs = run.jobs.filter((j) => j.labels?.pod === pod);
  const inside = (t: number) => t > after_ns && t <= until_ns;
  const sum = (d: 'read' | 'write') =>
    jobs.reduce((n, j) => n + j.measured[d].intervals.filter((r) => inside(r.time_ns)).reduce((m, r) => m + r.ios, 0), 0);
  return { read: sum('read'), write: sum('write') };
}

const errorsOf = (run: SimRunMeasurement) => run.jobs.reduce((n, j) => n + (j.measured.total_err ?? 0), 0);

describe('mirror-node-failure on diy: a replica node down and back', () => {
  it('takes its copy offline, writes go on degraded on the two others, and the copy recovers only the blocks written meanwhile, at the coefficient’s pace at most', async () => {
    const { summary, run } = await runFile(mirrorFailure('1s'), 'diy');
    const s = summary as ScenarioSummary;
    expect(s.stack).toBe('diy');
    expect(s.faults.map((f) => [f.at_ns, f.event, f.node, f.plexes])).toEqual([
      [150e6, 'node-down', 'node-2', [`${JOURNAL}#1`]],
      [300e6, 'node-up', 'node-2', [`${JOURNAL}#1`]],
    ]);
    // Degraded, not down: no outage, no error, writes acknowledged while node-2 was away (the run would
    // have failed in settleAfterRun had any acknowledged write been lost).
    expect(s.outages).toEqual({ volumes: [], pods: [] });
    expect(errorsOf(run)).toBe(0);
    expect(iosIn(run, DB, 150e6, 300e6).write).toBeGreaterThan(1000);
    // Every copy is back in sync by the end; the rows say they are the block store's copies.
    expect(s.plexes.map((p) => [p.node, p.copy, p.state])).toEqual([
      ['node-1', { drive: 0, primary: true }, 'in-sync'],
      ['node-2', { drive: 0, primary: false }, 'in-sync'],
      ['node-3', { drive: 0, primary: false }, 'in-sync'],
    ]);
    const [recovery] = s.plexes[1]!.resyncs;
    expect(s.plexes[1]!.resyncs).toHaveLength(1);
    expect(recovery!.started_ns).toBe(300e6);
    // Only what was written while it was away: at most one 32 KiB block per write then (plus those in flight).
    const writtenAway = iosIn(run, DB, 100e6, 350e6).write;
    expect(recovery!.copied_bytes).toBeGreaterThan(0);
    expect(recovery!.copied_bytes).toBeLessThanOrEqual((writtenAway + 16) * 32768);
    // Never faster than sds_recovery_mib_per_s lets it.
    const pace = coefficients.diy.sds_recovery_mib_per_s.value * MIB;
    expect(recovery!.finished_ns - recovery!.started_ns).toBeGreaterThanOrEqual((recovery!.copied_bytes / pace) * 1e9 * 0.99);
    // The control plane's plex on node-2 followed the model's copy there.
    expect(s.plexes[1]!.platform_state).toBe('in-sync');
  });

  it('recovery competes with the client on the drives: the database’s writes wait behind the copies while node-2 recovers', async () => {
    // The same run with node-2 back only at the very end (no recovery to speak of) against one where it recovers from 300 ms.
    const quiet = (await runFile(mirrorFailure('600ms', [['{ at: 300ms, event: node-up', '{ at: 590ms, event: node-up']]), 'diy')).run;
    const busy = (await runFile(mirrorFailure('600ms'), 'diy')).run;
    const p99 = (r: SimRunMeasurement) => r.jobs[0]!.measured.write.clat.percentile(99);
    expect(p99(busy)).toBeGreaterThan(2 * p99(quiet));
    expect(iosIn(busy, DB, 300e6, 600e6).write).toBeLessThan(iosIn(quiet, DB, 300e6, 600e6).write);
  });
});

describe('the pod’s own node down on diy (the primary copy goes with it)', () => {
  it('the next copy in sync leads, the platform moves the pod, its I/O goes from its new node to that primary; the first copy leads again once recovered; nothing lost', () => {
    const file = mirrorFailure('1s', [
      ['node: node-2 }', 'node: node-1 }'],
      ['node: node-2 }', 'node: node-1 }'],
      ['reschedule: false', 'reschedule: true'],
    ]);
    const { log, run, v, seen, start, plexes } = runLowLevel(loadClusterScenario(file), 200e6);
    const moved = log.records[0]!.moved!;
    expect(log.records[0]).toMatchObject({ event: 'node-down', node: 'node-1', plexes: [`${JOURNAL}#0`] });
    expect(moved).toEqual([{ pod: DB, to: expect.not.stringMatching(/^node-1$/) }]);
    // Mid-run: copy 1 (node-2) leads and serves the reads; from a node other than the primary's the route
    // crosses both storage ports and their links' gates (four stations more than from the primary's own node).
    expect(seen[0]).toMatchObject({ primary: 1, legsFrom: 'node-2', readingFrom: 1 });
    expect(seen[0]!.via).toBe(start.via + (moved[0]!.to === 'node-2' ? 0 : 4));
    const after = iosIn(run, DB, 170e6, 300e6);
    expect(after.read).toBeGreaterThan(500);
    expect(after.write).toBeGreaterThan(500);
    expect(errorsOf(run)).toBe(0);
    // At the end: node-1's copy recovered from the acting primary and leads again.
    expect(v.handle.volume.state).toEqual(['in-sync', 'in-sync', 'in-sync']);
    expect(v.primary()).toBe(0);
    expect(v.handle.volume.verifyAcknowledged()).toEqual([]);
    expect(v.handle.volume.staleReads).toBe(0);
    expect(plexes[0]!.resyncs[0]!.copied_bytes).toBeGreaterThan(0);
  });

  it('a failed drive under the primary copy: lost for good, the next copy leads and the pod, which stays, reaches it over the network, waiting while its own storage link is down', () => {
    const file = mirrorFailure('400ms', [
      ['{ at: 150ms, event: node-down, node: node-2 }', '{ at: 150ms, event: drive-failed, node: node-1, drive: 0 }'],
      [
        '{ at: 300ms, event: node-up, node: node-2 }',
        '{ at: 250ms, event: link-down, node: node-1, port: storage0 }\n  - { at: 300ms, event: link-up, node: node-1, port: storage0 }',
      ],
    ]);
    const { log, run, v, seen, start, plexes } = runLowLevel(loadClusterScenario(file), 200e6);
    expect(log.records[0]).toEqual({ at_ns: 150e6, event: 'drive-failed', node: 'node-1', drive: 0, plexes: [`${JOURNAL}#0`] });
    // The client's storage link is no replica's: it takes no copy out.
    expect(log.records.slice(1).map((r) => [r.event, r.plexes])).toEqual([
      ['link-down', []],
      ['link-up', []],
    ]);
    expect(seen[0]).toMatchObject({ primary: 1, legsFrom: 'node-2', via: start.via + 4 });
    expect(plexes[0]).toMatchObject({ node: 'node-1', state: 'offline', platform_state: 'lost' });
    expect(iosIn(run, DB, 170e6, 250e6).write).toBeGreaterThan(500);
    // With its link down the pod's I/O waits (at most its queue depth completes, what was past the link), then goes on.
    const stalled = iosIn(run, DB, 250e6, 300e6);
    expect(stalled.read + stalled.write).toBeLessThanOrEqual(16);
    expect(iosIn(run, DB, 300e6).write).toBeGreaterThan(500);
    expect(errorsOf(run)).toBe(0);
    expect(v.handle.volume.verifyAcknowledged()).toEqual([]);
  });
});

describe('a storage link down and up on diy', () => {
  it('takes out the copy whose replica leg crosses it and recovers it on link-up', async () => {
    const file = mirrorFailure('1s', [
      ['event: node-down, node: node-2 }', 'event: link-down, node: node-2, port: storage0 }'],
      ['event: node-up, node: node-2 }', 'event: link-up, node: node-2, port: storage0 }'],
    ]);
    const s = (await runFile(file, 'diy')).summary as ScenarioSummary;
    expect(s.faults.map((f) => [f.event, f.node, f.port, f.plexes])).toEqual([
      ['link-down', 'node-2', 'storage0', [`${JOURNAL}#1`]],
      ['link-up', 'node-2', 'storage0', [`${JOURNAL}#1`]],
    ]);
    expect(s.plexes[1]).toMatchObject({ node: 'node-2', state: 'in-sync', resyncs: [expect.objectContaining({ started_ns: 300e6 })] });
    expect(s.outages).toEqual({ volumes: [], pods: [] });
  });
});

describe('an unmirrored volume on diy (a pool of one copy) on a failed node', () => {
  it('reports the outage from the fault to the node’s return, its jobs see EIO, and its one copy is back current', async () => {
    // The scenario's own coefficient file: the built-in one with sds_replication 1.
    const builtIn = readFileSync(builtInStackCoefficientsPath(), 'utf8');
    const at = builtIn.indexOf('value: 3', builtIn.indexOf('  sds_replication:'));
    const oneCopy = `${builtIn.slice(0, at)}value: 1${builtIn.slice(at + 'value: 3'.length)}`;
    const dir = writeFiles({
      'one-copy.yaml': oneCopy,
      'solo.yaml': `kind: ClusterScenario
name: one copy
stack: diy
seed: 3
duration: 300ms
warmup: 20ms
interval: 20ms
coefficients: one-copy.yaml
nodes: { count: 2, profile: appliance-d10 }
networks:
  - { name: pods, subnet: 10.1.0.0/24, start: 10.1.0.10, end: 10.1.0.50, gateway: 10.1.0.1, default: true }
tenants: [{ name: t }]
volumes:
  - { name: solo, tenant: t, size: 8Gi, mirrors: 1, node_selector: { kubernetes.io/hostname: node-2 } }
pods:
  - { name: app, tenant: t, cpu: 2, memory: 4Gi, volumes: [solo], node_selector: { kubernetes.io/hostname: node-2 } }
workloads:
  - pod: app
    volume: solo
    job: |
      [j]
      rw=randrw
      rwmixread=50
      bs=4k
      iodepth=8
      time_based
      runtime=10s
faults:
  - { at: 100ms, event: node-down, node: node-2 }
  - { at: 200ms, event: node-up, node: node-2 }
`,
    });
    const { summary, run } = await runFile(join(dir, 'solo.yaml'), 'diy');
    const s = summary as ScenarioSummary;
    expect(s.outages!.volumes).toEqual([{ name: 't/solo', from_ns: 100e6, to_ns: 200e6, outage_ns: 100e6, until: 'node-up node-2' }]);
    const errors = errorsOf(run);
    expect(errors).toBeGreaterThan(0);
    expect(errors).toBeLessThanOrEqual(8);
    expect(s.pods.find((p) => p.pod === 't/app')).toMatchObject({ errors, stopped: { at_ns: 100e6 }, restarted: { at_ns: 200e6 } });
    expect(s.plexes).toEqual([
      expect.objectContaining({ node: 'node-2', copy: { drive: 0, primary: true }, state: 'in-sync', resyncs: [] }),
    ]);
    expect(iosIn(run, 't/app', 220e6).write).toBeGreaterThan(500);
  });
});

describe('compare mode on mirror-node-failure', () => {
  it('runs the faults on both stacks and gives both stacks’ fault records and plexes', async () => {
    const { summary, run } = await runFile(mirrorFailure('600ms'), 'hci,diy');
    const c = summary as ScenarioCompareSummary;
    expect(c.stacks).toEqual(['hci', 'diy']);
    const records = (stack: string) => c.by_stack[stack]!.faults.map((f) => [f.at_ns, f.event, f.node, f.plexes]);
    const expected = [
      [150e6, 'node-down', 'node-2', [`${JOURNAL}#1`]],
      [300e6, 'node-up', 'node-2', [`${JOURNAL}#1`]],
    ];
    expect(records('hci')).toEqual(expected);
    expect(records('diy')).toEqual(expected);
    // hci's rows are the platform's plexes, diy's the block store's copies.
    expect(c.by_stack.hci!.plexes.every((p) => p.copy === undefined)).toBe(true);
    expect(c.by_stack.diy!.plexes.every((p) => p.copy !== undefined)).toBe(true);
    for (const stack of ['hci', 'diy']) {
      expect(c.by_stack[stack]!.outages).toEqual({ volumes: [], pods: [] });
      expect(run.jobs.find((j) => j.labels?.stack === stack)!.measured.write.total_ios).toBeGreaterThan(1000);
    }
    // The text of compare mode gives each stack's faults and end states (the JSON has them per stack).
    const text = compareText(c);
    expect(text).toContain(`hci: fault at 150 ms: node-down node-2 (plexes ${JOURNAL}#1)`);
    expect(text).toContain(`diy: fault at 150 ms: node-down node-2 (copies ${JOURNAL}#1)`);
    expect(text).toMatch(/^hci: plex of .* on node-2: /m);
    expect(text).toMatch(/^diy: copy of .* on node-2/m);
  });
});

describe('faults one after another on diy', () => {
  it('two copies’ nodes down, then the last copy’s drive failed: the volume is lost to the faults, a stale copy stays out when its node returns, and the run reports the outage without failing', async () => {
    const file = mirrorFailure('500ms', [
      [
        '{ at: 300ms, event: node-up, node: node-2 }',
        '{ at: 200ms, event: node-down, node: node-3 }\n  - { at: 250ms, event: drive-failed, node: node-1, drive: 0 }\n  - { at: 300ms, event: node-up, node: node-2 }',
      ],
    ]);
    const s = (await runFile(file, 'diy')).summary as ScenarioSummary;
    expect(s.outages!.volumes).toEqual([{ name: JOURNAL, from_ns: 250e6, to_ns: 500e6, outage_ns: 250e6, until: 'end of run' }]);
    expect(s.plexes.map((p) => [p.node, p.state])).toEqual([
      ['node-1', 'offline'],
      ['node-2', 'offline'],
      ['node-3', 'offline'],
    ]);
    expect(s.faults.at(-1)).toMatchObject({ event: 'node-up', node: 'node-2', plexes: [`${JOURNAL}#1`] });
  });
});

/**
 * When the model runs the platform, the model's resync is the truth: a plex that returns after a node
 * failure is resyncing in the control plane until the model has copied its dirty blocks, and in sync at
 * that simulated time (to the millisecond of the control plane's clock), never earlier by the platform's
 * own formula nor later at the run's end. The platform's copy size is what the model copies, and its
 * rate the model's, so its finish estimate matches the model's finish when the drive keeps up.
 */
import { describe, expect, it } from 'vitest';
import { loadClusterScenario, type LoadedClusterScenario } from '../../../bench/scenario/load.js';
import { loadStackCoefficients } from '../../../bench/stack-coefficients.js';
import { runModel } from '../../../bench/targets/sim.js';
import type { ResyncDone } from '../../../sim/storage/resync.js';
import { assembleHci } from '../../../platform/cluster/assemble.js';
import { followModelResyncs, scheduleFaults, settleAfterRun } from '../../../platform/cluster/faults.js';
import { placeScenario, SCENARIO_EPOCH_MS, type ScenarioPlacement } from '../../../platform/cluster/placement.js';
import { volumeStateOf, type Plex } from '../../../platform/domain/volume.js';
import { shortenedScenario } from './scenario-files.js';

const DOWN_NS = 100e6;
const UP_NS = 110e6;
const VOLUME = 'ledger/journal';
const NODE = 'node-2';

/**
 * bench/scenarios/mirror-node-failure.yaml in `duration`: node-2 down at 100 ms and back at `up_ns`, the
 * journal at queue depth `iodepth` (16 in the file: the drive then has little room for the copies).
 */
const scenario = (duration: string, up_ns: number, iodepth: number, size = '100Gi') =>
  loadClusterScenario(
    shortenedScenario('mirror-node-failure', { duration, warmup: '50ms', interval: '50ms' }, '', [
      ['{ at: 15s, event: node-down, node: node-2 }', `{ at: ${DOWN_NS / 1e6}ms, event: node-down, node: ${NODE} }`],
      ['{ at: 30s, event: node-up, node: node-2 }', `{ at: ${up_ns / 1e6}ms, event: node-up, node: ${NODE} }`],
      ['iodepth=16', `iodepth=${iodepth}`],
      ['size: 100Gi', `size: ${size}`],
    ]),
  );

/** Places, builds and runs `s` as `anvil run` does, telling `onInSync` of each resync the model finishes. */
function run(s: LoadedClusterScenario, onInSync?: (volume: string, node: string, done: ResyncDone, placement: ScenarioPlacement) => void) {
  const placement = placeScenario(s);
  const follow = followModelResyncs(placement);
  const built = assembleHci(
    s,
    placement.store.read((st) => st),
    loadStackCoefficients(),
    (volume, node, done) => {
      onInSync?.(volume, node, done, placement);
      follow(volume, node, done);
    },
  );
  const log = scheduleFaults(s, placement, built);
  return {
    placement,
    built,
    go: () => {
      runModel(built.model, { profile: { name: 'cluster', title: s.spec.name, kind: 'cluster', path: s.file }, horizon_ns: s.duration_ns });
      return settleAfterRun(s, placement, built, log);
    },
  };
}

/** The control plane's time of simulated `ns`: whole milliseconds after the scenario's epoch. */
const platformMs = (ns: number) => SCENARIO_EPOCH_MS + Math.floor(ns / 1e6);

describe("the model's resync drives the control plane's plex state", () => {
  it('marks the returning plex in sync when the model has copied its dirty blocks, at that simulated time', () => {
    // A light journal (queue depth 2) on an 8 GiB volume (32 KiB blocks, each copy within the drive's
    // QoS window): the drive keeps up with the copies.
    const s = scenario('300ms', UP_NS, 2, '8Gi');
    const plexOf = (placement: ScenarioPlacement) =>
      placement.store.read((st) => st.volumes.get(VOLUME)?.plexes.find((p) => p.node === NODE));
    const done: { volume: string; node: string; done: ResyncDone; before: Plex | undefined }[] = [];
    const { placement, built, go } = run(s, (volume, node, d, at) => done.push({ volume, node, done: d, before: plexOf(at) }));
    // The volume's state in the control plane every millisecond of simulated time after the node's return.
    const probes: { at_ns: number; state: string }[] = [];
    for (let at = UP_NS + 1e6; at < s.duration_ns; at += 1e6)
      built.model.at(at, () => probes.push({ at_ns: at, state: placement.store.read((st) => volumeStateOf(st.volumes.get(VOLUME)!)) }));
    const plexes = go();

    // The model finished one resync, of node-2's plex, within the run.
    expect(done.map((d) => [d.volume, d.node])).toEqual([[VOLUME, NODE]]);
    const model = done[0]!.done;
    expect(model.started_ns).toBe(UP_NS);
    expect(model.finished_ns).toBeLessThan(s.duration_ns);

    // Until then the control plane had it resyncing, its copy size the model's dirty bytes, and its
    // estimate the model's finish (the drive keeps up: the copies go at the rate the platform gave).
    const before = done[0]!.before;
    if (before?.state !== 'resyncing') throw new Error(`plex on ${NODE} was ${before?.state}, not resyncing, when the model finished`);
    expect(model.copied_bytes).toBeGreaterThan(0);
    expect(before.resync.bytes).toBe(model.copied_bytes);
    expect(Date.parse(before.resync.started_at)).toBe(platformMs(UP_NS));
    expect(Math.abs(Date.parse(before.resync.finishes_at) - platformMs(model.finished_ns))).toBeLessThanOrEqual(1);

    // One PlexResynced event, at the model's finish to the millisecond.
    const resynced = placement.store.events({ limit: -1 }).filter((e) => e.reason === 'PlexResynced');
    expect(resynced.map((e) => [e.object, Date.parse(e.at)])).toEqual([[`volume/${VOLUME}`, platformMs(model.finished_ns)]]);
    expect(resynced[0]!.message).toContain(`(${model.copied_bytes} bytes)`);

    // Degraded until the model's finish, in sync after.
    const expected = probes.map((p) => ({ at_ns: p.at_ns, state: p.at_ns < model.finished_ns ? 'degraded' : 'in-sync' }));
    expect(probes).toEqual(expected);
    expect(probes.some((p) => p.state === 'degraded') && probes.some((p) => p.state === 'in-sync')).toBe(true);
    expect(plexes.find((p) => p.node === NODE)).toMatchObject({ state: 'in-sync', platform_state: 'in-sync' });
  });

  it("keeps the plex resyncing while the model still copies, past the platform's own estimate", () => {
    // The file's journal at queue depth 16 leaves the drive little room: the copies fall behind the
    // platform's estimate (bytes / rate), which passes well before the run's end.
    const s = scenario('800ms', 105e6, 16);
    let finished = false;
    const { placement, go } = run(s, () => (finished = true));
    const plexes = go();
    const estimate = placement.store.read((st) => st.volumes.get(VOLUME)!.plexes.find((p) => p.node === NODE)!);
    if (estimate.state !== 'resyncing') throw new Error(`plex on ${NODE} is ${estimate.state}, not resyncing`);
    expect(Date.parse(estimate.resync.finishes_at)).toBeLessThan(platformMs(s.duration_ns));
    expect(finished).toBe(false);
    expect(plexes.find((p) => p.node === NODE)).toMatchObject({ state: 'resyncing', platform_state: 'resyncing' });
    expect(placement.store.events({ limit: -1 }).filter((e) => e.reason === 'PlexResynced')).toEqual([]);
  });
});

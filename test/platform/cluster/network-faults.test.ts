/**
 * Link faults on hci: a pod port's link down stops the flows over it and they resume when it returns; a
 * storage port's link down takes the remote plex over it out, the mirrored volume goes on degraded, the
 * plex resyncs on link-up, and no acknowledged write is lost. The control plane is told: its plexes go
 * out of sync and resync as the model's do (checked between the model's slices and at the end), its node
 * shows the port down meanwhile, and a volume whose only copy was cut off stops its pod until the link returns.
 */
import { describe, expect, it } from 'vitest';
import { anvilInProcess } from '../../cli-harness.js';
import { scenarioFile } from './scenario-files.js';
import type { AssembledCluster } from '../../../platform/cluster/assemble.js';
import type { ScenarioPlacement } from '../../../platform/cluster/placement.js';
import { runHciModel, sharedPortScenario } from './network-scenario.js';

/** Each modelled plex's state in the model and on the platform now (the model's offline is the platform's out-of-sync or offline). */
function plexStates(built: AssembledCluster, placement: ScenarioPlacement): { model: string[]; platform: string[] } {
  const model: string[] = [];
  const platform: string[] = [];
  for (const [key, v] of built.volumes)
    v.plexNodes.forEach((node, plex) => {
      model.push(`${key}@${node}: ${v.handle.volume.state[plex]}`);
      const p = placement.store.read((st) => st.volumes.get(key)?.plexes.find((x) => x.node === node)?.state ?? 'gone');
      platform.push(`${key}@${node}: ${p === 'out-of-sync' ? 'offline' : p}`);
    });
  return { model, platform };
}

const MS = 1e6;

const withFaults = (faults: string) =>
  sharedPortScenario({
    victimRate: '2G',
    hogs: 0,
    duration: '120ms',
    pods: '  - { name: writer, tenant: web, cpu: 1, memory: 1Gi, volumes: [both], node_selector: { side: a } }\n',
    extra:
      'volumes:\n  - { name: both, tenant: web, size: 1Gi, mirrors: 2 }\n' +
      'workloads:\n  - pod: writer\n    volume: both\n    job: |\n      [w]\n      rw=randwrite\n      bs=4k\n      iodepth=4\n      time_based\n      runtime=1s\n' +
      `faults:\n${faults}`,
  });

const FAULTS =
  '  - { at: 20ms, event: link-down, node: node-a, port: pod0 }\n' +
  '  - { at: 25ms, event: link-down, node: node-b, port: storage0 }\n' +
  '  - { at: 40ms, event: link-up, node: node-a, port: pod0 }\n' +
  '  - { at: 45ms, event: link-up, node: node-b, port: storage0 }\n';

describe('link faults (hci)', () => {
  it('stops the flows over a downed pod link and resumes them; a downed storage link degrades the mirror, which resyncs and loses nothing', () => {
    const seen: { at_ms: number; model: string[]; platform: string[]; linksDown?: readonly string[] }[] = [];
    const run = runHciModel(withFaults(FAULTS), (built, placement) =>
      seen.push({
        at_ms: built.model.sim.now / MS,
        ...plexStates(built, placement),
        linksDown: placement.store.read((st) => st.nodes.get('node-b')!.links_down),
      }),
    );
    // Between the model's slices, the platform's plexes are the model's: out while the link is down, back after.
    for (const x of seen) expect(x.platform, `at ${x.at_ms} ms`).toEqual(x.model);
    const during = seen.find((x) => x.at_ms === 30)!;
    expect(during.model).toEqual(['web/both@node-a: in-sync', 'web/both@node-b: offline']);
    expect(during.linksDown).toEqual(['storage0']);
    expect(seen.find((x) => x.at_ms === 50)!.linksDown).toBeUndefined();
    // The platform's account of it, stamped with the model's time.
    const events = run.placement.store.events({ limit: 1000 });
    const reasons = events.map((e) => e.reason);
    expect(reasons.filter((r) => r.startsWith('Link'))).toEqual(['LinkDown', 'LinkDown', 'LinkUp', 'LinkUp']);
    expect(reasons).toContain('PlexOutOfSync');
    expect(reasons).toContain('PlexResynced');
    const flow = run.built.network.flows[0]!.flow;
    const rows = flow.recorder.write.intervals;
    const bytesIn = (from_ms: number, to_ms: number) =>
      rows.filter((r) => r.time_ns > from_ms * MS && r.time_ns <= to_ms * MS).reduce((sum, r) => sum + r.bytes, 0);
    expect(bytesIn(10, 20)).toBeGreaterThan(0);
    expect(bytesIn(30, 40)).toBe(0); // down from 20 ms: nothing arrives in the interval that ends at 40 ms
    expect(bytesIn(40, 50)).toBeGreaterThan(0);
    expect(bytesIn(50, 120)).toBeGreaterThan(0);
    const port = run.built.network.ports.get('node-a/pod0')!;
    expect(port.txGate.heldInAll).toBeGreaterThan(0);
    expect(port.txGate.waiting).toBe(0);
    // Every message sent arrived (held, not dropped): the window's 2 Gbit/s is still about all delivered.
    expect(flow.arrived).toBe(flow.sent);

    const down = run.records.find((r) => r.event === 'link-down' && r.node === 'node-b')!;
    const up = run.records.find((r) => r.event === 'link-up' && r.node === 'node-b')!;
    expect(down.plexes).toEqual(['web/both#1']);
    expect(up.plexes).toEqual(['web/both#1']);
    expect(run.records.find((r) => r.node === 'node-a')!.plexes).toEqual([]);
    const plex = run.plexes.find((p) => p.volume === 'web/both' && p.node === 'node-b')!;
    expect(plex.state).toBe('in-sync');
    // At the end the platform agrees, plex by plex.
    expect(run.plexes.map((p) => [p.node, p.state, p.platform_state])).toEqual([
      ['node-a', 'in-sync', 'in-sync'],
      ['node-b', 'in-sync', 'in-sync'],
    ]);
    expect(plex.resyncs).toHaveLength(1);
    expect(plex.resyncs[0]!.copied_bytes).toBeGreaterThan(0);
    // The writer went on, degraded, while its remote plex was out; every acknowledged write reads back.
    const writes = run.unit('web/writer').recorder.write.intervals;
    expect(writes.filter((r) => r.time_ns > 30 * MS && r.time_ns <= 40 * MS).reduce((sum, r) => sum + r.ios, 0)).toBeGreaterThan(0);
    const volume = run.built.volumes.get('web/both')!.handle.volume;
    expect(() => volume.assertNoLostWrites()).not.toThrow();
  });

  it("takes the remote plex out when the pod's own node loses its storage link, and keeps the local one", () => {
    const run = runHciModel(
      withFaults(
        '  - { at: 20ms, event: link-down, node: node-a, port: storage0 }\n  - { at: 40ms, event: link-up, node: node-a, port: storage0 }\n',
      ),
    );
    expect(run.built.volumes.get('web/both')!.plexNodes).toEqual(['node-a', 'node-b']);
    expect(run.records.map((r) => [r.event, r.plexes])).toEqual([
      ['link-down', ['web/both#1']],
      ['link-up', ['web/both#1']],
    ]);
    // The pod port's flow never noticed: only the storage link went down.
    expect(run.built.network.ports.get('node-a/pod0')!.txGate.heldInAll).toBe(0);
    expect(run.plexes.map((p) => p.state)).toEqual(['in-sync', 'in-sync']);
    expect(run.plexes.map((p) => p.platform_state)).toEqual(['in-sync', 'in-sync']);
  });

  it('stops the pod whose only copy the link cut off, on the platform and the model, and starts it again when the link returns', () => {
    const seen: { at_ms: number; model: string[]; platform: string[]; pod: string }[] = [];
    const run = runHciModel(
      sharedPortScenario({
        victimRate: '2G',
        hogs: 0,
        duration: '120ms',
        pods: '  - { name: writer, tenant: web, cpu: 1, memory: 1Gi, volumes: [far], node_selector: { side: a } }\n',
        extra:
          'volumes:\n  - { name: far, tenant: web, size: 1Gi, node_selector: { side: b } }\n' +
          'workloads:\n  - pod: writer\n    volume: far\n    job: |\n      [w]\n      rw=randwrite\n      bs=4k\n      iodepth=4\n      time_based\n      runtime=1s\n' +
          'faults:\n  - { at: 25ms, event: link-down, node: node-b, port: storage0 }\n  - { at: 45ms, event: link-up, node: node-b, port: storage0 }\n',
      }),
      (built, placement) =>
        seen.push({
          at_ms: built.model.sim.now / MS,
          ...plexStates(built, placement),
          pod: placement.store.read((st) => st.pods.get('web/writer')!.status.state),
        }),
    );
    for (const x of seen) expect(x.platform, `at ${x.at_ms} ms`).toEqual(x.model);
    expect(seen.find((x) => x.at_ms === 30)).toMatchObject({ model: ['web/far@node-b: offline'], pod: 'pending' });
    expect(seen.find((x) => x.at_ms === 50)).toMatchObject({ model: ['web/far@node-b: in-sync'], pod: 'running' });
    expect(run.records.map((r) => [r.event, r.plexes, r.stopped?.map((x) => x.pod), r.restarted])).toEqual([
      ['link-down', ['web/far#0'], ['web/writer'], undefined],
      ['link-up', ['web/far#0'], undefined, [{ pod: 'web/writer', on: 'node-a' }]],
    ]);
    expect(run.plexes.map((p) => [p.state, p.platform_state])).toEqual([['in-sync', 'in-sync']]);
  });

  it('runs through anvil run, listing the link faults with their port; refuses a port the node does not have', async () => {
    const ok = await anvilInProcess(['run', scenarioFile(withFaults(FAULTS))]);
    expect(ok.stderr).not.toContain('ANVIL_ERR');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('fault at 25.0 ms: link-down node-b/storage0 (plexes web/both#1)');
    const bad = await anvilInProcess([
      'run',
      scenarioFile(
        withFaults(
          '  - { at: 20ms, event: link-down, node: node-a, port: eth9 }\n  - { at: 40ms, event: link-up, node: node-a, port: eth9 }\n',
        ),
      ),
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('ANVIL_ERR_CLUSTER_SCENARIO');
    expect(bad.stderr).toContain('link-down of node-a port eth9: node node-a has no such NIC port; its ports: pod0, storage0');
  });
});

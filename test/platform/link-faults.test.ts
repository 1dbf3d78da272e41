/**
 * Issue 13, link faults told to the control plane: a node's NIC port goes down and comes back with events,
 * as a node failure does; a downed storage link cuts the remote plexes whose path crosses it (out of sync,
 * or offline when they were the volume's last current copies, its pod then waiting), and on its return they
 * resync (or are current again); a pod port carries no plex; the node views show the port down.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anvilInProcess, tempDir } from '../cli-harness.js';
import { caughtAnvilError } from '../caught.js';
import { describeText, kindTable } from '../../platform/cli/views.js';
import { invariantViolations } from '../../platform/domain/invariants.js';
import type { Node } from '../../platform/domain/node.js';
import type { Volume } from '../../platform/domain/volume.js';
import type { Store } from '../../platform/state/store.js';
import { as, BLUE, openStore, podSpec } from './control-plane-harness.js';

const codeOf = (fn: () => unknown): string => caughtAnvilError(fn).code;
const on = (node: string) => ({ 'kubernetes.io/hostname': node });

/**
 * Three appliance nodes, the blue network, a 1 GiB volume `data` and pod `db`: with `mirrors` 2 the plexes
 * go where the platform puts them (the pod beside the first); with 1, on node1 and the pod on `pod`.
 */
function cluster(mirrors: 1 | 2, pod = 'node1'): { store: Store; a: string; b: string; c: string } {
  const { store } = openStore();
  as(store, (cp) => cp.createCluster({ name: 'c1', nodes: 3 }));
  as(store, (cp) => cp.createNetwork(BLUE));
  as(store, (cp) =>
    cp.createVolume({
      namespace: 'default',
      name: 'data',
      size_bytes: 2 ** 30,
      mirrors,
      ...(mirrors === 1 ? { node_selector: on('node1') } : {}),
    }),
  );
  const plexes = store.read((s) => s.volumes.get('default/data')!.plexes.map((p) => p.node));
  const a = plexes[0]!;
  const b = plexes[1] ?? '';
  const c = ['node1', 'node2', 'node3'].find((n) => !plexes.includes(n))!;
  as(store, (cp) => cp.createPod(podSpec('db', { volumes: ['data'], node_selector: on(mirrors === 2 ? a : pod) })));
  return { store, a, b, c };
}

const volume = (store: Store): Volume => store.read((s) => s.volumes.get('default/data')!);
const node = (store: Store, name: string): Node => store.read((s) => s.nodes.get(name)!);
const plexStates = (store: Store) => Object.fromEntries(volume(store).plexes.map((p) => [p.node, p.state]));
const reasons = (store: Store) => store.events({ limit: 1000 }).map((e) => e.reason);
const sound = (store: Store) => store.read((s) => invariantViolations(s));

describe('a storage link down under a mirrored volume', () => {
  it('takes the remote plex beyond it out of sync (volume degraded), and resyncs what the model says was written when it returns', () => {
    const { store, a, b } = cluster(2);
    expect(volume(store).attachment).toMatchObject({ state: 'attached', node: a, via: 'local' });
    const before = reasons(store).length;
    expect(as(store, (cp) => cp.linkDown(b, 'storage0'))).toEqual({ moved: [], pending: [] });
    expect(node(store, b).links_down).toEqual(['storage0']);
    expect(node(store, b).status.state).toBe('ready');
    expect(plexStates(store)).toEqual({ [a]: 'in-sync', [b]: 'out-of-sync' });
    expect(volume(store).state).toBe('degraded');
    expect(reasons(store).slice(before)).toEqual(['LinkDown', 'PlexOutOfSync', 'VolumeDegraded']);
    expect(sound(store)).toEqual([]);

    as(store, (cp) => cp.linkUp(b, 'storage0', (v) => (v === 'default/data' ? 0.25 : 1)));
    expect(node(store, b).links_down).toBeUndefined();
    const plex = volume(store).plexes.find((p) => p.node === b)!;
    expect(plex.state).toBe('resyncing');
    expect(plex.state === 'resyncing' && plex.resync).toMatchObject({ source: a, bytes: 2 ** 28 });
    expect(reasons(store)).toContain('LinkUp');
    expect(sound(store)).toEqual([]);
  });

  it("takes the remote plex out when the pod's own node loses its storage link, and keeps the local one", () => {
    const { store, a, b } = cluster(2);
    as(store, (cp) => cp.linkDown(a, 'storage0'));
    expect(plexStates(store)).toEqual({ [a]: 'in-sync', [b]: 'out-of-sync' });
  });

  it('leaves every plex alone when the link is a pod port, or on a node the path does not cross', () => {
    const { store, a, b, c } = cluster(2);
    as(store, (cp) => cp.linkDown(a, 'pod0'));
    as(store, (cp) => cp.linkDown(c, 'storage0'));
    expect(plexStates(store)).toEqual({ [a]: 'in-sync', [b]: 'in-sync' });
    expect(node(store, a).links_down).toEqual(['pod0']);
  });
});

describe('a storage link down under the only copy of a remotely read volume', () => {
  it('takes the copy offline and the pod waits, pending; when the link is back the copy is current and the pod runs again', () => {
    const { store } = cluster(1, 'node2');
    expect(volume(store).attachment).toMatchObject({ state: 'attached', node: 'node2', via: 'remote' });
    expect(as(store, (cp) => cp.linkDown('node2', 'storage0')).pending).toEqual(['default/db']);
    expect(plexStates(store)).toEqual({ node1: 'offline' });
    expect(volume(store).state).toBe('unavailable');
    const waiting = store.read((s) => s.pods.get('default/db')!.status);
    expect(waiting.state === 'pending' && waiting.failure.summary).toBe(
      'volume data is unavailable: its current copy is on node1, cut off by a downed storage link; the pod starts when the link is up',
    );
    expect(sound(store)).toEqual([]);
    as(store, (cp) => cp.linkUp('node2', 'storage0'));
    expect(plexStates(store)).toEqual({ node1: 'in-sync' });
    expect(reasons(store)).not.toContain('PlexResynced');
    expect(store.read((s) => s.pods.get('default/db')!.status)).toMatchObject({ state: 'running', node: 'node2' });
    expect(sound(store)).toEqual([]);
  });
});

describe('node views', () => {
  it('show the port down in anvil get nodes, cluster status and describe node, and up again after', () => {
    const { store } = cluster(1);
    as(store, (cp) => cp.linkDown('node2', 'storage0'));
    store.read((s) => {
      const n = s.nodes.get('node2')!;
      expect(kindTable(s, 'nodes', [n])).toMatch(/node2 +ready, link down: storage0 /);
      const text = describeText(s, 'nodes', n, []);
      expect(text).toMatch(/^Status: +ready, link down: storage0$/m);
      expect(text).toMatch(/^NIC ports: +pod0 \(pods, [^)]+\) up, storage0 \(storage, [^)]+\) down$/m);
    });
    as(store, (cp) => cp.linkUp('node2', 'storage0'));
    store.read((s) => expect(kindTable(s, 'nodes', [s.nodes.get('node2')!])).toMatch(/node2 +ready +/));
  });
});

describe('bad link faults', () => {
  it('are refused with a coded error naming what exists', () => {
    const { store } = cluster(1);
    const e = caughtAnvilError(() => as(store, (cp) => cp.linkDown('node1', 'eth9')));
    expect(e.code).toBe('ANVIL_ERR_FIELD_INVALID');
    expect(e.message).toBe('node node1 has no NIC port eth9; its ports: pod0, storage0');
    expect(codeOf(() => as(store, (cp) => cp.linkDown('node9', 'storage0')))).toBe('ANVIL_ERR_OBJECT_NOT_FOUND');
    expect(codeOf(() => as(store, (cp) => cp.linkUp('node1', 'storage0')))).toBe('ANVIL_ERR_IN_USE');
    as(store, (cp) => cp.linkDown('node1', 'storage0'));
    expect(codeOf(() => as(store, (cp) => cp.linkDown('node1', 'storage0')))).toBe('ANVIL_ERR_IN_USE');
  });

  it('need the node edit role, checked before the node is looked up', () => {
    const { store } = cluster(1);
    const tenant = { user: 'alice', roles: ['tenant-admin/default'] };
    const known = caughtAnvilError(() => as(store, (cp) => cp.linkDown('node1', 'storage0'), tenant)).code;
    const unknown = caughtAnvilError(() => as(store, (cp) => cp.linkDown('node9', 'storage0'), tenant)).code;
    expect(known).toBe(unknown);
    expect(known).toBe('ANVIL_ERR_FORBIDDEN');
  });
});

describe('anvil node link-down and link-up', () => {
  it('take the port down and up on the state, as anvil get nodes and describe node show it', async () => {
    const state = join(tempDir('anvil-link-'), 'state.db');
    const run = (args: string[]) => anvilInProcess([...args, '--state', state]);
    expect((await run(['cluster', 'create', 'c1', '--nodes', '2'])).code).toBe(0);
    expect(await run(['node', 'link-down', 'node1', 'storage0'])).toMatchObject({
      code: 0,
      stdout: 'node node1 port storage0 link down\n',
    });
    expect((await run(['get', 'nodes'])).stdout).toMatch(/^node1 +ready, link down: storage0 /m);
    expect((await run(['describe', 'node', 'node1'])).stdout).toMatch(/storage0 \(storage, [^)]+\) down$/m);
    const bad = await run(['node', 'link-down', 'node1', 'eth9']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('ANVIL_ERR_FIELD_INVALID');
    expect(bad.stderr).toContain('node node1 has no NIC port eth9; its ports: pod0, storage0');
    expect((await run(['node', 'link-up', 'node1', 'storage0'])).code).toBe(0);
    expect((await run(['get', 'nodes'])).stdout).toMatch(/^node1 +ready +zone/m);
  });
});

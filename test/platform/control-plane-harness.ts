/** A control plane on a fresh state file with a fixed clock, and a small node profile for tight tests. */
import { join } from 'node:path';
import { localAdmin, type Actor } from '../../platform/domain/tenancy.js';
import type { ControlPlane } from '../../platform/domain/control-plane.js';
import type { ControlPlaneStore } from '../../platform/state/control-plane-store.js';
import { Store } from '../../platform/state/store.js';
import { tempDir, writeFiles } from '../cli-harness.js';

/** A clock that ticks one second per reading from a fixed start: deterministic timestamps. */
export function tickingClock(start = Date.UTC(2026, 0, 1)): () => Date {
  let t = start;
  return () => new Date((t += 1000));
}

export function openStore(path = join(tempDir('anvil-state-'), 'state.db')): { store: Store; path: string } {
  return { store: Store.open(path, tickingClock()), path };
}

/** A small node: 4 cores, 8 GiB, 2 pod VFs, 1 TB, 50k IOPS and 1 Gbit/s guaranteeable, 3 remote controllers. */
export function smallProfilePath(overrides: Partial<Record<string, string>> = {}): string {
  const o = {
    vfs: '2',
    iops: '50000',
    bw: '1G',
    pods: '10',
    remote: '3',
    drives: '[{ profile: intel-p4510-4tb, capacity: 1T }]',
    ...overrides,
  };
  const yaml = `name: small-test-node
cpu_millicores: 4000
memory: 8Gi
max_pods: ${o.pods}
drives: ${o.drives}
nic_ports:
  - { name: pod0, role: pods, speed: 10G, vfs: ${o.vfs} }
  - { name: storage0, role: storage, speed: 10G, vfs: 8 }
storage_controllers: { local: 4, remote: ${o.remote} }
max_volumes: 20
guaranteeable: { storage_iops: ${o.iops}, network_bandwidth: ${o.bw} }
`;
  return join(writeFiles({ 'small.yaml': yaml }), 'small.yaml');
}

export const ADMIN: Actor = localAdmin('alice');

/** Runs one change as the admin, on either store. */
export function as<T>(store: ControlPlaneStore, fn: (cp: ControlPlane) => T, actor: Actor = ADMIN): T {
  return store.change(actor, 'test', 'test', fn);
}

/** A pod spec with defaults: 100m, 64Mi, one endpoint on `network`, best-effort. */
export function podSpec(
  name: string,
  over: Partial<Parameters<ControlPlane['createPod']>[0]> = {},
): Parameters<ControlPlane['createPod']>[0] {
  return {
    namespace: 'default',
    name,
    cpu_millicores: 100,
    memory_bytes: 64 * 2 ** 20,
    perf_tier: 'best-effort',
    endpoints: [{ network: 'blue', perf_tier: 'best-effort' }],
    volumes: [],
    node_selector: {},
    tolerations: [],
    ...over,
  };
}

export const BLUE = {
  name: 'blue',
  subnet: '192.168.30.0/24',
  start: '192.168.30.101',
  end: '192.168.30.200',
  gateway: '192.168.30.1',
  vlan: 2,
};

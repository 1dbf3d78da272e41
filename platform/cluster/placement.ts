/**
 * A cluster scenario placed by the control plane's own code, in process: a MemoryStore on a simulated
 * clock, the cluster made of the scenario's nodes (their node profiles), then its networks, perf tiers,
 * tenants, volumes and pods through the domain services, and its Kubernetes manifests through planApply
 * as `anvil apply` runs them. A pod the platform refuses stays pending with the scheduler's reason; what
 * comes out is the state the model is assembled from.
 */
import type { LoadedClusterScenario } from '../../bench/scenario/load.js';
import { parseBitRate } from '../../sim/core/units.js';
import { simulatedClock } from '../domain/clock.js';
import { cpuMillicores, quantityBytes } from '../domain/quantity.js';
import type { ControlPlane } from '../domain/control-plane.js';
import type { Taint } from '../domain/node.js';
import { tierIoSizeBytes } from '../domain/perf-tier.js';
import { localAdmin } from '../domain/tenancy.js';
import { AnvilError } from '../errors.js';
import { planApply, runApply } from '../manifests/apply.js';
import { parseManifestText } from '../manifests/documents.js';
import { MemoryStore } from '../state/memory-store.js';

/** The simulated clock's epoch: 2026-01-01T00:00:00Z, so event times read the same on every run. */
export const SCENARIO_EPOCH_MS = Date.UTC(2026, 0, 1);

/** Name of the cluster a scenario makes. */
const CLUSTER_NAME = 'scenario';

/** What placement gave: the store (its state is the placement; pods it could not place stay pending there, with the scheduler's reason). */
export interface ScenarioPlacement {
  readonly store: MemoryStore;
  /**
   * Where the control plane's clock reads simulated time, ns: 0 while placing, then the model's own
   * `sim.now` (`followModelTime`, called by `scheduleFaults`), so nothing moves it by hand before a change.
   */
  readonly clock: { source: () => number };
}

/** `KEY[=VALUE]:EFFECT` as the control plane's taint (key and value; the effect is always NoSchedule there). */
function taintOf(text: string): Taint {
  const [kv] = text.split(':');
  const [key, value] = (kv ?? text).split('=');
  return { key: key ?? text, value: value ?? '' };
}

/** The toleration keys of `KEY[=VALUE]:EFFECT` strings. */
function tolerationKeys(texts: readonly string[] | undefined): string[] {
  return (texts ?? []).map((t) => taintOf(t).key);
}

/** Runs `fn` as the cluster's administrator; an error names the scenario entry it came from. */
function change<T>(store: MemoryStore, file: string, where: string, fn: (cp: ControlPlane) => T): T {
  try {
    // Audited as the API words it (VERB KIND, KIND/...): the scenario's entry applied.
    return store.change(localAdmin('scenario'), 'apply scenarios', `scenarios${where}`, fn);
  } catch (e) {
    if (e instanceof AnvilError) throw new AnvilError(e.code, `${file}: ${where}: ${e.message}`, e.details);
    throw e;
  }
}

/** Places the scenario on a fresh in-memory control plane. */
export function placeScenario(s: LoadedClusterScenario): ScenarioPlacement {
  const clock = { source: (): number => 0 };
  const store = new MemoryStore(simulatedClock(SCENARIO_EPOCH_MS, () => clock.source()));
  const spec = s.spec;
  const first = s.nodes[0]!;
  // createCluster names its own nodes (node1..); the scenario's are added by name, and the
  // placeholder goes unless the scenario itself has a node of that name and profile.
  change(store, s.file, '/nodes', (cp) => cp.createCluster({ name: CLUSTER_NAME, nodes: 1, nodeProfile: first.profile }));
  const placeholder = store.read((st) => [...st.nodes.keys()][0]!);
  const keepPlaceholder = s.nodes.some((n) => n.name === placeholder && n.profile === first.profile && n.zone === undefined);
  for (const n of s.nodes) {
    if (n.name === placeholder && keepPlaceholder) continue;
    if (n.name === placeholder) change(store, s.file, n.path, (cp) => cp.removeNode(placeholder, true));
    change(store, s.file, n.path, (cp) =>
      cp.addNode({
        name: n.name,
        profile: n.profile,
        ...(n.zone !== undefined ? { zone: n.zone } : {}),
        labels: { ...n.labels },
        taints: n.taints.map(taintOf),
      }),
    );
  }
  if (!keepPlaceholder && store.read((st) => st.nodes.has(placeholder)))
    change(store, s.file, '/nodes', (cp) => cp.removeNode(placeholder, true));

  spec.networks.forEach((n, i) =>
    change(store, s.file, `/networks/${i}`, (cp) =>
      cp.createNetwork({
        name: n.name,
        subnet: n.subnet,
        start: n.start,
        end: n.end,
        gateway: n.gateway,
        ...(n.vlan !== undefined ? { vlan: n.vlan } : {}),
        is_default: n.default,
      }),
    ),
  );
  spec.perf_tiers.forEach((t, i) =>
    change(store, s.file, `/perf_tiers/${i}`, (cp) =>
      cp.createPerfTier({
        name: t.name,
        storage_iops: t.storage_iops,
        network_bandwidth_bits_per_s: parseBitRate(t.network_bandwidth)!,
        ...(t.max_storage_iops !== undefined ? { max_storage_iops: t.max_storage_iops } : {}),
        ...(t.max_network_bandwidth !== undefined ? { max_network_bandwidth_bits_per_s: parseBitRate(t.max_network_bandwidth)! } : {}),
        ...(t.io_size !== undefined ? { io_size_bytes: tierIoSizeBytes(t.io_size, 'io_size') } : {}),
        ...(t.read_fraction !== undefined ? { read_fraction: t.read_fraction } : {}),
        ...(t.storage_weight !== undefined ? { storage_weight: t.storage_weight } : {}),
      }),
    ),
  );
  spec.tenants.forEach((t, i) => change(store, s.file, `/tenants/${i}`, (cp) => cp.ensureTenant(t.name)));
  spec.volumes.forEach((v, i) =>
    change(store, s.file, `/volumes/${i}`, (cp) =>
      cp.createVolume({
        namespace: v.tenant,
        name: v.name,
        size_bytes: quantityBytes(v.size, `${s.file}: /volumes/${i}/size`),
        mirrors: v.mirrors,
        perf_tier: v.perf_tier,
        ...(v.node_selector !== undefined ? { node_selector: { ...v.node_selector } } : {}),
        ...(v.spread_zones !== undefined ? { spread_zones: v.spread_zones } : {}),
      }),
    ),
  );
  spec.pods.forEach((p, i) =>
    change(store, s.file, `/pods/${i}`, (cp) => {
      const networks = p.networks.length > 0 ? p.networks : [cp.defaultNetwork()?.name].filter((n) => n !== undefined);
      return cp.createPod({
        namespace: p.tenant,
        name: p.name,
        // Rounded up as Kubernetes and the manifest import round them.
        cpu_millicores: cpuMillicores(p.cpu, `${s.file}: /pods/${i}/cpu`),
        memory_bytes: quantityBytes(p.memory, `${s.file}: /pods/${i}/memory`),
        perf_tier: p.perf_tier,
        endpoints: networks.map((network) => ({ network, perf_tier: p.perf_tier })),
        volumes: p.volumes,
        node_selector: { ...(p.node_selector ?? {}) },
        tolerations: tolerationKeys(p.tolerations),
      });
    }),
  );
  for (const m of s.manifests) {
    const plan = planApply(parseManifestText(m.text, m.file), m.tenant, false);
    change(store, s.file, m.path, (cp) => runApply(cp, plan));
  }
  return { store, clock };
}

/** From now on the control plane's clock is the model's (`sim.now`, ns). */
export function followModelTime(placement: ScenarioPlacement, sim: { readonly now: number }): void {
  placement.clock.source = () => sim.now;
}

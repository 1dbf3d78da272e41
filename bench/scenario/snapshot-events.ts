/**
 * A scenario's snapshots (`snapshots: [{ at: 2s, volume: db-data }]`): checked against the scenario
 * (the volume it names exists, the time is inside the run, snapshot names unique per tenant) and
 * resolved to `TENANT/NAME`, in time order. platform/cluster/snapshots.ts takes them at their times.
 */
import { Problems, durationNs, resolveRef, type Catalog } from './cross-checks.js';
import type { ClusterScenarioSpec } from './schema.js';

/** One snapshot the run takes. */
export interface ScenarioSnapshot {
  /** When the control plane takes it, ns from the start of the run. */
  readonly at_ns: number;
  /** `TENANT/NAME` of the volume. */
  readonly volume: string;
  /** The snapshot's name in the volume's tenant. */
  readonly name: string;
}

/** The longest a snapshot name may be (a DNS label). */
const MAX_NAME = 63;

/** The default name of a volume's `n`th snapshot (1-based): VOLUME-snap-N, the volume's name cut to fit. */
function defaultName(volume: string, n: number): string {
  const suffix = `-snap-${n}`;
  return `${volume.slice(0, MAX_NAME - suffix.length).replace(/-+$/, '')}${suffix}`;
}

/** Checks the scenario's snapshots (each problem at its path into `p`) and resolves them, in time order. */
export function scenarioSnapshots(s: ClusterScenarioSpec, catalog: Catalog, p: Problems): ScenarioSnapshot[] {
  const duration = durationNs(s.duration);
  const order = s.snapshots.map((x, i) => ({ x, i, at_ns: durationNs(x.at) })).sort((a, b) => a.at_ns - b.at_ns || a.i - b.i);
  const taken = new Map<string, number>();
  const named = new Map<string, number>();
  const out: ScenarioSnapshot[] = [];
  for (const { x, i, at_ns } of order) {
    const path = `/snapshots/${i}`;
    if (at_ns > duration) p.at(`${path}/at`, `${x.at} is after the end of the run (${s.duration}); take the snapshot inside the run`);
    const volume = resolveRef(x.volume, catalog.volumes, 'volume', `${path}/volume`, p);
    if (volume === undefined) continue;
    const n = (taken.get(volume) ?? 0) + 1;
    taken.set(volume, n);
    const tenant = volume.slice(0, volume.indexOf('/'));
    const name = x.name ?? defaultName(volume.slice(tenant.length + 1), n);
    const key = `${tenant}/${name}`;
    const first = named.get(key);
    if (first !== undefined) {
      p.at(
        `${path}${x.name !== undefined ? '/name' : ''}`,
        `snapshot ${key} is taken already by /snapshots/${first}; give each snapshot its own name`,
      );
      continue;
    }
    named.set(key, i);
    out.push({ at_ns, volume, name });
  }
  return out;
}

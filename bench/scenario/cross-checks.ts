/**
 * What the schema cannot say about a cluster scenario: names unique where the control plane needs them
 * unique, every name referring to something the scenario defines, times inside the run, a fault timeline
 * that makes sense (a node comes up only after it went down), SLAs with one scope and a limit. Each
 * problem is `FILE:LINE: /path: message`, all of them at once.
 */
import type { LocatedYaml } from '../../platform/yaml-problems.js';
import { parseDuration, parseQuantity } from '../../sim/core/units.js';
import { BUILT_IN_PERF_TIERS, manifestNames, type ManifestText, type ScenarioNode } from './references.js';
import { MAX_POD_CPU_CORES, type ClusterScenarioSpec, type FaultSpec } from './schema.js';

/** Collects problems with their place in the file. */
export class Problems {
  readonly list: string[] = [];
  constructor(readonly located: LocatedYaml) {}
  at(path: string, message: string): void {
    this.list.push(`${this.located.where(path)}: ${path}: ${message}`);
  }
}

/** Nanoseconds of a duration the schema has already checked. */
export function durationNs(text: string): number {
  return parseDuration(text, 's')!;
}

function firstDuplicate<T>(items: readonly T[], key: (t: T) => string, onDuplicate: (item: T, index: number, first: number) => void): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const k = key(item);
    const first = seen.get(k);
    if (first !== undefined) onDuplicate(item, i, first);
    else seen.set(k, i);
  });
}

/** Every pod and volume the scenario defines (inline and in manifests), by `TENANT/NAME`. */
export interface Catalog {
  readonly pods: ReadonlySet<string>;
  readonly volumes: ReadonlySet<string>;
  /** Volumes each inline pod attaches, by `TENANT/NAME` of the pod. */
  readonly podVolumes: ReadonlyMap<string, readonly string[]>;
}

/**
 * Resolves NAME or TENANT/NAME against `known` (keys `TENANT/NAME`); reports a name that is missing, or
 * that several tenants use, at `path`.
 */
export function resolveRef(ref: string, known: ReadonlySet<string>, what: string, path: string, p: Problems): string | undefined {
  if (ref.includes('/')) {
    if (known.has(ref)) return ref;
    p.at(path, `no ${what} ${ref} in the scenario; ${what}s: ${[...known].join(', ') || 'none'}`);
    return undefined;
  }
  const matches = [...known].filter((k) => k.endsWith(`/${ref}`));
  if (matches.length === 1) return matches[0];
  if (matches.length === 0) p.at(path, `no ${what} named ${ref} in the scenario; ${what}s: ${[...known].join(', ') || 'none'}`);
  else p.at(path, `${ref} names a ${what} in several tenants; write TENANT/NAME, one of: ${matches.join(', ')}`);
  return undefined;
}

/** One pod running one workload entry on one volume, all by `TENANT/NAME`. */
export interface WorkloadPair {
  readonly index: number;
  readonly pod: string;
  readonly volume: string;
}

/**
 * The pods each workload entry runs on: its pod, or with PREFIX* every pod whose name starts so, each on
 * the volume named (a * in it replaced by what the pod's * matched).
 */
export function workloadPairs(s: ClusterScenarioSpec, pods: ReadonlySet<string>, p: Problems): WorkloadPair[] {
  const out: WorkloadPair[] = [];
  s.workloads.forEach((w, i) => {
    const path = `/workloads/${i}/pod`;
    if (!w.pod.endsWith('*')) {
      if (w.volume.includes('*'))
        p.at(`/workloads/${i}/volume`, 'a * in the volume stands for what a pod PREFIX* matched; this pod has no *');
      const pod = resolveRef(w.pod, pods, 'pod', path, p);
      if (pod !== undefined) out.push({ index: i, pod, volume: `${pod.split('/')[0]}/${w.volume}` });
      return;
    }
    const prefix = w.pod.slice(0, -1);
    const matched = [...pods].filter((k) => (prefix.includes('/') ? k : k.split('/')[1]!).startsWith(prefix));
    if (matched.length === 0) p.at(path, `no pod's name starts with ${prefix}; pods: ${[...pods].join(', ') || 'none'}`);
    for (const pod of matched) {
      const rest = (prefix.includes('/') ? pod : pod.split('/')[1]!).slice(prefix.length);
      out.push({ index: i, pod, volume: `${pod.split('/')[0]}/${w.volume.replace('*', rest)}` });
    }
  });
  return out;
}

/** Names unique, references defined, times inside the run; returns the pods and volumes it found. */
export function checkReferences(
  s: ClusterScenarioSpec,
  nodes: readonly ScenarioNode[],
  manifests: readonly ManifestText[],
  p: Problems,
): Catalog {
  firstDuplicate(
    nodes,
    (n) => n.name,
    (n, i, first) =>
      p.at(
        Array.isArray(s.nodes) ? `/nodes/${i}/name` : '/nodes',
        `node ${n.name} is already defined by /nodes/${first}; names must be unique`,
      ),
  );
  firstDuplicate(
    s.networks,
    (n) => n.name,
    (n, i) => p.at(`/networks/${i}/name`, `network ${n.name} is defined twice; names must be unique`),
  );
  if (s.networks.filter((n) => n.default).length > 1) p.at('/networks', 'more than one network says default: true; at most one may');
  firstDuplicate(
    s.tenants,
    (t) => t.name,
    (t, i) => p.at(`/tenants/${i}/name`, `tenant ${t.name} is defined twice`),
  );
  firstDuplicate(
    s.slas,
    (x) => x.name,
    (x, i) => p.at(`/slas/${i}/name`, `SLA ${x.name} is defined twice; names must be unique (they name test cases)`),
  );
  firstDuplicate(
    s.perf_tiers,
    (t) => t.name,
    (t, i) => p.at(`/perf_tiers/${i}/name`, `perf tier ${t.name} is defined twice`),
  );
  s.perf_tiers.forEach((t, i) => {
    if (BUILT_IN_PERF_TIERS.includes(t.name))
      p.at(`/perf_tiers/${i}/name`, `${t.name} is a built-in perf tier; choose another name (built in: ${BUILT_IN_PERF_TIERS.join(', ')})`);
    if (t.max_storage_iops !== undefined && t.max_storage_iops < t.storage_iops)
      p.at(
        `/perf_tiers/${i}/max_storage_iops`,
        `${t.max_storage_iops} is below the guaranteed ${t.storage_iops}; the limit must be at least the guarantee`,
      );
  });

  const tenants = new Set(s.tenants.map((t) => t.name));
  const tiers = new Set([...BUILT_IN_PERF_TIERS, ...s.perf_tiers.map((t) => t.name)]);
  const networks = new Set(s.networks.map((n) => n.name));
  const tenantOk = (tenant: string, path: string) => {
    if (!tenants.has(tenant)) p.at(path, `no tenant ${tenant} in tenants; tenants: ${[...tenants].join(', ')}`);
  };
  const tierOk = (tier: string, path: string) => {
    if (!tiers.has(tier)) p.at(path, `no perf tier ${tier}; perf tiers: ${[...tiers].join(', ')}`);
  };
  const networkOk = (net: string, path: string) => {
    if (!networks.has(net)) p.at(path, `no network ${net} in networks; networks: ${[...networks].join(', ') || 'none'}`);
  };

  const fromManifests = manifestNames(manifests);
  p.list.push(...fromManifests.problems);
  manifests.forEach((m) => tenantOk(m.tenant, `${m.path}/tenant`));

  const volumes = new Set<string>();
  s.volumes.forEach((v, i) => {
    tenantOk(v.tenant, `/volumes/${i}/tenant`);
    tierOk(v.perf_tier, `/volumes/${i}/perf_tier`);
    const key = `${v.tenant}/${v.name}`;
    if (volumes.has(key)) p.at(`/volumes/${i}/name`, `volume ${key} is defined twice`);
    volumes.add(key);
    if (v.mirrors > nodes.length)
      p.at(`/volumes/${i}/mirrors`, `${v.mirrors} plexes need ${v.mirrors} nodes; the scenario has ${nodes.length}`);
  });
  for (const [key, where] of fromManifests.claims) {
    if (volumes.has(key)) p.at('/volumes', `volume ${key} is defined here and by a claim at ${where}; define it once`);
    volumes.add(key);
  }

  const pods = new Set<string>();
  const podVolumes = new Map<string, string[]>();
  s.pods.forEach((pod, i) => {
    tenantOk(pod.tenant, `/pods/${i}/tenant`);
    tierOk(pod.perf_tier, `/pods/${i}/perf_tier`);
    const key = `${pod.tenant}/${pod.name}`;
    if (pods.has(key)) p.at(`/pods/${i}/name`, `pod ${key} is defined twice`);
    pods.add(key);
    // The string form is any Kubernetes quantity ("500m", "2"); its range is the number form's.
    if (typeof pod.cpu === 'string' && parseQuantity(pod.cpu)! > MAX_POD_CPU_CORES)
      p.at(
        `/pods/${i}/cpu`,
        `cpu "${pod.cpu}" is ${parseQuantity(pod.cpu)} cores; allowed: up to ${MAX_POD_CPU_CORES} cores (e.g. 2, 0.5 or 500m)`,
      );
    pod.networks.forEach((n, k) => networkOk(n, `/pods/${i}/networks/${k}`));
    pod.volumes.forEach((v, k) => {
      if (!volumes.has(`${pod.tenant}/${v}`))
        p.at(`/pods/${i}/volumes/${k}`, `no volume ${v} in tenant ${pod.tenant}; a pod attaches volumes of its own tenant`);
    });
    podVolumes.set(
      key,
      pod.volumes.map((v) => `${pod.tenant}/${v}`),
    );
  });
  for (const [key, where] of fromManifests.pods) {
    if (pods.has(key)) p.at('/pods', `pod ${key} is defined here and by a manifest at ${where}; define it once`);
    pods.add(key);
  }

  for (const { index: i, pod, volume } of workloadPairs(s, pods, p)) {
    const [tenant, name] = volume.split('/') as [string, string];
    const attached = podVolumes.get(pod);
    if (!volumes.has(volume)) p.at(`/workloads/${i}/volume`, `no volume ${name} in tenant ${tenant} (for pod ${pod})`);
    else if (attached && !attached.includes(volume))
      p.at(
        `/workloads/${i}/volume`,
        `pod ${pod} does not attach volume ${name}; add it to the pod's volumes (attached: ${attached.join(', ') || 'none'})`,
      );
  }
  s.flows.forEach((f, i) => {
    const from = resolveRef(f.from, pods, 'pod', `/flows/${i}/from`, p);
    const to = resolveRef(f.to, pods, 'pod', `/flows/${i}/to`, p);
    if (from !== undefined && from === to) p.at(`/flows/${i}/to`, 'a flow goes from one pod to another, not to itself');
    if (f.network !== undefined) networkOk(f.network, `/flows/${i}/network`);
  });
  s.slas.forEach((x, i) => {
    const scopes = (['pod', 'tenant', 'volume', 'tier'] as const).filter((k) => x[k] !== undefined);
    if (scopes.length !== 1)
      p.at(
        `/slas/${i}`,
        `an SLA holds for exactly one of pod, tenant, volume or tier; it names ${scopes.length === 0 ? 'none' : scopes.join(' and ')}`,
      );
    if (x.pod !== undefined) resolveRef(x.pod, pods, 'pod', `/slas/${i}/pod`, p);
    if (x.volume !== undefined) resolveRef(x.volume, volumes, 'volume', `/slas/${i}/volume`, p);
    if (x.tenant !== undefined) tenantOk(x.tenant, `/slas/${i}/tenant`);
    if (x.tier !== undefined) tierOk(x.tier, `/slas/${i}/tier`);
    const admission = x.max_admitted_pods !== undefined || x.min_admitted_pods !== undefined;
    if (
      x.min_iops === undefined &&
      x.min_bandwidth === undefined &&
      x.max_latency === undefined &&
      x.max_outage === undefined &&
      !admission
    ) {
      p.at(
        `/slas/${i}`,
        'an SLA needs at least one limit: min_iops, min_bandwidth, max_latency, max_outage, max_admitted_pods or min_admitted_pods',
      );
    }
    if (admission && x.volume !== undefined)
      p.at(
        `/slas/${i}/${x.max_admitted_pods !== undefined ? 'max_admitted_pods' : 'min_admitted_pods'}`,
        'admitted pods are counted for a pod, a tenant or a tier, not a volume; name the pod that attaches it',
      );
  });
  return { pods, volumes, podVolumes };
}

/** Warm-up inside the run, faults inside it, on nodes that exist, in an order that makes sense. */
export function checkTimes(s: ClusterScenarioSpec, nodes: readonly ScenarioNode[], p: Problems): void {
  const duration = durationNs(s.duration);
  if (duration <= 0) p.at('/duration', `${s.duration} is no time; a run lasts more than 0s`);
  if (durationNs(s.warmup) >= duration)
    p.at('/warmup', `${s.warmup} leaves nothing of the ${s.duration} run to measure; warm-up must end before the run does`);
  if (durationNs(s.interval) <= 0) p.at('/interval', 'an interval lasts more than 0s');
  s.slas.forEach((x, i) => {
    const from = x.from !== undefined ? durationNs(x.from) : durationNs(s.warmup);
    const until = x.until !== undefined ? durationNs(x.until) : duration;
    if (x.until !== undefined && until > duration) p.at(`/slas/${i}/until`, `${x.until} is after the end of the run (${s.duration})`);
    if (from >= until)
      p.at(
        `/slas/${i}/${x.from !== undefined ? 'from' : 'until'}`,
        `SLA ${x.name} is judged from ${x.from ?? `the end of the warm-up (${s.warmup})`} until ${x.until ?? `the end (${s.duration})`}: no time; from must come before until`,
      );
  });
  const names = new Set(nodes.map((n) => n.name));
  const down = new Set<string>();
  const order = s.faults.map((f, i) => ({ f, i, at: durationNs(f.at) })).sort((a, b) => a.at - b.at || a.i - b.i);
  for (const { f, i, at } of order) {
    const path = `/faults/${i}`;
    if (at > duration) p.at(`${path}/at`, `${f.at} is after the end of the run (${s.duration})`);
    if (!names.has(f.node)) {
      p.at(`${path}/node`, `no node ${f.node}; nodes: ${[...names].slice(0, 10).join(', ')}${names.size > 10 ? ', ...' : ''}`);
      continue;
    }
    faultFields(f, path, p);
    const key = f.event.startsWith('link') ? `${f.node}/${f.port ?? ''}` : f.node;
    if (f.event === 'node-down' || f.event === 'link-down') {
      if (down.has(key)) p.at(`${path}/event`, `${f.event.startsWith('link') ? `link ${key}` : `node ${key}`} is already down at ${f.at}`);
      down.add(key);
    } else if (f.event === 'node-up' || f.event === 'link-up') {
      if (!down.has(key))
        p.at(
          `${path}/event`,
          `${f.event} at ${f.at}, but ${f.event.startsWith('link') ? `link ${key}` : `node ${key}`} is not down then; bring it down earlier in the timeline`,
        );
      down.delete(key);
    }
  }
}

function faultFields(f: FaultSpec, path: string, p: Problems): void {
  if (f.event === 'drive-failed' && f.drive === undefined)
    p.at(path, 'drive-failed needs drive: the index of the drive on the node (0 is the first)');
  if (f.event !== 'drive-failed' && f.drive !== undefined) p.at(`${path}/drive`, `${f.event} takes no drive; only drive-failed does`);
  const link = f.event === 'link-down' || f.event === 'link-up';
  if (link && f.port === undefined) p.at(path, `${f.event} needs port: the NIC port's name in the node profile (e.g. storage0)`);
  if (!link && f.port !== undefined) p.at(`${path}/port`, `${f.event} takes no port; only link-down and link-up do`);
}

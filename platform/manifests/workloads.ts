/**
 * Kubernetes workloads to Anvil pods: a pod spec's containers give CPU and memory (requests, else limits,
 * in Kubernetes quantities), its annotations give endpoints and perf tiers, its PVC volumes give Anvil
 * volumes; node selectors and tolerations carry over. Volume types Anvil does not model are noted.
 */
import { AnvilError } from '../errors.js';
import { DEFAULT_PERF_TIER } from '../domain/perf-tier.js';
import type { EndpointRequest } from '../domain/pod.js';
import { parseQuantity } from '../../sim/core/units.js';
import { CPU_MILLICORES_RANGE, MEMORY_RANGE } from '../domain/limits.js';
import { Fields, type Obj } from './fields.js';

/** Annotation prefixes read; `diamanti.com/` is accepted too, as the appliance's manifests use it. */
const PREFIXES = ['anvil.dev/', 'diamanti.com/'];

/** Volume types that hold no persistent data: nothing to model, nothing to say. */
const EPHEMERAL = new Set(['emptyDir', 'configMap', 'secret', 'downwardAPI', 'projected']);

/** A pod as read from a manifest, before the default network is known. */
export interface PodDraft {
  readonly namespace: string;
  readonly name: string;
  readonly owner?: { kind: string; name: string };
  readonly cpu_millicores: number;
  readonly memory_bytes: number;
  readonly perf_tier: string;
  /** Explicit endpoints, or networks by name, or undefined for one endpoint on the default network. */
  readonly endpoints?: EndpointRequest[];
  readonly networks?: string[];
  readonly volumes: string[];
  readonly node_selector: Record<string, string>;
  readonly tolerations: string[];
  readonly where: string;
}

function annotation(annotations: Record<string, string>, key: string): string | undefined {
  for (const p of PREFIXES) if (annotations[p + key] !== undefined) return annotations[p + key];
  return undefined;
}

function containerTotals(f: Fields, spec: Obj, path: string): { cpu: number; mem: number } {
  let cpu = 0;
  let mem = 0;
  const containers = f.list(spec.containers, `${path}.containers`);
  if (containers.length === 0) f.fail(`${path}.containers`, 'a pod needs at least one container');
  containers.forEach((c, i) => {
    const res = f.obj(c.resources, `${path}.containers[${i}].resources`) ?? {};
    const requests = f.obj(res.requests, `${path}.containers[${i}].resources.requests`) ?? {};
    const limits = f.obj(res.limits, `${path}.containers[${i}].resources.limits`) ?? {};
    for (const [what, add] of [
      ['cpu', (v: number) => (cpu += Math.ceil(v * 1000 - 1e-9))],
      ['memory', (v: number) => (mem += Math.ceil(v))],
    ] as const) {
      const raw = requests[what] ?? limits[what];
      if (raw === undefined) continue;
      const src = requests[what] !== undefined ? 'requests' : 'limits';
      const v = typeof raw === 'string' || typeof raw === 'number' ? parseQuantity(raw) : undefined;
      if (v === undefined)
        f.fail(
          `${path}.containers[${i}].resources.${src}.${what}`,
          `"${String(raw)}" is not a Kubernetes quantity; write e.g. ${what === 'cpu' ? '500m or 2' : '512Mi or 2Gi'}`,
        );
      const range = what === 'cpu' ? CPU_MILLICORES_RANGE : MEMORY_RANGE;
      if ((what === 'cpu' ? v * 1000 : v) > range.max)
        f.fail(
          `${path}.containers[${i}].resources.${src}.${what}`,
          `"${String(raw)}" is out of range, allowed: ${what === 'cpu' ? 'up to 10000 cores' : 'up to 1Pi'}`,
        );
      add(v);
    }
  });
  return { cpu, mem };
}

function endpointsFrom(
  f: Fields,
  annotations: Record<string, string>,
  tier: string,
  path: string,
): { endpoints?: EndpointRequest[]; networks?: string[] } {
  const explicit: EndpointRequest[] = [];
  for (let k = 0; ; k++) {
    const text = annotation(annotations, `endpoint${k}`);
    if (text === undefined) break;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      f.fail(`${path}.annotations["anvil.dev/endpoint${k}"]`, `is not JSON; write e.g. '{"network":"blue","perfTier":"high"}'`);
    }
    const o = f.obj(parsed, `${path}.annotations["anvil.dev/endpoint${k}"]`, true)!;
    const endpointId = f.str(o.endpointId, `${path}.annotations["anvil.dev/endpoint${k}"].endpointId`);
    if (endpointId !== undefined) {
      // A persistent endpoint brings its own network, IP and MAC.
      const network = f.str(o.network, `${path}.annotations["anvil.dev/endpoint${k}"].network`) ?? '';
      explicit.push({
        network,
        endpoint: endpointId,
        perf_tier: f.str(o.perfTier, `${path}.annotations["anvil.dev/endpoint${k}"].perfTier`) ?? tier,
      });
      continue;
    }
    const network = f.str(o.network, `${path}.annotations["anvil.dev/endpoint${k}"].network`, true)!;
    const ip = f.str(o.ip, `${path}.annotations["anvil.dev/endpoint${k}"].ip`);
    explicit.push({
      network,
      perf_tier: f.str(o.perfTier, `${path}.annotations["anvil.dev/endpoint${k}"].perfTier`) ?? tier,
      ...(ip !== undefined ? { ip } : {}),
    });
  }
  if (explicit.length > 0) return { endpoints: explicit };
  const nets = annotation(annotations, 'network');
  if (nets !== undefined) {
    const networks = nets
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    if (networks.length === 0) f.fail(`${path}.annotations["anvil.dev/network"]`, 'names no network');
    return { networks };
  }
  return {};
}

/**
 * Reads a pod template (`metadata` + `spec`) into a draft. `claims` maps claim names to Anvil volume
 * names (StatefulSet ordinals, PVCs naming an existing volume); `notes` collects what was skipped.
 */
export function podDraft(
  f: Fields,
  meta: Obj,
  spec: Obj,
  path: string,
  id: { namespace: string; name: string; owner?: { kind: string; name: string } },
  claims: ReadonlyMap<string, string>,
  notes: string[],
  strict: boolean,
): PodDraft {
  const p = path ? `${path}.` : '';
  const annotations = f.strings(meta.annotations, `${p}metadata.annotations`);
  const tier = annotation(annotations, 'perf-tier') ?? DEFAULT_PERF_TIER;
  const { cpu, mem } = containerTotals(f, spec, `${p}spec`);
  const volumes: string[] = [];
  f.list(spec.volumes, `${p}spec.volumes`).forEach((v, i) => {
    const vname = f.str(v.name, `${p}spec.volumes[${i}].name`, true)!;
    const pvc = f.obj(v.persistentVolumeClaim, `${p}spec.volumes[${i}].persistentVolumeClaim`);
    if (pvc) {
      const claim = f.str(pvc.claimName, `${p}spec.volumes[${i}].persistentVolumeClaim.claimName`, true)!;
      volumes.push(claims.get(claim) ?? claim);
      return;
    }
    const type = Object.keys(v).find((k) => k !== 'name') ?? 'unknown';
    if (EPHEMERAL.has(type)) return;
    const note = `${f.where}: ${id.name}: volume ${vname} uses ${type}, which Anvil does not model; skipped (use a PersistentVolumeClaim for an Anvil volume)`;
    if (strict) throw new AnvilError('ANVIL_ERR_KIND_UNSUPPORTED', `${note.replace('; skipped', '')}; --strict rejects the apply`);
    notes.push(note);
  });
  const tolerations = f
    .list(spec.tolerations, `${p}spec.tolerations`)
    .map((t, i) => (t.key === undefined && t.operator === 'Exists' ? '*' : f.str(t.key, `${p}spec.tolerations[${i}].key`, true)!));
  return {
    namespace: id.namespace,
    name: id.name,
    ...(id.owner ? { owner: id.owner } : {}),
    cpu_millicores: cpu,
    memory_bytes: mem,
    perf_tier: tier,
    ...endpointsFrom(f, annotations, tier, `${p}metadata`),
    volumes,
    node_selector: f.strings(spec.nodeSelector, `${p}spec.nodeSelector`),
    tolerations,
    where: f.where,
  };
}

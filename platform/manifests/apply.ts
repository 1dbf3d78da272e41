/**
 * `anvil apply`: Kubernetes manifests onto the control plane. Every document is read and checked first;
 * then the whole apply runs as one change (one transaction): Namespaces, then PersistentVolumeClaims
 * (Anvil volumes), then Pods, Deployments and StatefulSets (pods, placed by the scheduler). Objects that
 * already exist are left as they are. Kinds Anvil does not model are reported and skipped, or with
 * `strict` reject the whole apply.
 */
import { AnvilError } from '../errors.js';
import { DEFAULT_PERF_TIER } from '../domain/perf-tier.js';
import type { ControlPlane } from '../domain/control-plane.js';
import type { EndpointRequest, Pod } from '../domain/pod.js';
import { parseQuantity } from '../../sim/core/units.js';
import { allows } from '../domain/tenancy.js';
import { keyOf } from '../domain/volume.js';
import { VOLUME_SIZE_RANGE } from '../domain/limits.js';
import { noObjects, type ManifestDocument } from './documents.js';
import { Fields, type Obj } from './fields.js';
import { podDraft, type PodDraft } from './workloads.js';

interface ClaimDraft {
  readonly namespace: string;
  readonly name: string;
  readonly size_bytes: number;
  readonly mirrors: number;
  readonly perf_tier: string;
  readonly where: string;
}

/** What an apply will do, worked out before anything changes. */
export interface ApplyPlan {
  readonly namespaces: string[];
  readonly claims: ClaimDraft[];
  readonly workloads: { kind: string; name: string; namespace: string; pods: PodDraft[] }[];
  /** Lines for stderr: what was skipped and why. */
  readonly notes: string[];
}

/**
 * Bounds on one apply, so that one request cannot stall the server or fill the state file: replicas of
 * one Deployment or StatefulSet, documents, and pods of the whole apply. The pods bound the one step that
 * cannot be cut up, writing the change in one transaction (about 1.2 s for 10,000 pending pods on a
 * loaded 2-core machine; half that at 5,000). Namespace quotas (quota.ts) bound what a namespace holds in all.
 */
export const MAX_REPLICAS_PER_WORKLOAD = 5000;
export const MAX_APPLY_DOCUMENTS = 1000;
export const MAX_APPLY_PODS = 5000;

function tooLarge(doc: ManifestDocument | undefined, path: string, message: string): never {
  const where = doc ? `${doc.whereField?.(path) ?? doc.where}: ${path}: ` : '';
  throw new AnvilError('ANVIL_ERR_REQUEST_TOO_LARGE', `${where}${message}`);
}

/** The kinds Anvil models, each with the apiVersion it reads it in (the one current Kubernetes serves). */
const MODELLED: ReadonlyMap<string, string> = new Map([
  ['Namespace', 'v1'],
  ['PersistentVolumeClaim', 'v1'],
  ['Pod', 'v1'],
  ['Deployment', 'apps/v1'],
  ['StatefulSet', 'apps/v1'],
  ['StorageClass', 'storage.k8s.io/v1'],
]);

/** StorageClass parameters Anvil honours. */
interface ClassParams {
  mirrors?: number;
  perf_tier?: string;
}

export function planApply(docs: readonly ManifestDocument[], defaultNamespace: string, strict: boolean): ApplyPlan {
  if (docs.length > MAX_APPLY_DOCUMENTS)
    tooLarge(
      undefined,
      '',
      `${docs.length} documents in one apply, more than the ${MAX_APPLY_DOCUMENTS} allowed; split the manifests into several applies`,
    );
  const notes: string[] = [];
  const classes = new Map<string, ClassParams>();
  const unsupported: string[] = [];
  // Documents of a modelled kind in an apiVersion Anvil does not read: reported and skipped like other kinds.
  const skipped = new Set<ManifestDocument>();
  if (docs.length === 0) throw noObjects();
  for (const doc of docs) {
    const f = new Fields(doc.where, doc.whereField);
    const apiVersion = f.str(doc.body.apiVersion, 'apiVersion', true)!;
    const kind = f.str(doc.body.kind, 'kind', true)!;
    const name = f.str(f.obj(doc.body.metadata, 'metadata', true)!.name, 'metadata.name', true)!;
    const version = MODELLED.get(kind);
    if (version === undefined) unsupported.push(`${doc.where}: ${kind} ${name}: kind ${kind} is not modelled by Anvil; skipped`);
    else if (apiVersion !== version) {
      unsupported.push(
        `${doc.whereField?.('apiVersion') ?? doc.where}: ${kind} ${name}: apiVersion ${apiVersion} is not one Anvil reads for kind ${kind}, allowed: ${version}; skipped`,
      );
      skipped.add(doc);
      continue;
    }
    if (kind === 'StorageClass') {
      const params = f.strings(doc.body.parameters, 'parameters');
      const mirrors = f.int(params.mirrorCount, 'parameters.mirrorCount', 1, 3);
      const tier = params.perfTier;
      if (mirrors === undefined && tier === undefined) {
        unsupported.push(
          `${doc.where}: StorageClass ${name}: provisioner ${f.str(doc.body.provisioner, 'provisioner') ?? '(none)'} is not modelled by Anvil (no mirrorCount or perfTier parameter); skipped, its claims get default Anvil volumes`,
        );
      }
      classes.set(name, { ...(mirrors !== undefined ? { mirrors } : {}), ...(tier !== undefined ? { perf_tier: tier } : {}) });
    }
  }
  if (strict && unsupported.length > 0) {
    const reasons = unsupported.map((u) => u.replace(/; skipped.*$/, ''));
    throw new AnvilError(
      'ANVIL_ERR_KIND_UNSUPPORTED',
      `${unsupported.length} documents are of kinds (or apiVersions) Anvil does not model; --strict rejects the apply, nothing was changed`,
      reasons,
    );
  }
  notes.push(...unsupported);

  const plan: ApplyPlan = { namespaces: [], claims: [], workloads: [], notes };
  const claimDraft = (f: Fields, meta: Obj, spec: Obj, path: string, namespace: string, name: string): ClaimDraft => {
    const annotations = f.strings(meta.annotations, `${path}metadata.annotations`);
    const className =
      f.str(spec.storageClassName, `${path}spec.storageClassName`) ?? annotations['volume.beta.kubernetes.io/storage-class'];
    const cls = (className !== undefined ? classes.get(className) : undefined) ?? {};
    if (className !== undefined && !classes.has(className)) {
      notes.push(
        `${f.where}: claim ${name}: StorageClass ${className} is not in this apply; the volume gets 1 mirror and the best-effort tier unless annotated (anvil.dev/mirror-count, anvil.dev/perf-tier)`,
      );
    }
    const resources = f.obj(spec.resources, `${path}spec.resources`, true)!;
    const requests = f.obj(resources.requests, `${path}spec.resources.requests`, true)!;
    const raw = f.str(requests.storage, `${path}spec.resources.requests.storage`, true)!;
    const size = parseQuantity(raw);
    if (size === undefined || size < 2 ** 20)
      f.fail(`${path}spec.resources.requests.storage`, `"${raw}" is not a size of at least 1Mi; write e.g. 1Gi or 500M`);
    if (size > VOLUME_SIZE_RANGE.max) f.fail(`${path}spec.resources.requests.storage`, `"${raw}" is out of range, allowed: 1Mi to 1Pi`);
    const mirrors =
      f.int(annotations['anvil.dev/mirror-count'], `${path}metadata.annotations["anvil.dev/mirror-count"]`, 1, 3) ?? cls.mirrors ?? 1;
    const perf_tier = annotations['anvil.dev/perf-tier'] ?? cls.perf_tier ?? DEFAULT_PERF_TIER;
    return { namespace, name, size_bytes: Math.ceil(size), mirrors, perf_tier, where: f.where };
  };

  let podCount = 0;
  for (const doc of docs) {
    const f = new Fields(doc.where, doc.whereField);
    const body = doc.body;
    const kind = body.kind as string;
    if (!MODELLED.has(kind) || kind === 'StorageClass' || skipped.has(doc)) continue;
    const meta = f.obj(body.metadata, 'metadata', true)!;
    const name = f.str(meta.name, 'metadata.name', true)!;
    const namespace = f.str(meta.namespace, 'metadata.namespace') ?? defaultNamespace;
    const spec = f.obj(body.spec, 'spec', kind !== 'Namespace') ?? {};
    switch (kind) {
      case 'Namespace':
        plan.namespaces.push(name);
        break;
      case 'PersistentVolumeClaim':
        if (f.str(spec.volumeName, 'spec.volumeName') !== undefined)
          f.fail('spec.volumeName', 'binding a claim to a volume of another name is not supported; name the claim after the Anvil volume');
        plan.claims.push(claimDraft(f, meta, spec, '', namespace, name));
        break;
      case 'Pod':
        plan.workloads.push({ kind, name, namespace, pods: [podDraft(f, meta, spec, '', { namespace, name }, new Map(), notes, strict)] });
        break;
      case 'Deployment':
      case 'StatefulSet': {
        const asked = Number(spec.replicas);
        if (Number.isInteger(asked) && asked > MAX_REPLICAS_PER_WORKLOAD)
          tooLarge(
            doc,
            'spec.replicas',
            `${asked} replicas, more than the ${MAX_REPLICAS_PER_WORKLOAD} one workload may have; split it into several workloads`,
          );
        const replicas = f.int(spec.replicas, 'spec.replicas', 0, MAX_REPLICAS_PER_WORKLOAD) ?? 1;
        podCount += replicas;
        if (podCount > MAX_APPLY_PODS)
          tooLarge(
            doc,
            'spec.replicas',
            `this apply would make ${podCount} pods so far, more than the ${MAX_APPLY_PODS} one apply may make; split the manifests into several applies`,
          );
        const template = f.obj(spec.template, 'spec.template', true)!;
        const tmeta = f.obj(template.metadata, 'spec.template.metadata') ?? {};
        const tspec = f.obj(template.spec, 'spec.template.spec', true)!;
        const pods: PodDraft[] = [];
        const templates = kind === 'StatefulSet' ? f.list(spec.volumeClaimTemplates, 'spec.volumeClaimTemplates') : [];
        for (let i = 0; i < replicas; i++) {
          const claims = new Map<string, string>();
          templates.forEach((t, k) => {
            const path = `spec.volumeClaimTemplates[${k}].`;
            const tmetaK = f.obj(t.metadata, `${path}metadata`, true)!;
            const claim = f.str(tmetaK.name, `${path}metadata.name`, true)!;
            const volume = `${claim}-${name}-${i}`;
            plan.claims.push(claimDraft(f, tmetaK, f.obj(t.spec, `${path}spec`, true)!, path, namespace, volume));
            claims.set(claim, volume);
          });
          const draft = podDraft(
            f,
            tmeta,
            tspec,
            'spec.template',
            { namespace, name: `${name}-${i}`, owner: { kind, name } },
            claims,
            notes,
            strict,
          );
          // A StatefulSet's claim templates are mounted by name without a `volumes` entry.
          const volumes = [...new Set([...draft.volumes, ...claims.values()])];
          pods.push({ ...draft, volumes });
        }
        plan.workloads.push({ kind, name, namespace, pods });
        break;
      }
      default:
        break;
    }
  }
  return plan;
}

/** Runs a plan on the control plane (inside one change); returns one line per object, kubectl style. */
export function runApply(cp: ControlPlane, plan: ApplyPlan): string[] {
  const steps = applySteps(cp, plan);
  let step = steps.next();
  while (!step.done) step = steps.next();
  return step.value;
}

/**
 * `runApply` one object at a time: it yields after each volume and pod it creates, so that a server can
 * let other requests in between (the store's `changeInSteps`); returns the lines.
 */
export function* applySteps(cp: ControlPlane, plan: ApplyPlan): Generator<void, string[], void> {
  authorizeApply(cp, plan);
  const lines: string[] = [];
  const state = cp.state;
  for (const ns of plan.namespaces) {
    const existed = state.tenants.has(ns);
    cp.ensureTenant(ns);
    lines.push(`namespace/${ns} ${existed ? 'unchanged' : 'created'}`);
  }
  for (const c of plan.claims) {
    if (state.volumes.has(keyOf(c.namespace, c.name))) {
      lines.push(`persistentvolumeclaim/${c.name} unchanged (volume exists)`);
      continue;
    }
    withWhere(c.where, () =>
      cp.createVolume({ namespace: c.namespace, name: c.name, size_bytes: c.size_bytes, mirrors: c.mirrors, perf_tier: c.perf_tier }),
    );
    yield;
    const v = state.volumes.get(keyOf(c.namespace, c.name))!;
    lines.push(
      `persistentvolumeclaim/${c.name} created (volume ${v.name}, ${v.mirrors} plexes on ${v.plexes.map((p) => p.node).join(', ')})`,
    );
  }
  for (const w of plan.workloads) {
    const results: Pod[] = [];
    let unchanged = 0;
    for (const draft of w.pods) {
      if (state.pods.has(keyOf(draft.namespace, draft.name))) {
        unchanged++;
        continue;
      }
      results.push(withWhere(draft.where, () => cp.createPod(podInput(cp, draft))));
      yield;
    }
    const running = results.filter((p) => p.status.state === 'running').length;
    const label = w.kind === 'Pod' ? `pod/${w.name}` : `${w.kind.toLowerCase()}.apps/${w.name}`;
    if (results.length === 0) lines.push(`${label} unchanged`);
    else
      lines.push(
        `${label} created (${results.length} pods: ${running} running, ${results.length - running} pending${unchanged ? `, ${unchanged} existed` : ''})`,
      );
    // Later pods of the same apply may have freed or taken room; report what each pod ended as.
    for (const p of results) {
      const now = state.pods.get(keyOf(p.namespace, p.name))!;
      if (now.status.state === 'pending') lines.push(`  pod/${p.name} pending: ${now.status.failure.summary}`);
    }
  }
  return lines;
}

/**
 * Permission before existence: every namespace the plan touches is checked before any object is looked
 * up, so an apply into a namespace the caller may not edit is refused whole, and "unchanged" never tells
 * a tenant that another tenant's object exists. A Namespace document is allowed to whoever may edit
 * tenants, or to whoever already works in that namespace (a tenant's bundle often carries its Namespace).
 */
function authorizeApply(cp: ControlPlane, plan: ApplyPlan): void {
  const ctx = cp.ctx;
  for (const ns of plan.namespaces) if (!allows(ctx.actor, 'container', 'edit', ns)) ctx.can('tenant', 'edit');
  for (const c of plan.claims) ctx.can('volume', 'edit', c.namespace);
  for (const w of plan.workloads) ctx.can('container', 'edit', w.namespace);
}

export function podInput(cp: ControlPlane, d: PodDraft): Parameters<ControlPlane['createPod']>[0] {
  let endpoints: EndpointRequest[];
  if (d.endpoints) endpoints = d.endpoints;
  else if (d.networks) endpoints = d.networks.map((network) => ({ network, perf_tier: d.perf_tier }));
  else {
    const net = cp.defaultNetwork();
    if (!net)
      throw new AnvilError(
        'ANVIL_ERR_OBJECT_NOT_FOUND',
        `${d.where}: pod ${d.name} names no network and the cluster has none; create one first (anvil network create NAME --subnet ... )`,
      );
    endpoints = [{ network: net.name, perf_tier: d.perf_tier }];
  }
  return {
    namespace: d.namespace,
    name: d.name,
    ...(d.owner ? { owner: d.owner } : {}),
    cpu_millicores: d.cpu_millicores,
    memory_bytes: d.memory_bytes,
    perf_tier: d.perf_tier,
    endpoints,
    volumes: d.volumes,
    node_selector: d.node_selector,
    tolerations: d.tolerations,
  };
}

/** Prefixes a domain error with the manifest's file and line. */
function withWhere<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    // Errors that already say where they come from (a manifest's own line) keep that.
    if (e instanceof AnvilError && !e.message.startsWith(`${where}:`)) throw new AnvilError(e.code, `${where}: ${e.message}`, e.details);
    throw e;
  }
}

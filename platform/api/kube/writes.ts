/**
 * Create, patch and delete of Kubernetes objects, onto Anvil's own: a manifest goes through the same
 * plan and placement as `anvil apply -f` (planApply, runApply: the same pods on the same nodes), and is
 * kept beside what it became (kube_manifests). A changed manifest is reconciled: replicas up or down add
 * or remove the highest ordinals; a changed pod template (or a pod's changed spec) recreates the pods
 * (the Recreate strategy: all go, then all come back, in one change); a claim may grow.
 */
import { randomUUID } from 'node:crypto';
import type { ClusterState } from '../../domain/cluster-state.js';
import type { Pod } from '../../domain/pod.js';
import type { ControlPlane } from '../../domain/control-plane.js';
import { allows, type Actor } from '../../domain/tenancy.js';
import { keyOf } from '../../domain/volume.js';
import { planApply, runApply, type ApplyPlan } from '../../manifests/apply.js';
import { parseQuantity } from '../../../sim/core/units.js';
import type { KubeManifests, ManifestBody, StoredManifest } from '../../state/kube-manifests.js';
import type { Store } from '../../state/store.js';
import { derivedUid, type KubeObject } from './objects.js';
import { liveObjectOf } from './manifest-views.js';
import { workloadUid } from './pod-objects.js';
import { oneObject, readSourceOf, type ReadSource } from './resources.js';
import { unknownFields } from './known-fields.js';
import { withGeneratedName } from './generated-names.js';
import { deleteNamespaceWithContents } from './namespace-deletion.js';
import {
  alreadyExists,
  badRequest,
  forbidden,
  invalid,
  notFound,
  unknownFieldsStatus,
  writeStatusOf,
  type WritableResource,
} from './write-status.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** What a write needs: the store, its manifests table and the caller. */
export interface Writer {
  readonly store: Store;
  readonly manifests: KubeManifests;
  readonly actor: Actor;
}

/** `Strict` refuses unknown fields, `Warn` answers them as warnings, `Ignore` drops nothing and says nothing. */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteOptions {
  readonly fieldValidation: FieldValidation;
  readonly dryRun: boolean;
  /** Warnings for the `Warning` header (unknown fields under `Warn`). */
  readonly warnings: string[];
}

/** Server-set metadata a client's body may carry (read back from a GET) but the manifest does not keep. */
const SERVER_METADATA = ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields', 'selfLink', 'deletionTimestamp'];

/** Permission before existence: the caller must be allowed the verb in the namespace before anything is looked up. */
export function requireEdit(w: Writer, r: WritableResource, verb: string, namespace: string | undefined, name?: string): void {
  const ns = r.namespaced ? namespace : undefined;
  // As `anvil apply`: a Namespace is allowed to whoever may edit tenants or already works in it.
  const ok =
    r.kind === 'Namespace'
      ? allows(w.actor, 'tenant', 'edit') || (name !== undefined && allows(w.actor, 'container', 'edit', name))
      : allows(w.actor, r.cls, 'edit', ns);
  if (!ok) throw forbidden(r, verb, w.actor.user, ns, name);
}

/** Does an Anvil object stand for this Kubernetes object (made by kubectl, `anvil apply` or the CLI)? */
function anvilObjectExists(state: ClusterState, r: WritableResource, namespace: string, name: string): boolean {
  switch (r.kind) {
    case 'Namespace':
      return state.tenants.has(name);
    case 'Pod':
      return state.pods.has(keyOf(namespace, name));
    case 'PersistentVolumeClaim':
      return state.volumes.has(keyOf(namespace, name));
    default:
      return [...state.pods.values()].some((p) => p.namespace === namespace && p.owner?.kind === r.kind && p.owner.name === name);
  }
}

/** The body as a manifest of the route's kind: checked, server fields dropped, the namespace filled in. */
export function checkedManifest(
  r: WritableResource,
  body: unknown,
  namespace: string,
  name: string | undefined,
  o: WriteOptions,
): ManifestBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest(`the body of a ${r.kind} is a JSON object`);
  const b = body as Obj;
  if (b.kind !== r.kind) throw badRequest(`the kind in the data (${String(b.kind)}) does not match the expected kind (${r.kind})`);
  if (b.apiVersion !== r.apiVersion)
    throw badRequest(`the API version in the data (${String(b.apiVersion)}) does not match the expected API version (${r.apiVersion})`);
  const meta = { ...obj(b.metadata) };
  if (typeof meta.name !== 'string' || meta.name === '')
    throw invalid(r, '', [{ field: 'metadata.name', message: 'Required value: name or generateName is required' }]);
  if (name !== undefined && meta.name !== name)
    throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
  if (r.namespaced) {
    if (meta.namespace !== undefined && meta.namespace !== namespace)
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    meta.namespace = namespace;
  } else delete meta.namespace;
  for (const key of SERVER_METADATA) delete meta[key];
  const { status: _status, ...rest } = b;
  const manifest = { ...rest, metadata: meta };
  if (o.fieldValidation !== 'Ignore') {
    const unknown = unknownFields(r.kind, manifest);
    if (unknown.length > 0 && o.fieldValidation === 'Strict') throw unknownFieldsStatus(r, unknown);
    for (const path of unknown) o.warnings.push(`unknown field "${path}"`);
  }
  return manifest;
}

/** A dry run's answer, thrown out of its change so that nothing of it commits. */
class DryRun extends Error {
  constructor(readonly answer: KubeObject) {
    super('dry run');
  }
}

/** The live object as kubectl reads it back: as the read routes answer it (resources.ts), else from its manifest alone. */
export function liveObject(source: ReadSource, r: WritableResource, stored: StoredManifest): KubeObject {
  return oneObject(source, r.kind, stored.namespace, stored.name) ?? liveObjectOf(source.state, stored);
}

/**
 * What a write's answer is read from, inside its change: the state as changed and the manifests as written;
 * every object is at `revision`, the change's own (the answer's resourceVersion, as the apiserver's).
 */
function changeSource(state: ClusterState, w: Writer, revision: number): ReadSource {
  return {
    state,
    revisions: { current: revision, of: () => revision },
    events: () => [],
    manifests: () => ({ get: (kind, ns, name) => w.manifests.get(kind, ns, name), ofKind: (kind) => w.manifests.list(kind) }),
  };
}

/** The live object as a read of the store now answers it (permission is the caller's to check). */
export function readLiveObject(w: Writer, r: WritableResource, stored: StoredManifest): KubeObject {
  return w.store.read((state, revisions) => liveObject(readSourceOf(w.store, state, revisions), r, stored));
}

/**
 * The manifest an object made outside kubectl stands as (`anvil apply`, the CLI): its name, identity and,
 * for a workload, its replica count. Undefined when no Anvil object stands for it either.
 */
export function adoptedManifest(state: ClusterState, r: WritableResource, namespace: string, name: string): StoredManifest | undefined {
  if (!anvilObjectExists(state, r, namespace, name)) return undefined;
  const pods = [...state.pods.values()].filter((p) => p.namespace === namespace && p.owner?.kind === r.kind && p.owner.name === name);
  const created =
    r.kind === 'Namespace'
      ? state.tenants.get(name)!.created_at
      : r.kind === 'PersistentVolumeClaim'
        ? state.volumes.get(keyOf(namespace, name))!.created_at
        : r.kind === 'Pod'
          ? state.pods.get(keyOf(namespace, name))!.created_at
          : pods.map((p) => p.created_at).sort()[0]!;
  const ns = r.namespaced ? namespace : '';
  return {
    kind: r.kind,
    namespace: ns,
    name,
    // The uid its read view shows (a workload's view has no creation time in it: pod-objects.ts).
    uid: r.kind === 'Deployment' || r.kind === 'StatefulSet' ? workloadUid(r.kind, ns, name) : derivedUid(r.kind, ns, name, created),
    generation: 1,
    created_at: created,
    manifest: {
      apiVersion: r.apiVersion,
      kind: r.kind,
      metadata: { name, ...(r.namespaced ? { namespace } : {}) },
      ...adoptedSpec(state, r, namespace, name, pods),
    },
    applied: {},
  };
}

/**
 * The spec an object made outside kubectl stands as: what Anvil knows of it (a pod's requests, a claim's
 * size, a workload's replicas and its first pod's requests), enough that a patch of its metadata plans
 * as it is; its pods are kept by name (an adopted object is reconciled as new, never rolled).
 */
function adoptedSpec(state: ClusterState, r: WritableResource, namespace: string, name: string, owned: readonly Pod[]): Obj {
  const container = (pod: Pod | undefined) => ({
    name: 'main',
    ...(pod ? { resources: { requests: { cpu: `${pod.cpu_millicores}m`, memory: String(pod.memory_bytes) } } } : {}),
  });
  switch (r.kind) {
    case 'Pod':
      return { spec: { containers: [container(state.pods.get(keyOf(namespace, name)))] } };
    case 'PersistentVolumeClaim':
      return {
        spec: {
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: String(state.volumes.get(keyOf(namespace, name))!.size_bytes) } },
        },
      };
    case 'Deployment':
    case 'StatefulSet':
      return { spec: { replicas: owned.length, template: { spec: { containers: [container(owned[0])] } } } };
    default:
      return {};
  }
}

/** The stored manifest of an object, or the one it stands as when made outside kubectl. */
export function currentManifest(w: Writer, r: WritableResource, namespace: string, name: string): StoredManifest | undefined {
  const ns = r.namespaced ? namespace : '';
  return w.manifests.get(r.kind, ns, name) ?? w.store.read((s) => adoptedManifest(s, r, namespace, name));
}

/** `kubectl create`: 201 and the object, or AlreadyExists. */
export async function createObject(
  w: Writer,
  r: WritableResource,
  namespace: string,
  body: unknown,
  o: WriteOptions,
  /** Server-side apply: the field manager whose applied configuration the body is. */
  appliedBy?: string,
): Promise<KubeObject> {
  requireEdit(w, r, 'create', namespace);
  const named = withGeneratedName(body, (candidate) => currentManifest(w, r, namespace, candidate) !== undefined);
  if (named === undefined) throw alreadyExists(r, `${String(obj(obj(body).metadata).generateName)}*`);
  const manifest = checkedManifest(r, named, namespace, undefined, o);
  const name = String(obj(manifest.metadata).name);
  if (currentManifest(w, r, namespace, name) !== undefined) throw alreadyExists(r, name);
  return write(w, r, namespace, name, undefined, manifest, appliedBy === undefined ? {} : { [appliedBy]: named as ManifestBody }, o);
}

/**
 * Writes `manifest` as the object's new state (`old` its stored manifest, if any): plans it as `anvil
 * apply` does, reconciles the Anvil objects, keeps the manifest; answers the live object.
 */
export async function write(
  w: Writer,
  r: WritableResource,
  namespace: string,
  name: string,
  old: StoredManifest | undefined,
  manifest: ManifestBody,
  applied: Record<string, ManifestBody>,
  o: WriteOptions,
  identity: StoredManifest | undefined = old,
): Promise<KubeObject> {
  const where = `${r.kind}/${name}`;
  const ns = r.namespaced ? namespace : '';
  try {
    const plan = planApply([{ where, body: manifest }], namespace, false);
    // What `anvil apply` would note (a volume type or storage class Anvil does not model): kubectl prints warnings.
    for (const note of plan.notes) o.warnings.push(note.startsWith(`${where}: `) ? note.slice(where.length + 2) : note);
    const stored: StoredManifest = {
      kind: r.kind,
      namespace: ns,
      name,
      uid: identity?.uid ?? randomUUID(),
      generation: identity === undefined ? 1 : identity.generation + (same(identity.manifest.spec, manifest.spec) ? 0 : 1),
      created_at: identity?.created_at ?? w.store.now().toISOString(),
      manifest,
      applied,
    };
    const verb = identity === undefined ? 'create' : 'patch';
    return await w.store.changeInGroupHeld(w.actor, `${verb} ${r.resource}`, `${r.resource}/${ns ? `${ns}/` : ''}${name}`, (cp) => {
      reconcile(cp, r, namespace, name, old, manifest, () => placeUnlessWaiting(cp, plan));
      const written = w.manifests.put(stored);
      if (r.kind === 'PersistentVolumeClaim') placeWaitingFor(cp, w, namespace, name);
      const answer = liveObject(changeSource(cp.state, w, written.revision!), r, written);
      if (o.dryRun) throw new DryRun(answer);
      return answer;
    });
  } catch (e) {
    if (e instanceof DryRun) return e.answer;
    throw writeStatusOf(e, r, name, where);
  }
}

/**
 * Runs the plan, unless a pod names a claim that does not exist yet (kubectl creates a file's objects one
 * by one, in file order, so a Deployment often comes before its claim): its pods then wait, with an
 * event saying so, and are placed when the claim is created (placeWaitingFor), as Kubernetes keeps them
 * Pending until the claim is bound.
 */
function placeUnlessWaiting(cp: ControlPlane, plan: ApplyPlan): void {
  const made = new Set(plan.claims.map((c) => keyOf(c.namespace, c.name)));
  const missing = new Set(plan.workloads.flatMap((wl) => wl.pods.flatMap((p) => p.volumes.map((v) => keyOf(p.namespace, v)))));
  for (const key of missing) if (made.has(key) || cp.state.volumes.has(key)) missing.delete(key);
  if (missing.size === 0) {
    runApply(cp, plan);
    return;
  }
  if (plan.claims.length > 0 || plan.namespaces.length > 0) runApply(cp, { ...plan, workloads: [] });
  const wl = plan.workloads[0]!;
  cp.ctx.event(
    'warning',
    'WaitingForClaim',
    `${wl.kind.toLowerCase()}/${wl.namespace}/${wl.name}`,
    `its pods wait for PersistentVolumeClaim ${[...missing].join(', ')}: they are placed when it is created`,
  );
}

/** Places the pods of the namespace's workloads (and pods) that were waiting for claim `claim`. */
function placeWaitingFor(cp: ControlPlane, w: Writer, namespace: string, claim: string): void {
  for (const kind of ['Pod', 'Deployment', 'StatefulSet']) {
    for (const m of w.manifests.list(kind, namespace)) {
      const plan = planApply([{ where: `${kind}/${m.name}`, body: m.manifest }], namespace, false);
      const waiting = plan.workloads.some((wl) =>
        wl.pods.some((p) => p.volumes.includes(claim) && !cp.state.pods.has(keyOf(namespace, p.name))),
      );
      if (waiting) placeUnlessWaiting(cp, plan);
    }
  }
}

/** The pods a workload owns. */
const ownedPods = (state: ClusterState, namespace: string, kind: string, name: string) =>
  [...state.pods.values()].filter((p) => p.namespace === namespace && p.owner?.kind === kind && p.owner.name === name);

/** Brings the Anvil objects of one Kubernetes object from `old` to `next`; `place` runs the apply plan. */
function reconcile(
  cp: ControlPlane,
  r: WritableResource,
  namespace: string,
  name: string,
  old: StoredManifest | undefined,
  next: ManifestBody,
  place: () => void,
): void {
  const was = obj(old?.manifest.spec);
  const spec = obj(next.spec);
  switch (r.kind) {
    case 'Deployment':
    case 'StatefulSet': {
      const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
      const rolled =
        old !== undefined && (!same(was.template, spec.template) || !same(was.volumeClaimTemplates, spec.volumeClaimTemplates));
      for (const pod of ownedPods(cp.state, namespace, r.kind, name)) {
        const ordinal = Number(pod.name.slice(name.length + 1));
        if (rolled || !(ordinal < replicas)) cp.deletePod(namespace, pod.name);
      }
      break;
    }
    case 'Pod':
      if (old !== undefined && !same(was, spec) && cp.state.pods.has(keyOf(namespace, name))) cp.deletePod(namespace, name);
      break;
    case 'PersistentVolumeClaim': {
      const volume = cp.state.volumes.get(keyOf(namespace, name));
      const raw = obj(obj(spec.resources).requests).storage;
      const size = typeof raw === 'string' || typeof raw === 'number' ? parseQuantity(raw) : undefined;
      if (volume !== undefined && size !== undefined && Math.ceil(size) !== volume.size_bytes) {
        if (size < volume.size_bytes)
          throw invalid(r, name, [
            { field: 'spec.resources.requests.storage', message: 'Forbidden: field can not be less than previous value' },
          ]);
        cp.updateVolume(namespace, name, { size_bytes: Math.ceil(size) });
      }
      break;
    }
    default:
      break;
  }
  place();
}

/** `kubectl delete`: the Anvil objects go at once (so kubectl's wait finds the object gone), then the manifest. */
export async function deleteObject(w: Writer, r: WritableResource, namespace: string, name: string): Promise<string> {
  requireEdit(w, r, 'delete', namespace, name);
  const current = currentManifest(w, r, namespace, name);
  if (current === undefined) throw notFound(r, name);
  const ns = r.namespaced ? namespace : '';
  try {
    await w.store.changeInGroupHeld(w.actor, `delete ${r.resource}`, `${r.resource}/${ns ? `${ns}/` : ''}${name}`, (cp) => {
      const state = cp.state;
      if (r.kind === 'Namespace') deleteNamespaceWithContents(cp, w.manifests, name);
      else if (r.kind === 'Pod') {
        if (state.pods.has(keyOf(namespace, name))) cp.deletePod(namespace, name);
      } else if (r.kind === 'PersistentVolumeClaim') {
        if (state.volumes.has(keyOf(namespace, name))) cp.deleteVolume(namespace, name);
      } else for (const pod of ownedPods(state, namespace, r.kind, name)) cp.deletePod(namespace, pod.name);
      w.manifests.remove(r.kind, ns, name);
    });
  } catch (e) {
    throw writeStatusOf(e, r, name, `${r.kind}/${name}`);
  }
  return current.uid;
}

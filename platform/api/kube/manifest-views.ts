/**
 * A stored manifest as the live Kubernetes object kubectl reads back: its metadata (labels, annotations,
 * the last-applied configuration) and spec as written, the identity the facade gave it (uid, generation,
 * creation time), and a status computed from the Anvil objects it became (a Deployment's pods, a claim's
 * volume). `overlayManifest` does the same over a view of an Anvil object (a pod's node and IPs).
 */
import type { ClusterState } from '../../domain/cluster-state.js';
import { keyOf } from '../../domain/volume.js';
import type { StoredManifest } from '../../state/kube-manifests.js';
import type { KubeMeta, KubeObject } from './objects.js';
import { APP_LABEL, replicaSetIdentity } from './pod-objects.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});

/** Seconds-precision RFC 3339, as Kubernetes writes timestamps. */
const kubeTime = (iso: string): string => iso.replace(/\.\d+Z$/, 'Z');

/** The metadata a manifest keeps (what the client wrote; the server's own fields are the facade's). */
function metadataOf(stored: StoredManifest): KubeMeta {
  const m = obj(stored.manifest.metadata);
  return {
    name: stored.name,
    ...(stored.namespace ? { namespace: stored.namespace } : {}),
    uid: stored.uid,
    resourceVersion: String(stored.revision ?? 1),
    creationTimestamp: kubeTime(stored.created_at),
    ...(m.labels !== undefined ? { labels: m.labels as Record<string, string> } : {}),
    ...(m.annotations !== undefined ? { annotations: m.annotations as Record<string, string> } : {}),
    generation: stored.generation,
  } as KubeMeta;
}

/** The later of the view's resourceVersion and the revision that last wrote the manifest (a label patched alone moves it). */
function laterVersion(view: KubeObject, stored: StoredManifest): string {
  return String(Math.max(Number(view.metadata.resourceVersion) || 0, stored.revision ?? 0));
}

/** A view's labels without the one the read side makes up where no manifest says (`app=<owner>`, pod-objects.ts). */
function factLabels(view: KubeObject): Record<string, string> {
  const { [APP_LABEL]: _madeUp, ...facts } = view.metadata.labels ?? {};
  return facts;
}

/** The pods of one workload, by its kind and name. */
const podsOf = (state: ClusterState, namespace: string, kind: string, name: string) =>
  [...state.pods.values()].filter((p) => p.namespace === namespace && p.owner?.kind === kind && p.owner.name === name);

/** A stored manifest of a Deployment, StatefulSet, PVC or Namespace as its live object, status included. */
export function liveObjectOf(state: ClusterState, stored: StoredManifest): KubeObject {
  const spec = obj(stored.manifest.spec);
  const base: KubeObject = {
    kind: stored.kind,
    apiVersion: String(stored.manifest.apiVersion),
    metadata: metadataOf(stored),
    ...(stored.manifest.spec !== undefined ? { spec } : {}),
  };
  switch (stored.kind) {
    case 'Deployment':
    case 'StatefulSet': {
      const pods = podsOf(state, stored.namespace, stored.kind, stored.name);
      const ready = pods.filter((p) => p.status.state === 'running').length;
      const desired = typeof spec.replicas === 'number' ? spec.replicas : 1;
      base.status = {
        observedGeneration: stored.generation,
        replicas: pods.length,
        updatedReplicas: pods.length,
        readyReplicas: ready,
        ...(stored.kind === 'Deployment' ? { availableReplicas: ready } : { currentReplicas: pods.length, availableReplicas: ready }),
        ...(stored.kind === 'Deployment'
          ? {
              conditions: [
                {
                  type: 'Available',
                  status: ready >= desired ? 'True' : 'False',
                  reason: ready >= desired ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
                },
              ],
            }
          : {}),
      };
      break;
    }
    case 'PersistentVolumeClaim': {
      const volume = state.volumes.get(keyOf(stored.namespace, stored.name));
      base.status = volume
        ? { phase: 'Bound', accessModes: spec.accessModes ?? ['ReadWriteOnce'], capacity: { storage: String(volume.size_bytes) } }
        : { phase: 'Pending' };
      if (volume) base.spec = { ...spec, volumeName: volume.name };
      break;
    }
    case 'Namespace':
      base.spec = { finalizers: ['kubernetes'] };
      base.status = { phase: 'Active' };
      break;
    default:
      break;
  }
  return base;
}

/**
 * A view of an Anvil object (a pod with its node, IPs and Anvil annotations) with what its manifest says:
 * labels, annotations and spec as written, the view's own facts (node name, Anvil annotations, labels a
 * controller adds such as pod-template-hash) kept; the label the view makes up (`app`) gives way.
 * `stored` is the object's own manifest, or its workload's (then its pod template's metadata and spec).
 * The resourceVersion is the later of the view's and its own manifest's revision.
 */
export function overlayManifest(view: KubeObject, stored: StoredManifest | undefined): KubeObject {
  if (stored === undefined) return view;
  const own = stored.kind === view.kind;
  const template = own ? stored.manifest : obj(obj(stored.manifest.spec).template);
  const meta = obj(template.metadata);
  const labels = { ...obj(meta.labels), ...factLabels(view) } as Record<string, string>;
  const annotations = { ...obj(meta.annotations), ...(view.metadata.annotations ?? {}) } as Record<string, string>;
  const out: KubeObject = {
    ...view,
    metadata: {
      ...withoutLabels(view.metadata),
      // A workload's manifest (replicas, say) changes none of its pods: a changed template recreates them.
      resourceVersion: own ? laterVersion(view, stored) : view.metadata.resourceVersion,
      ...(own ? { uid: stored.uid, creationTimestamp: kubeTime(stored.created_at), generation: stored.generation } : {}),
      ...(Object.keys(labels).length ? { labels } : {}),
      ...(Object.keys(annotations).length ? { annotations } : {}),
    } as KubeMeta,
    spec: { ...obj(view.spec), ...obj(template.spec), ...pick(obj(view.spec), 'nodeName') },
  };
  return out;
}

const withoutLabels = ({ labels: _labels, ...rest }: KubeMeta): KubeMeta => rest;

const pick = (o: Obj, key: string): Obj => (o[key] !== undefined ? { [key]: o[key] } : {});

/** What the facade reads manifests through (the store's kube_manifests table). */
export interface ManifestLookup {
  get(kind: string, namespace: string, name: string): StoredManifest | undefined;
}

/** The manifests a read's views use: each by kind, namespace and name, and all of a kind. */
export interface ManifestSource extends ManifestLookup {
  /** The manifests of `kind` (every namespace). */
  ofKind(kind: string): StoredManifest[];
}

/** The manifests of one read, by kind, namespace and name (a read's views look up each of theirs). */
export class ManifestIndex implements ManifestSource {
  private readonly byId = new Map<string, StoredManifest>();

  constructor(manifests: readonly StoredManifest[]) {
    for (const m of manifests) this.byId.set(`${m.kind}\u0000${m.namespace}\u0000${m.name}`, m);
  }

  get(kind: string, namespace: string, name: string): StoredManifest | undefined {
    return this.byId.get(`${kind}\u0000${namespace}\u0000${name}`);
  }

  ofKind(kind: string): StoredManifest[] {
    return [...this.byId.values()].filter((m) => m.kind === kind);
  }
}

/**
 * A view of an Anvil object with its manifest: its own (kubectl made it), else, for a pod, its workload's
 * (`owner`, the pod's Anvil owner) pod template: labels, containers, env and ports. Any kind's view can
 * go through it (a Deployment's, a claim's: spec and metadata as applied, status from the view).
 */
export function withManifest(manifests: ManifestLookup, view: KubeObject, owner?: { kind: string; name: string }): KubeObject {
  const ns = view.metadata.namespace ?? '';
  const own = manifests.get(view.kind, ns, view.metadata.name);
  if (own !== undefined) return view.kind === 'Namespace' ? overlayNamespace(view, own) : overlayManifest(view, own);
  // A pod's workload by its Anvil owner (the view may name a ReplicaSet as its owner).
  if (view.kind !== 'Pod' || owner === undefined) return view;
  const workload = manifests.get(owner.kind, ns, owner.name);
  const out = overlayManifest(view, workload);
  if (workload === undefined || out.metadata.ownerReferences === undefined) return out;
  // A Deployment's pod names the ReplicaSet of its manifest's template, and carries its hash.
  if (workload.kind === 'Deployment') {
    const rs = replicaSetIdentity(ns, workload.name, { uid: workload.uid, template: obj(workload.manifest.spec).template });
    out.metadata.labels = { ...(out.metadata.labels ?? {}), 'pod-template-hash': rs.hash };
    out.metadata.ownerReferences = out.metadata.ownerReferences.map((ref) =>
      ref.kind === 'ReplicaSet' ? { ...ref, name: rs.name, uid: rs.uid } : ref,
    );
    return out;
  }
  // A StatefulSet's pod names it as its owner: by the uid the manifest gave it.
  out.metadata.ownerReferences = out.metadata.ownerReferences.map((ref) =>
    ref.kind === workload.kind && ref.name === workload.name ? { ...ref, uid: workload.uid } : ref,
  );
  return out;
}

/**
 * A Deployment's ReplicaSet view with its Deployment's manifest: the pod template (labels, containers, env,
 * ports), the replicas and the selector as applied, each with the view's pod-template-hash label.
 */
export function replicaSetWithManifest(manifests: ManifestLookup, view: KubeObject, deployment: string): KubeObject {
  const stored = manifests.get('Deployment', view.metadata.namespace ?? '', deployment);
  if (stored === undefined) return view;
  const spec = obj(stored.manifest.spec);
  const template = obj(spec.template);
  const rs = replicaSetIdentity(stored.namespace, deployment, { uid: stored.uid, template: spec.template });
  const hash = { 'pod-template-hash': rs.hash };
  const labels = { ...obj(obj(template.metadata).labels), ...hash } as Record<string, string>;
  const viewSpec = obj(view.spec);
  return {
    ...view,
    metadata: {
      ...view.metadata,
      name: rs.name,
      uid: rs.uid,
      resourceVersion: laterVersion(view, stored),
      labels,
      ...(view.metadata.ownerReferences
        ? { ownerReferences: view.metadata.ownerReferences.map((ref) => ({ ...ref, uid: stored.uid })) }
        : {}),
    },
    spec: {
      ...viewSpec,
      ...(typeof spec.replicas === 'number' ? { replicas: spec.replicas } : {}),
      selector: { matchLabels: { ...obj(obj(spec.selector).matchLabels), ...hash } },
      template: { ...template, metadata: { ...obj(template.metadata), labels } },
    },
  };
}

/** A namespace: only its labels and annotations come from the manifest. */
function overlayNamespace(view: KubeObject, stored: StoredManifest): KubeObject {
  const meta = obj(stored.manifest.metadata);
  return {
    ...view,
    metadata: {
      ...view.metadata,
      resourceVersion: laterVersion(view, stored),
      uid: stored.uid,
      labels: { ...obj(meta.labels), ...(view.metadata.labels ?? {}) } as Record<string, string>,
      ...(meta.annotations !== undefined ? { annotations: meta.annotations as Record<string, string> } : {}),
    },
  };
}

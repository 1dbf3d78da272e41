/**
 * The resources the facade reads, each a view over Anvil's objects: how to build all of them from one
 * state (`all`), who may list them where (`authorizeList`, permission before existence) and which of them
 * an actor sees (`visible`). Lists, gets and watches all go through these, so they cannot disagree, and so
 * do the answers of the writes (`oneObject`). Where kubectl created or applied an object, its view goes
 * through the stored manifest (manifest-views.ts): labels, containers, replicas as written, Anvil's facts kept.
 */
import type { ClusterState } from '../../domain/cluster-state.js';
import type { Pod } from '../../domain/pod.js';
import { allows, authorize, type Actor, type RoleClass, type Tenant } from '../../domain/tenancy.js';
import { keyOf, type Volume } from '../../domain/volume.js';
import type { ObjectRevisions } from '../../state/revisions.js';
import { manifestsOf } from '../../state/kube-manifests.js';
import type { RevisedEvent, Store } from '../../state/store.js';
import { liveObjectOf, ManifestIndex, replicaSetWithManifest, withManifest, type ManifestSource } from './manifest-views.js';
import { namespacesVisibleTo, seesNamespace } from './namespaces.js';
import { derivedUid, kubeNamespace, kubeNode, type KubeObject } from './objects.js';
import { kubePod } from './pod-objects.js';
import { kubeDeployment, kubeEvent, kubePvc, kubeReplicaSet, kubeStatefulSet, workloadsIn } from './workload-objects.js';

/** What a view is built from: one consistent read of the store. */
export interface ReadSource {
  readonly state: ClusterState;
  readonly revisions: ObjectRevisions;
  /** The newest events (EVENT_WINDOW of them), read lazily: only the events resource needs them. */
  readonly events: () => readonly RevisedEvent[];
  /** The stored manifests (kube-manifests.ts), read lazily. */
  readonly manifests: () => ManifestSource;
}

/** A source over one read of `store` (call inside `store.read`, which gives `state` and `revisions`). */
export function readSourceOf(store: Store, state: ClusterState, revisions: ObjectRevisions): ReadSource {
  let events: readonly RevisedEvent[] | undefined;
  let manifests: ManifestIndex | undefined;
  return {
    state,
    revisions,
    events: () => (events ??= store.revisedEvents(EVENT_WINDOW)),
    manifests: () => (manifests ??= new ManifestIndex(manifestsOf(store).all())),
  };
}

/** The views of `kind`, plus the objects kubectl made that no Anvil object stands for yet (a claim's pods waiting, 0 replicas). */
function withStoredOnly(source: ReadSource, kind: string, views: KubeObject[]): KubeObject[] {
  const seen = new Set(views.map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`));
  const extra = source
    .manifests()
    .ofKind(kind)
    .filter((m) => !seen.has(`${m.namespace}/${m.name}`))
    .map((m) => liveObjectOf(source.state, m));
  return extra.length === 0 ? views : [...views, ...extra];
}

const namespaceView = (source: ReadSource, t: Tenant) =>
  withManifest(source.manifests(), kubeNamespace(t, source.revisions.of('Tenant', t.name)));
const podView = (source: ReadSource, key: string, p: Pod) =>
  withManifest(source.manifests(), kubePod(p, source.revisions.of('Pod', key), source.state), p.owner);
const pvcView = (source: ReadSource, key: string, v: Volume) =>
  withManifest(source.manifests(), kubePvc(v, source.revisions.of('Volume', key)));
const workloadViews = (source: ReadSource, kind: 'Deployment' | 'StatefulSet', only?: { namespace: string; name: string }) =>
  workloadsIn(source.state, source.revisions, kind)
    .filter((w) => only === undefined || (w.namespace === only.namespace && w.name === only.name))
    .map((w) => withManifest(source.manifests(), kind === 'Deployment' ? kubeDeployment(w) : kubeStatefulSet(w)));

/**
 * The one object of `kind` (a writable kind: Namespace, Pod, PersistentVolumeClaim, Deployment,
 * StatefulSet) as the read routes answer it, or undefined where neither an Anvil object nor a manifest is.
 */
export function oneObject(source: ReadSource, kind: string, namespace: string, name: string): KubeObject | undefined {
  const key = keyOf(namespace, name);
  let view: KubeObject | undefined;
  if (kind === 'Namespace') {
    const t = source.state.tenants.get(name);
    view = t && namespaceView(source, t);
  } else if (kind === 'Pod') {
    const p = source.state.pods.get(key);
    view = p && podView(source, key, p);
  } else if (kind === 'PersistentVolumeClaim') {
    const v = source.state.volumes.get(key);
    view = v && pvcView(source, key, v);
  } else if (kind === 'Deployment' || kind === 'StatefulSet') view = workloadViews(source, kind, { namespace, name })[0];
  if (view !== undefined) return view;
  const stored = source.manifests().get(kind, kind === 'Namespace' ? '' : namespace, name);
  return stored && liveObjectOf(source.state, stored);
}

/** Events the facade shows: the newest this many (Kubernetes keeps events an hour; Anvil keeps them all). */
export const EVENT_WINDOW = 1000;

export interface ReadResource {
  /** The plural, as in the URL. */
  readonly name: string;
  readonly kind: string;
  /** '' for core/v1, 'apps' for apps/v1. */
  readonly group: '' | 'apps';
  readonly namespaced: boolean;
  /** Every object of the resource, whoever asks. */
  all(source: ReadSource): KubeObject[];
  /** Throws Forbidden when `actor` may not list it in `namespace` (undefined: every namespace it may see). */
  authorizeList(actor: Actor, namespace: string | undefined): void;
  /** Whether `actor` sees `object` (a list across namespaces keeps only those). */
  visible(actor: Actor, object: KubeObject): boolean;
}

/** A namespaced resource governed by the role class `cls` (as Anvil's own API reads the same objects). */
function namespacedBy(cls: RoleClass): Pick<ReadResource, 'authorizeList' | 'visible' | 'namespaced'> {
  return {
    namespaced: true,
    authorizeList: (actor, namespace) => {
      if (namespace !== undefined) authorize(actor, cls, 'view', namespace);
    },
    visible: (actor, o) => allows(actor, cls, 'view', o.metadata.namespace),
  };
}

const podUid = (source: ReadSource, namespace: string, name: string): string | undefined => {
  const pod = source.state.pods.get(keyOf(namespace, name));
  return pod === undefined ? undefined : (pod.kube_uid ?? derivedUid('Pod', namespace, name, pod.created_at));
};

export const READ_RESOURCES: readonly ReadResource[] = [
  {
    name: 'namespaces',
    kind: 'Namespace',
    group: '',
    namespaced: false,
    all: (source) => [...source.state.tenants.values()].map((t) => namespaceView(source, t)),
    // Everyone may list namespaces: each sees those it holds a role in (namespaces.ts).
    authorizeList: () => undefined,
    visible: (actor, o) => seesNamespace(actor, o.metadata.name),
  },
  {
    name: 'nodes',
    kind: 'Node',
    group: '',
    namespaced: false,
    all: ({ state, revisions }) => [...state.nodes].map(([key, n]) => kubeNode(n, revisions.of('Node', key))),
    authorizeList: (actor) => authorize(actor, 'node', 'view'),
    visible: (actor) => allows(actor, 'node', 'view'),
  },
  {
    name: 'pods',
    kind: 'Pod',
    group: '',
    ...namespacedBy('container'),
    all: (source) => [...source.state.pods].map(([key, p]) => podView(source, key, p)),
  },
  {
    name: 'events',
    kind: 'Event',
    group: '',
    namespaced: true,
    all: (source) =>
      source.events().map((e) =>
        kubeEvent(e, (kind, namespace, name) => {
          if (kind === 'Pod' && namespace !== undefined) return podUid(source, namespace, name);
          const volume =
            kind === 'PersistentVolumeClaim' && namespace !== undefined ? source.state.volumes.get(keyOf(namespace, name)) : undefined;
          if (volume !== undefined) return derivedUid(kind, volume.namespace, volume.name, volume.created_at);
          const node = kind === 'Node' ? source.state.nodes.get(name) : undefined;
          return node === undefined ? undefined : derivedUid('Node', '', name, node.created_at);
        }),
      ),
    authorizeList: (actor, namespace) => {
      if (namespace !== undefined) authorize(actor, 'event', 'view', namespace);
    },
    // Events of cluster-scoped objects (nodes, networks) are shown in `default` but read only cluster-wide.
    visible: (actor, o) =>
      (o.involvedObject as { namespace?: string }).namespace === undefined
        ? allows(actor, 'event', 'view')
        : allows(actor, 'event', 'view', o.metadata.namespace),
  },
  {
    name: 'persistentvolumeclaims',
    kind: 'PersistentVolumeClaim',
    group: '',
    ...namespacedBy('volume'),
    all: (source) =>
      withStoredOnly(
        source,
        'PersistentVolumeClaim',
        [...source.state.volumes].map(([key, v]) => pvcView(source, key, v)),
      ),
  },
  {
    name: 'deployments',
    kind: 'Deployment',
    group: 'apps',
    ...namespacedBy('container'),
    all: (source) => withStoredOnly(source, 'Deployment', workloadViews(source, 'Deployment')),
  },
  {
    name: 'statefulsets',
    kind: 'StatefulSet',
    group: 'apps',
    ...namespacedBy('container'),
    all: (source) => withStoredOnly(source, 'StatefulSet', workloadViews(source, 'StatefulSet')),
  },
  {
    name: 'replicasets',
    kind: 'ReplicaSet',
    group: 'apps',
    ...namespacedBy('container'),
    all: ({ state, revisions, manifests }) =>
      workloadsIn(state, revisions, 'Deployment').map((w) => replicaSetWithManifest(manifests(), kubeReplicaSet(w), w.name)),
  },
];

/** The objects of `resource` that `actor` may see in `namespace` (undefined: all it may see), authorized first. */
export function visibleObjects(resource: ReadResource, source: ReadSource, actor: Actor, namespace: string | undefined): KubeObject[] {
  resource.authorizeList(actor, namespace);
  if (resource.name === 'namespaces') return namespacesVisibleTo(source.state, actor).map((t) => namespaceView(source, t));
  return resource.all(source).filter((o) => (namespace === undefined || o.metadata.namespace === namespace) && resource.visible(actor, o));
}

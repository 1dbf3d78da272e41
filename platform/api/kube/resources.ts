/**
 * The resources the facade reads, each a view over Anvil's objects: how to build all of them from one
 * state (`all`), who may list them where (`authorizeList`, permission before existence) and which of them
 * an actor sees (`visible`). Lists, gets and watches all go through these, so they cannot disagree.
 */
import type { ClusterState } from '../../domain/cluster-state.js';
import { allows, authorize, type Actor, type RoleClass } from '../../domain/tenancy.js';
import { keyOf } from '../../domain/volume.js';
import type { ObjectRevisions } from '../../state/revisions.js';
import type { RevisedEvent } from '../../state/store.js';
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
    all: ({ state, revisions }) => [...state.tenants.values()].map((t) => kubeNamespace(t, revisions.of('Tenant', t.name))),
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
    all: ({ state, revisions }) => [...state.pods].map(([key, p]) => kubePod(p, revisions.of('Pod', key), state)),
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
    all: ({ state, revisions }) => [...state.volumes].map(([key, v]) => kubePvc(v, revisions.of('Volume', key))),
  },
  {
    name: 'deployments',
    kind: 'Deployment',
    group: 'apps',
    ...namespacedBy('container'),
    all: ({ state, revisions }) => workloadsIn(state, revisions, 'Deployment').map(kubeDeployment),
  },
  {
    name: 'statefulsets',
    kind: 'StatefulSet',
    group: 'apps',
    ...namespacedBy('container'),
    all: ({ state, revisions }) => workloadsIn(state, revisions, 'StatefulSet').map(kubeStatefulSet),
  },
  {
    name: 'replicasets',
    kind: 'ReplicaSet',
    group: 'apps',
    ...namespacedBy('container'),
    all: ({ state, revisions }) => workloadsIn(state, revisions, 'Deployment').map(kubeReplicaSet),
  },
];

/** The objects of `resource` that `actor` may see in `namespace` (undefined: all it may see), authorized first. */
export function visibleObjects(resource: ReadResource, source: ReadSource, actor: Actor, namespace: string | undefined): KubeObject[] {
  resource.authorizeList(actor, namespace);
  if (resource.name === 'namespaces')
    return namespacesVisibleTo(source.state, actor).map((t) => kubeNamespace(t, source.revisions.of('Tenant', t.name)));
  return resource.all(source).filter((o) => (namespace === undefined || o.metadata.namespace === namespace) && resource.visible(actor, o));
}

/**
 * Views over Anvil objects as the other kinds kubectl lists: Deployments, StatefulSets and ReplicaSets
 * (the pods grouped by the workload that made them; Anvil keeps no stored spec, so replicas are the pods
 * there are), PersistentVolumeClaims (Anvil volumes: the perf tier is the storage class, the plexes are
 * annotations) and Events (Anvil's events, each about the object it names).
 */
import type { ClusterState } from '../../domain/cluster-state.js';
import type { Pod } from '../../domain/pod.js';
import type { Volume } from '../../domain/volume.js';
import type { ObjectRevisions } from '../../state/revisions.js';
import type { RevisedEvent } from '../../state/store.js';
import { ANNOTATION_PREFIX, derivedUid, kubeTime, metaOf, type KubeObject } from './objects.js';
import { APP_LABEL, replicaSetName, templateHash, workloadUid } from './pod-objects.js';

/** Pods grouped by the workload that made them, in the state's pod order. */
interface Workload {
  readonly kind: 'Deployment' | 'StatefulSet';
  readonly namespace: string;
  readonly name: string;
  readonly pods: Pod[];
  /** The newest revision among its pods: the view changes when one of them does. */
  revision: number;
}

export function workloadsIn(state: ClusterState, revisions: ObjectRevisions, kind: Workload['kind']): Workload[] {
  const byKey = new Map<string, Workload>();
  for (const [key, pod] of state.pods) {
    if (pod.owner?.kind !== kind) continue;
    const id = `${pod.namespace}/${pod.owner.name}`;
    let w = byKey.get(id);
    if (!w) byKey.set(id, (w = { kind, namespace: pod.namespace, name: pod.owner.name, pods: [], revision: 0 }));
    w.pods.push(pod);
    w.revision = Math.max(w.revision, revisions.of('Pod', key));
  }
  return [...byKey.values()];
}

const oldest = (pods: readonly Pod[]) => pods.reduce((a, p) => (p.created_at < a ? p.created_at : a), pods[0]!.created_at);

function workloadMeta(kind: string, w: Workload, labels: Record<string, string>) {
  return {
    ...metaOf(kind, w.revision, w.name, oldest(w.pods), w.namespace),
    uid: workloadUid(kind, w.namespace, w.name),
    generation: 1,
    labels,
  };
}

/** The pod template a workload's pods share: one container, as each Anvil pod models. */
function template(w: Workload, labels: Record<string, string>) {
  const first = w.pods[0]!;
  return {
    metadata: { labels },
    spec: {
      containers: [
        { name: w.name, image: '<none>', resources: { requests: { cpu: `${first.cpu_millicores}m`, memory: String(first.memory_bytes) } } },
      ],
    },
  };
}

const running = (w: Workload) => w.pods.filter((p) => p.status.state === 'running').length;

export function kubeDeployment(w: Workload): KubeObject {
  const selector = { [APP_LABEL]: w.name };
  const podLabels = { ...selector, 'pod-template-hash': templateHash(w.namespace, w.name) };
  const ready = running(w);
  return {
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    metadata: workloadMeta('Deployment', w, selector),
    spec: { replicas: w.pods.length, selector: { matchLabels: selector }, template: template(w, podLabels) },
    status: {
      observedGeneration: 1,
      replicas: w.pods.length,
      updatedReplicas: w.pods.length,
      readyReplicas: ready,
      availableReplicas: ready,
      ...(ready < w.pods.length ? { unavailableReplicas: w.pods.length - ready } : {}),
    },
  };
}

export function kubeReplicaSet(w: Workload): KubeObject {
  const podLabels = { [APP_LABEL]: w.name, 'pod-template-hash': templateHash(w.namespace, w.name) };
  const name = replicaSetName(w.namespace, w.name);
  const ready = running(w);
  const meta = workloadMeta('ReplicaSet', { ...w, name }, podLabels);
  return {
    kind: 'ReplicaSet',
    apiVersion: 'apps/v1',
    metadata: {
      ...meta,
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'Deployment', name: w.name, uid: workloadUid('Deployment', w.namespace, w.name), controller: true },
      ],
    },
    spec: { replicas: w.pods.length, selector: { matchLabels: podLabels }, template: template(w, podLabels) },
    status: {
      observedGeneration: 1,
      replicas: w.pods.length,
      fullyLabeledReplicas: w.pods.length,
      readyReplicas: ready,
      availableReplicas: ready,
    },
  };
}

export function kubeStatefulSet(w: Workload): KubeObject {
  const selector = { [APP_LABEL]: w.name };
  const ready = running(w);
  return {
    kind: 'StatefulSet',
    apiVersion: 'apps/v1',
    metadata: workloadMeta('StatefulSet', w, selector),
    spec: { replicas: w.pods.length, selector: { matchLabels: selector }, serviceName: w.name, template: template(w, selector) },
    status: {
      observedGeneration: 1,
      replicas: w.pods.length,
      readyReplicas: ready,
      availableReplicas: ready,
      currentReplicas: w.pods.length,
    },
  };
}

/** Bytes as a Kubernetes quantity: Gi, Mi or Ki when exact, else plain bytes. */
export function quantityOf(bytes: number): string {
  for (const [unit, size] of [
    ['Ti', 2 ** 40],
    ['Gi', 2 ** 30],
    ['Mi', 2 ** 20],
    ['Ki', 2 ** 10],
  ] as const)
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  return String(bytes);
}

/** `revision`: the store revision that last wrote the volume. A lost volume's claim is Lost; any other is Bound. */
export function kubePvc(v: Volume, revision: number): KubeObject {
  const capacity = quantityOf(v.size_bytes);
  return {
    kind: 'PersistentVolumeClaim',
    apiVersion: 'v1',
    metadata: {
      ...metaOf('PersistentVolumeClaim', revision, v.name, v.created_at, v.namespace),
      annotations: {
        [`${ANNOTATION_PREFIX}state`]: v.state,
        [`${ANNOTATION_PREFIX}mirrors`]: String(v.mirrors),
        [`${ANNOTATION_PREFIX}plexes`]: v.plexes.map((p) => `${p.node}:${p.state}`).join(',') || '<none>',
        ...(v.attachment.state === 'attached'
          ? { [`${ANNOTATION_PREFIX}attached`]: `${v.attachment.pod} on ${v.attachment.node} (${v.attachment.via})` }
          : {}),
      },
    },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: capacity } },
      storageClassName: v.perf_tier,
      volumeMode: 'Block',
      volumeName: `anvil-${v.namespace}-${v.name}`,
    },
    status: { phase: v.state === 'lost' ? 'Lost' : 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: capacity } },
  };
}

/** Anvil's object kinds as the Kubernetes kinds they are shown as (the others keep Anvil's own, in anvil.dev/v1). */
const INVOLVED_KIND: Readonly<Record<string, { kind: string; apiVersion: string }>> = {
  pod: { kind: 'Pod', apiVersion: 'v1' },
  node: { kind: 'Node', apiVersion: 'v1' },
  volume: { kind: 'PersistentVolumeClaim', apiVersion: 'v1' },
};

/** The namespace cluster-scoped objects' events are shown in, as Kubernetes shows node events. */
export const CLUSTER_EVENTS_NAMESPACE = 'default';

/**
 * An Anvil event as a core/v1 Event about the object it names (`kind/namespace/name` or `kind/name`).
 * `uidOf` gives the involved object's uid when it still exists (describe matches events by it).
 */
export function kubeEvent(
  e: RevisedEvent,
  uidOf: (kind: string, namespace: string | undefined, name: string) => string | undefined,
): KubeObject {
  const parts = e.object.split('/');
  const anvilKind = parts[0] ?? '';
  const namespace = parts.length === 3 ? parts[1] : undefined;
  const name = parts[parts.length - 1] ?? '';
  const involved = INVOLVED_KIND[anvilKind] ?? {
    kind: anvilKind.charAt(0).toUpperCase() + anvilKind.slice(1),
    apiVersion: 'anvil.dev/v1',
  };
  const uid = uidOf(involved.kind, namespace, name);
  const at = kubeTime(e.at);
  const source = e.reason === 'Scheduled' || e.reason === 'FailedScheduling' ? 'anvil-scheduler' : 'anvil-controller';
  const eventNamespace = namespace ?? CLUSTER_EVENTS_NAMESPACE;
  return {
    kind: 'Event',
    apiVersion: 'v1',
    metadata: {
      ...metaOf('Event', e.revision, `${name}.${e.id.toString(16).padStart(12, '0')}`, e.at, eventNamespace),
      uid: derivedUid('Event', String(e.id)),
    },
    involvedObject: { ...involved, name, ...(namespace !== undefined ? { namespace } : {}), ...(uid ? { uid } : {}) },
    reason: e.reason,
    message: e.message,
    type: e.severity === 'info' ? 'Normal' : 'Warning',
    source: { component: source },
    reportingComponent: source,
    reportingInstance: 'anvil',
    firstTimestamp: at,
    lastTimestamp: at,
    count: 1,
  };
}

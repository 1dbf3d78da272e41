/**
 * A pod as a core/v1 Pod: its node, IPs, the container Anvil models, labels derived from its owner, and
 * what Anvil adds shown the Kubernetes way, as annotations `kubectl describe` prints: each network endpoint
 * (IP, MAC, VF), the perf tier and each volume's plexes.
 */
import { createHash } from 'node:crypto';
import type { ClusterState } from '../../domain/cluster-state.js';
import type { Pod } from '../../domain/pod.js';
import { keyOf } from '../../domain/volume.js';
import { ANNOTATION_PREFIX, derivedUid, kubeTime, metaOf, type KubeObject } from './objects.js';

/** The label a workload's pods carry, as `kubectl create deployment NAME` sets it (Anvil keeps no template labels). */
export const APP_LABEL = 'app';

/** A stand-in for the Deployment's pod-template hash: stable for the Deployment (Anvil keeps no template). */
export function templateHash(namespace: string, deployment: string): string {
  return createHash('sha256').update(`${namespace}/${deployment}`).digest('hex').slice(0, 10);
}

/** The ReplicaSet a Deployment's pods belong to (one per Deployment: Anvil does not keep old templates). */
export const replicaSetName = (namespace: string, deployment: string) => `${deployment}-${templateHash(namespace, deployment)}`;

/** A ReplicaSet's identity: its pod-template-hash, its name (`<deployment>-<hash>`) and its uid. */
export interface ReplicaSetIdentity {
  readonly hash: string;
  readonly name: string;
  readonly uid: string;
}

/**
 * The ReplicaSet of a Deployment's current pod template. With the Deployment's manifest (kubectl made it),
 * the hash is of its uid and pod template, as Kubernetes hashes the template: a changed template (whose
 * pods roll) makes a new ReplicaSet, and a Deployment deleted and created again gets new ones; its uid
 * follows from both, the same on every read. Without one (an Anvil workload) it is of the Deployment's name.
 */
export function replicaSetIdentity(namespace: string, deployment: string, stored?: { uid: string; template: unknown }): ReplicaSetIdentity {
  if (stored === undefined) {
    const name = replicaSetName(namespace, deployment);
    return { hash: templateHash(namespace, deployment), name, uid: workloadUid('ReplicaSet', namespace, name) };
  }
  const hash = createHash('sha256')
    .update(`${stored.uid}\0${JSON.stringify(stored.template ?? {})}`)
    .digest('hex')
    .slice(0, 10);
  return { hash, name: `${deployment}-${hash}`, uid: derivedUid('ReplicaSet', stored.uid, hash) };
}

/** The labels of a pod: `app` for a workload's pods, plus the template hash or the StatefulSet pod name. */
export function podLabels(pod: Pod): Record<string, string> {
  if (pod.owner === undefined) return {};
  if (pod.owner.kind === 'Deployment')
    return { [APP_LABEL]: pod.owner.name, 'pod-template-hash': templateHash(pod.namespace, pod.owner.name) };
  return { [APP_LABEL]: pod.owner.name, 'statefulset.kubernetes.io/pod-name': pod.name };
}

/** The uid of a workload view (Deployment, StatefulSet, ReplicaSet): stable for its kind and name. */
export const workloadUid = (kind: string, namespace: string, name: string) => derivedUid(kind, namespace, name);

/** A pod's Anvil facts as annotations: endpoints, perf tier, volumes with their plexes. */
function anvilAnnotations(pod: Pod, state: ClusterState): Record<string, string> {
  const annotations: Record<string, string> = { [`${ANNOTATION_PREFIX}perf-tier`]: pod.perf_tier };
  if (pod.status.state === 'running') {
    for (const e of pod.status.endpoints)
      annotations[`${ANNOTATION_PREFIX}endpoint.${e.network}`] =
        `ip=${e.ip} mac=${e.mac} vf=${e.port}/${e.vf} tier=${e.perf_tier}${e.endpoint ? ` endpoint=${e.endpoint}` : ''}`;
  } else if (pod.addresses?.length) {
    // A pending pod keeps its addresses reserved (no VF until it is placed).
    for (const a of pod.addresses) annotations[`${ANNOTATION_PREFIX}endpoint.${a.network}`] = `ip=${a.ip} mac=${a.mac} vf=<none>`;
  }
  for (const name of pod.volumes) {
    const v = state.volumes.get(keyOf(pod.namespace, name));
    annotations[`${ANNOTATION_PREFIX}volume.${name}`] =
      v === undefined
        ? 'missing'
        : `${v.state} mirrors=${v.mirrors} plexes=${v.plexes.map((p) => `${p.node}:${p.state}`).join(',') || '<none>'}`;
  }
  return annotations;
}

/** `revision`: the store revision that last wrote the pod; `state` gives its volumes' plexes. */
export function kubePod(pod: Pod, revision: number, state: ClusterState): KubeObject {
  const running = pod.status.state === 'running';
  const ips = (pod.addresses ?? []).map((a) => a.ip);
  const meta = metaOf('Pod', revision, pod.name, pod.created_at, pod.namespace);
  const owner =
    pod.owner === undefined
      ? undefined
      : pod.owner.kind === 'Deployment'
        ? { kind: 'ReplicaSet', name: replicaSetName(pod.namespace, pod.owner.name) }
        : pod.owner;
  const labels = podLabels(pod);
  const started = kubeTime(pod.created_at);
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: {
      ...meta,
      // The scheduler extender's pods keep the uid Kubernetes gave them.
      uid: pod.kube_uid ?? meta.uid,
      ...(Object.keys(labels).length ? { labels } : {}),
      annotations: anvilAnnotations(pod, state),
      ...(owner
        ? {
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: owner.kind,
                name: owner.name,
                uid: workloadUid(owner.kind, pod.namespace, owner.name),
                controller: true,
              },
            ],
          }
        : {}),
    },
    spec: {
      ...(running ? { nodeName: pod.status.node } : {}),
      nodeSelector: { ...pod.node_selector },
      tolerations: pod.tolerations.map((key) => (key === '*' ? { operator: 'Exists' } : { key, operator: 'Exists' })),
      containers: [
        {
          name: pod.name,
          image: '<none>',
          resources: { requests: { cpu: `${pod.cpu_millicores}m`, memory: String(pod.memory_bytes) } },
        },
      ],
      ...(pod.volumes.length ? { volumes: pod.volumes.map((name) => ({ name, persistentVolumeClaim: { claimName: name } })) } : {}),
    },
    status: {
      phase: running ? 'Running' : 'Pending',
      ...(running ? { startTime: started } : {}),
      ...(running && ips.length ? { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) } : {}),
      conditions: [
        running
          ? { type: 'PodScheduled', status: 'True' }
          : { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: pod.status.failure.summary },
        { type: 'Ready', status: running ? 'True' : 'False' },
      ],
      containerStatuses: [
        {
          name: pod.name,
          image: '<none>',
          ready: running,
          restartCount: 0,
          started: running,
          state: running ? { running: { startedAt: started } } : { waiting: { reason: 'Unschedulable' } },
        },
      ],
    },
  };
}

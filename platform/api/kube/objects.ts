/**
 * Anvil's objects as Kubernetes core/v1 objects (Node, Namespace, Pod): the views the facade answers with.
 * They are views, not stored copies: uid and resourceVersion are derived from the Anvil object itself
 * (a digest), so the same state always answers the same; a global revision counter is a later slice.
 */
import { createHash } from 'node:crypto';
import type { Node } from '../../domain/node.js';
import type { Pod } from '../../domain/pod.js';
import type { Tenant } from '../../domain/tenancy.js';

/** The Kubernetes minor version the facade reports (kubectl 1.29 and later talk to it). */
export const KUBE_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0-anvil' } as const;

/** Annotation keys under which a pod's Anvil-only facts are shown. */
export const ANNOTATION_PREFIX = 'anvil.dev/';

export interface KubeMeta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  creationTimestamp: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller: boolean }[];
}

export interface KubeObject {
  kind: string;
  apiVersion: string;
  metadata: KubeMeta;
  [field: string]: unknown;
}

/** A UUID-shaped identifier, the same for the same key (kind, namespace, name and creation time). */
export function derivedUid(...key: string[]): string {
  const h = createHash('sha256').update(key.join('\0')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** An opaque version that changes whenever the Anvil object does (a digest of it). */
export function contentVersion(anvilObject: unknown): string {
  return String(Number.parseInt(createHash('sha256').update(JSON.stringify(anvilObject)).digest('hex').slice(0, 12), 16));
}

/** Seconds-precision RFC 3339, as Kubernetes writes timestamps. */
const kubeTime = (iso: string): string => iso.replace(/\.\d+Z$/, 'Z');

function metaOf(kind: string, anvilObject: unknown, name: string, createdAt: string, namespace?: string): KubeMeta {
  return {
    name,
    ...(namespace !== undefined ? { namespace } : {}),
    uid: derivedUid(kind, namespace ?? '', name, createdAt),
    resourceVersion: contentVersion(anvilObject),
    creationTimestamp: kubeTime(createdAt),
  };
}

export function kubeNode(node: Node): KubeObject {
  const capacity = {
    cpu: `${node.inventory.cpu_millicores}m`,
    memory: String(node.inventory.memory_bytes),
    pods: String(node.inventory.max_pods),
  };
  const ready = node.status.state !== 'down';
  return {
    kind: 'Node',
    apiVersion: 'v1',
    metadata: { ...metaOf('Node', node, node.name, node.created_at), labels: { ...node.labels } },
    spec: {
      ...(node.status.state === 'ready' ? {} : { unschedulable: true }),
      taints: node.taints.map((t) => ({ key: t.key, value: t.value, effect: 'NoSchedule' })),
    },
    status: {
      capacity,
      allocatable: capacity,
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', reason: ready ? 'AnvilNodeReady' : 'AnvilNodeDown' }],
      addresses: [{ type: 'Hostname', address: node.name }],
      nodeInfo: {
        kubeletVersion: KUBE_VERSION.gitVersion,
        osImage: `Anvil node (${node.inventory.profile})`,
        kernelVersion: '<unknown>',
        containerRuntimeVersion: '<unknown>',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  };
}

export function kubeNamespace(tenant: Tenant): KubeObject {
  return {
    kind: 'Namespace',
    apiVersion: 'v1',
    metadata: { ...metaOf('Namespace', tenant, tenant.name, tenant.created_at), labels: { 'kubernetes.io/metadata.name': tenant.name } },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

export function kubePod(pod: Pod): KubeObject {
  const running = pod.status.state === 'running';
  const ips = (pod.addresses ?? []).map((a) => a.ip);
  const annotations: Record<string, string> = { [`${ANNOTATION_PREFIX}perf-tier`]: pod.perf_tier };
  if (pod.addresses?.length)
    annotations[`${ANNOTATION_PREFIX}endpoints`] = pod.addresses.map((a) => `${a.network}=${a.ip}/${a.mac}`).join(',');
  if (pod.volumes.length) annotations[`${ANNOTATION_PREFIX}volumes`] = pod.volumes.join(',');
  const meta = metaOf('Pod', pod, pod.name, pod.created_at, pod.namespace);
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: {
      ...meta,
      // The scheduler extender's pods keep the uid Kubernetes gave them.
      uid: pod.kube_uid ?? meta.uid,
      annotations,
      ...(pod.owner
        ? {
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: pod.owner.kind,
                name: pod.owner.name,
                uid: derivedUid(pod.owner.kind, pod.namespace, pod.owner.name),
                controller: true,
              },
            ],
          }
        : {}),
    },
    spec: {
      ...(pod.status.state === 'running' ? { nodeName: pod.status.node } : {}),
      nodeSelector: { ...pod.node_selector },
      tolerations: pod.tolerations.map((key) => (key === '*' ? { operator: 'Exists' } : { key, operator: 'Exists' })),
      containers: [
        {
          name: pod.name,
          resources: { requests: { cpu: `${pod.cpu_millicores}m`, memory: String(pod.memory_bytes) } },
        },
      ],
    },
    status: {
      phase: running ? 'Running' : 'Pending',
      ...(running && ips.length ? { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) } : {}),
      conditions: [
        { type: 'PodScheduled', status: running ? 'True' : 'False', ...(running ? {} : { reason: 'Unschedulable' }) },
        { type: 'Ready', status: running ? 'True' : 'False' },
      ],
    },
  };
}

/**
 * Anvil's objects as Kubernetes core/v1 objects (Node, Namespace, Pod): the views the facade answers with.
 * They are views, not stored copies: the uid is derived from the Anvil object's identity and the
 * resourceVersion is the store's revision that last wrote it (platform/state/revisions.ts).
 */
import { createHash } from 'node:crypto';
import type { Node } from '../../domain/node.js';
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

/** Seconds-precision RFC 3339, as Kubernetes writes timestamps. */
export const kubeTime = (iso: string): string => iso.replace(/\.\d+Z$/, 'Z');

/** `revision`: the store revision that last wrote the Anvil object (its resourceVersion). */
export function metaOf(kind: string, revision: number, name: string, createdAt: string, namespace?: string): KubeMeta {
  return {
    name,
    ...(namespace !== undefined ? { namespace } : {}),
    uid: derivedUid(kind, namespace ?? '', name, createdAt),
    resourceVersion: String(revision),
    creationTimestamp: kubeTime(createdAt),
  };
}

/** `revision`: the store revision that last wrote the node. */
export function kubeNode(node: Node, revision: number): KubeObject {
  const capacity = {
    cpu: `${node.inventory.cpu_millicores}m`,
    memory: String(node.inventory.memory_bytes),
    pods: String(node.inventory.max_pods),
  };
  const ready = node.status.state !== 'down';
  return {
    kind: 'Node',
    apiVersion: 'v1',
    metadata: { ...metaOf('Node', revision, node.name, node.created_at), labels: { ...node.labels } },
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

export function kubeNamespace(tenant: Tenant, revision: number): KubeObject {
  return {
    kind: 'Namespace',
    apiVersion: 'v1',
    metadata: { ...metaOf('Namespace', revision, tenant.name, tenant.created_at), labels: { 'kubernetes.io/metadata.name': tenant.name } },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

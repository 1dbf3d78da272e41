/**
 * meta.k8s.io/v1 Tables: the server computes the cells kubectl prints (`kubectl get`), with kubectl's usual
 * columns; priority-1 columns are the ones `-o wide` reveals. Each row embeds the object's metadata (or the
 * object, on `includeObject=Object`), which `-A` and `--show-labels` read.
 */
import type { KubeObject } from './objects.js';

interface Column {
  readonly name: string;
  readonly type: 'string' | 'integer';
  readonly format: string;
  readonly description: string;
  readonly priority: 0 | 1;
}

const col = (name: string, description: string, priority: 0 | 1 = 0, format = ''): Column => ({
  name,
  type: 'string',
  format,
  description,
  priority,
});

type Cells = (o: KubeObject, now: Date) => string[];
const ageOf = (o: KubeObject, now: Date) => humanDuration(now.getTime() - Date.parse(o.metadata.creationTimestamp));
// The facade's own objects, read back: their shapes are the ones objects.ts writes.
const field = <T>(o: KubeObject, ...path: string[]): T | undefined =>
  path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o) as T | undefined;

const NAME = col('Name', 'the object name', 0, 'name');
const AGE = col('Age', 'time since creation');
const CONTAINERS = col('Containers', 'container names', 1);
const IMAGES = col('Images', 'container images', 1);
const SELECTOR = col('Selector', 'the label selector of its pods', 1);

type Container = { name: string; image: string };
const templateContainers = (o: KubeObject) => field<Container[]>(o, 'spec', 'template', 'spec', 'containers') ?? [];
const num = (o: KubeObject, ...path: string[]) => field<number>(o, ...path) ?? 0;
const selectorText = (o: KubeObject) =>
  Object.entries(field<Record<string, string>>(o, 'spec', 'selector', 'matchLabels') ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
const containersAndImages = (o: KubeObject) => [
  templateContainers(o)
    .map((c) => c.name)
    .join(','),
  templateContainers(o)
    .map((c) => c.image)
    .join(','),
];

const COLUMNS: Record<string, { columns: readonly Column[]; cells: Cells }> = {
  Node: {
    columns: [
      NAME,
      col('Status', 'Ready, NotReady, SchedulingDisabled'),
      col('Roles', 'node roles'),
      AGE,
      col('Version', 'kubelet version'),
      col('Internal-IP', 'internal address', 1),
      col('External-IP', 'external address', 1),
      col('OS-Image', 'the node profile', 1),
      col('Kernel-Version', 'kernel version', 1),
      col('Container-Runtime', 'container runtime', 1),
    ],
    cells: (o, now) => {
      const ready = field<{ status: string }[]>(o, 'status', 'conditions')?.[0]?.status === 'True' ? 'Ready' : 'NotReady';
      return [
        o.metadata.name,
        field<boolean>(o, 'spec', 'unschedulable') ? `${ready},SchedulingDisabled` : ready,
        '<none>',
        ageOf(o, now),
        field<string>(o, 'status', 'nodeInfo', 'kubeletVersion') ?? '',
        '<none>',
        '<none>',
        field<string>(o, 'status', 'nodeInfo', 'osImage') ?? '',
        field<string>(o, 'status', 'nodeInfo', 'kernelVersion') ?? '',
        field<string>(o, 'status', 'nodeInfo', 'containerRuntimeVersion') ?? '',
      ];
    },
  },
  Namespace: {
    columns: [NAME, col('Status', 'the namespace phase'), AGE],
    cells: (o, now) => [o.metadata.name, field<string>(o, 'status', 'phase') ?? '', ageOf(o, now)],
  },
  Pod: {
    columns: [
      NAME,
      col('Ready', 'ready containers of all'),
      col('Status', 'the pod phase'),
      { ...col('Restarts', 'container restarts'), type: 'integer' },
      AGE,
      col('IP', "the pod's first IP", 1),
      col('Node', 'the node it runs on', 1),
      col('Nominated Node', 'the node nominated by preemption', 1),
      col('Readiness Gates', 'readiness gates', 1),
    ],
    cells: (o, now) => {
      const phase = field<string>(o, 'status', 'phase') ?? '';
      return [
        o.metadata.name,
        phase === 'Running' ? '1/1' : '0/1',
        phase,
        '0',
        ageOf(o, now),
        field<string>(o, 'status', 'podIP') ?? '<none>',
        field<string>(o, 'spec', 'nodeName') ?? '<none>',
        '<none>',
        '<none>',
      ];
    },
  },
};

const sinceOf = (iso: string | undefined, now: Date) => (iso ? humanDuration(now.getTime() - Date.parse(iso)) : '<unknown>');

const WORKLOAD_COLUMNS: Record<string, { columns: readonly Column[]; cells: Cells }> = {
  Deployment: {
    columns: [
      NAME,
      col('Ready', 'ready replicas of desired'),
      { ...col('Up-to-date', 'replicas of the current template'), type: 'integer' },
      { ...col('Available', 'available replicas'), type: 'integer' },
      AGE,
      CONTAINERS,
      IMAGES,
      SELECTOR,
    ],
    cells: (o, now) => [
      o.metadata.name,
      `${num(o, 'status', 'readyReplicas')}/${num(o, 'spec', 'replicas')}`,
      String(num(o, 'status', 'updatedReplicas')),
      String(num(o, 'status', 'availableReplicas')),
      ageOf(o, now),
      ...containersAndImages(o),
      selectorText(o),
    ],
  },
  StatefulSet: {
    columns: [NAME, col('Ready', 'ready replicas of desired'), AGE, CONTAINERS, IMAGES],
    cells: (o, now) => [
      o.metadata.name,
      `${num(o, 'status', 'readyReplicas')}/${num(o, 'spec', 'replicas')}`,
      ageOf(o, now),
      ...containersAndImages(o),
    ],
  },
  ReplicaSet: {
    columns: [
      NAME,
      { ...col('Desired', 'desired replicas'), type: 'integer' },
      { ...col('Current', 'current replicas'), type: 'integer' },
      { ...col('Ready', 'ready replicas'), type: 'integer' },
      AGE,
      CONTAINERS,
      IMAGES,
      SELECTOR,
    ],
    cells: (o, now) => [
      o.metadata.name,
      String(num(o, 'spec', 'replicas')),
      String(num(o, 'status', 'replicas')),
      String(num(o, 'status', 'readyReplicas')),
      ageOf(o, now),
      ...containersAndImages(o),
      selectorText(o),
    ],
  },
  PersistentVolumeClaim: {
    columns: [
      NAME,
      col('Status', 'the claim phase'),
      col('Volume', 'the bound volume'),
      col('Capacity', 'the volume size'),
      col('Access Modes', 'access modes'),
      col('StorageClass', 'the storage class: the Anvil perf tier'),
      col('VolumeAttributesClass', 'volume attributes class'),
      AGE,
      col('VolumeMode', 'Block or Filesystem', 1),
    ],
    cells: (o, now) => [
      o.metadata.name,
      field<string>(o, 'status', 'phase') ?? '',
      field<string>(o, 'spec', 'volumeName') ?? '',
      field<string>(o, 'status', 'capacity', 'storage') ?? '',
      'RWO',
      field<string>(o, 'spec', 'storageClassName') ?? '<unset>',
      '<unset>',
      ageOf(o, now),
      field<string>(o, 'spec', 'volumeMode') ?? '',
    ],
  },
  Event: {
    columns: [
      col('Last Seen', 'time since the event was last seen'),
      col('Type', 'Normal or Warning'),
      col('Reason', 'why'),
      col('Object', 'the object it is about'),
      col('Message', 'what happened'),
      col('Source', 'who reported it', 1),
      col('Subobject', 'the part of the object', 1),
      col('First Seen', 'time since the event was first seen', 1),
      { ...col('Count', 'how many times', 1), type: 'integer' },
      { ...NAME, priority: 1 },
    ],
    cells: (o, now) => [
      sinceOf(field<string>(o, 'lastTimestamp'), now),
      field<string>(o, 'type') ?? '',
      field<string>(o, 'reason') ?? '',
      `${(field<string>(o, 'involvedObject', 'kind') ?? '').toLowerCase()}/${field<string>(o, 'involvedObject', 'name') ?? ''}`,
      field<string>(o, 'message') ?? '',
      field<string>(o, 'source', 'component') ?? '',
      '',
      sinceOf(field<string>(o, 'firstTimestamp'), now),
      String(num(o, 'count')),
      o.metadata.name,
    ],
  },
};

/** What rows embed: `includeObject` as kubectl sends it (Metadata by default, Object for `--sort-by`). */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** A Table of `objects` (all of one kind); `kind` names the columns when the list is empty. */
export function tableOf(kind: string, objects: readonly KubeObject[], resourceVersion: string, now: Date, include: IncludeObject) {
  const spec = COLUMNS[kind] ?? WORKLOAD_COLUMNS[kind]!;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: spec.columns,
    rows: objects.map((o) => ({
      cells: spec.cells(o, now),
      ...(include === 'None'
        ? {}
        : {
            object: include === 'Object' ? o : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
          }),
    })),
  };
}

/** kubectl's age format (apimachinery's duration.HumanDuration): 45s, 3m20s, 5h12m, 3d4h, 2y10d. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}

/**
 * Kubernetes API discovery: the resources the facade declares (with the short names kubectl resolves
 * `po`, `no`, `deploy` by, and the `all` category), as legacy JSON (APIVersions, APIGroupList,
 * APIResourceList) or, only when the client's Accept asks for apidiscovery.k8s.io v2, as the aggregated
 * APIGroupDiscoveryList (a v2beta1-only client, kubectl 1.27-1.29, would fail on v2).
 */
import { KUBE_VERSION } from './objects.js';
import { WRITABLE } from './write-status.js';
import { SCALABLE_KINDS, SCALE_KIND, SCALE_VERBS } from './scale.js';

interface Resource {
  readonly name: string;
  readonly singularName: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly categories?: readonly string[];
}

// Every resource is read through read-routes.ts: list, get and watch.
const READ_VERBS = ['get', 'list', 'watch'] as const;
/** The verbs of a resource: the reads, and create, patch and delete where the facade writes it (writes-plugin.ts). */
const verbsOf = (resource: string): string[] =>
  WRITABLE.some((w) => w.resource === resource) ? ['create', 'delete', 'get', 'list', 'patch', 'watch'] : [...READ_VERBS];

export const CORE_RESOURCES: readonly Resource[] = [
  { name: 'namespaces', singularName: 'namespace', kind: 'Namespace', namespaced: false, shortNames: ['ns'] },
  { name: 'nodes', singularName: 'node', kind: 'Node', namespaced: false, shortNames: ['no'] },
  { name: 'pods', singularName: 'pod', kind: 'Pod', namespaced: true, shortNames: ['po'], categories: ['all'] },
  { name: 'events', singularName: 'event', kind: 'Event', namespaced: true, shortNames: ['ev'] },
  {
    name: 'persistentvolumeclaims',
    singularName: 'persistentvolumeclaim',
    kind: 'PersistentVolumeClaim',
    namespaced: true,
    shortNames: ['pvc'],
  },
];

export const APPS_RESOURCES: readonly Resource[] = [
  { name: 'deployments', singularName: 'deployment', kind: 'Deployment', namespaced: true, shortNames: ['deploy'], categories: ['all'] },
  { name: 'statefulsets', singularName: 'statefulset', kind: 'StatefulSet', namespaced: true, shortNames: ['sts'], categories: ['all'] },
  { name: 'replicasets', singularName: 'replicaset', kind: 'ReplicaSet', namespaced: true, shortNames: ['rs'], categories: ['all'] },
];

export function versionInfo() {
  return {
    ...KUBE_VERSION,
    gitCommit: '',
    gitTreeState: 'clean',
    buildDate: '',
    goVersion: '',
    compiler: 'anvil',
    platform: `${process.platform}/${process.arch}`,
  };
}

/** `GET /api` (legacy); `host` is the address the client reached (for serverAddressByClientCIDRs). */
export function apiVersions(host: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: host }] };
}

/** `GET /apis` (legacy). */
export function apiGroupList() {
  const v1 = { groupVersion: 'apps/v1', version: 'v1' };
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [{ name: 'apps', versions: [v1], preferredVersion: v1 }] };
}

/** `GET /api/v1` or `/apis/apps/v1`. */
export function apiResourceList(groupVersion: 'v1' | 'apps/v1') {
  const resources = groupVersion === 'v1' ? CORE_RESOURCES : APPS_RESOURCES;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: resources.flatMap((r) => [
      {
        name: r.name,
        singularName: r.singularName,
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: verbsOf(r.name),
        shortNames: [...r.shortNames],
        ...(r.categories ? { categories: [...r.categories] } : {}),
      },
      // A subresource is listed as RESOURCE/SUB with the group and version of its own kind.
      ...(SCALABLE_KINDS.includes(r.kind)
        ? [{ name: `${r.name}/scale`, singularName: '', namespaced: r.namespaced, ...SCALE_KIND, verbs: [...SCALE_VERBS] }]
        : []),
    ]),
  };
}

/** The Content-Type of an aggregated discovery answer (exactly as kubectl asks for it). */
export const AGGREGATED_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** `GET /api` (group "") or `/apis` (group "apps") in the aggregated v2 form. */
export function aggregatedDiscovery(group: '' | 'apps') {
  const resources = group === '' ? CORE_RESOURCES : APPS_RESOURCES;
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: [
      {
        metadata: { name: group },
        versions: [
          {
            version: 'v1',
            freshness: 'Current',
            resources: resources.map((r) => ({
              resource: r.name,
              responseKind: { group, version: 'v1', kind: r.kind },
              scope: r.namespaced ? 'Namespaced' : 'Cluster',
              singularResource: r.singularName,
              verbs: verbsOf(r.name),
              shortNames: [...r.shortNames],
              ...(r.categories ? { categories: [...r.categories] } : {}),
              ...(SCALABLE_KINDS.includes(r.kind)
                ? {
                    subresources: [{ subresource: 'scale', responseKind: { ...SCALE_KIND }, verbs: [...SCALE_VERBS] }],
                  }
                : {}),
            })),
          },
        ],
      },
    ],
  };
}

/** One media range of an Accept header: its type and parameters (`as`, `g`, `v`), lower-cased keys. */
interface MediaRange {
  readonly type: string;
  readonly params: ReadonlyMap<string, string>;
}

/** Parses an Accept header by its parameters (not by substring: `v=v2beta1` is not `v=v2`). */
export function acceptedRanges(accept: string | undefined): MediaRange[] {
  return (accept ?? '').split(',').map((part) => {
    const [type = '', ...params] = part.split(';').map((s) => s.trim());
    return {
      type: type.toLowerCase(),
      params: new Map(
        params.map((p) => {
          const eq = p.indexOf('=');
          return [p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim()] as const;
        }),
      ),
    };
  });
}

const asks = (accept: string | undefined, as: string, g: string, versions: readonly string[]) =>
  acceptedRanges(accept).some((r) => r.params.get('as') === as && r.params.get('g') === g && versions.includes(r.params.get('v') ?? ''));

/** Whether the client takes aggregated discovery v2. */
export const wantsAggregatedV2 = (accept: string | undefined) => asks(accept, 'APIGroupDiscoveryList', 'apidiscovery.k8s.io', ['v2']);

/** Whether the client asks for a meta.k8s.io Table (`kubectl get` does). */
export const wantsTable = (accept: string | undefined) => asks(accept, 'Table', 'meta.k8s.io', ['v1', 'v1beta1']);

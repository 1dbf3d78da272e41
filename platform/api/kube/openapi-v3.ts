/**
 * The OpenAPI v3 documents kubectl (1.29 and later) reads before create and apply: `/openapi/v3` lists
 * one document per group-version, each at a URL with a hash of its content (kubectl caches by URL). A
 * group-version's document has one operation per verb and resource, carrying the
 * `x-kubernetes-group-version-kind` and, on PATCH, the `fieldValidation` query parameter: from those
 * kubectl knows the server validates fields itself (`fieldValidation=Strict`) and needs no schema of its
 * own, so no `--validate=false` is needed. Schemas are not served (kubectl explain is out of scope).
 */
import { createHash } from 'node:crypto';
import { WRITABLE } from './write-status.js';

type GroupVersion = 'api/v1' | 'apis/apps/v1' | 'apis/storage.k8s.io/v1';

/**
 * Kinds Anvil does not serve but real manifests carry beside those it does (a guestbook's Services, a
 * StatefulSet's StorageClass): named here so that kubectl's validation of their file passes and the
 * file's other objects go in; kubectl then reports each of these as a kind the server does not have
 * (`no matches for kind "Service"`), as `anvil apply` reports them as not modelled.
 */
interface DocumentedKind {
  readonly group: string;
  readonly kind: string;
  readonly resource: string;
  readonly namespaced: boolean;
}
const UNSERVED: readonly DocumentedKind[] = [
  { group: '', kind: 'Service', resource: 'services', namespaced: true },
  { group: '', kind: 'ConfigMap', resource: 'configmaps', namespaced: true },
  { group: '', kind: 'Secret', resource: 'secrets', namespaced: true },
  { group: '', kind: 'ServiceAccount', resource: 'serviceaccounts', namespaced: true },
  { group: 'storage.k8s.io', kind: 'StorageClass', resource: 'storageclasses', namespaced: false },
];

const QUERY = (name: string, description: string) => ({ name, in: 'query', description, schema: { type: 'string', uniqueItems: true } });
const WRITE_PARAMETERS = [
  QUERY('dryRun', 'All: check and answer the change without keeping it'),
  QUERY('fieldManager', 'who makes the change (server-side apply keeps what each manager applied)'),
  QUERY('fieldValidation', 'Strict refuses unknown fields, Warn answers them as warnings, Ignore drops nothing'),
];

function operations(r: DocumentedKind) {
  const gvk = { group: r.group, version: 'v1', kind: r.kind };
  const op = (action: string, id: string, parameters: unknown[]) => ({
    operationId: id,
    tags: [`${r.group || 'core'}_v1`],
    parameters,
    responses: { '200': { description: 'OK' } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
  });
  const prefix = r.group ? `/apis/${r.group}/v1` : '/api/v1';
  const collection = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.resource}` : `${prefix}/${r.resource}`;
  const id = `${r.group ? r.group.split('.')[0] : 'core'}V1${r.namespaced ? 'Namespaced' : ''}${r.kind}`;
  return {
    [collection]: {
      get: op('list', `list${id}`, []),
      post: op('post', `create${id}`, WRITE_PARAMETERS),
    },
    [`${collection}/{name}`]: {
      get: op('get', `read${id}`, []),
      patch: op('patch', `patch${id}`, [
        ...WRITE_PARAMETERS,
        QUERY('force', 'server-side apply: take fields of other managers (taken and ignored)'),
      ]),
      delete: op('delete', `delete${id}`, [QUERY('dryRun', 'All: check without deleting')]),
    },
  };
}

/** The document of one group-version. */
export function groupVersionDocument(gv: GroupVersion) {
  const group = gv === 'api/v1' ? '' : gv.split('/')[1]!;
  const kinds: DocumentedKind[] = [...WRITABLE, ...UNSERVED].filter((r) => r.group === group);
  const paths = Object.assign({}, ...kinds.map(operations)) as Record<string, unknown>;
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes (Anvil facade)', version: 'v1.32.0-anvil' },
    paths,
    components: { schemas: {} },
  };
}

const HASHES = new Map<GroupVersion, string>(
  (['api/v1', 'apis/apps/v1', 'apis/storage.k8s.io/v1'] as const).map((gv) => [
    gv,
    createHash('sha256')
      .update(JSON.stringify(groupVersionDocument(gv)))
      .digest('hex')
      .slice(0, 32)
      .toUpperCase(),
  ]),
);

/** `GET /openapi/v3`: where each group-version's document is. */
export function openApiV3Index() {
  return {
    paths: Object.fromEntries([...HASHES].map(([gv, hash]) => [gv, { serverRelativeURL: `/openapi/v3/${gv}?hash=${hash}` }])),
  };
}

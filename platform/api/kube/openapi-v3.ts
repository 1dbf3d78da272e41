/**
 * The OpenAPI v3 documents kubectl (1.29 and later) reads before create and apply: `/openapi/v3` lists
 * one document per group-version, each at a URL with a hash of its content (kubectl caches by URL). A
 * group-version's document has one operation per verb and resource, carrying the
 * `x-kubernetes-group-version-kind` and, on PATCH, the `fieldValidation` query parameter: from those
 * kubectl knows the server validates fields itself (`fieldValidation=Strict`) and needs no schema of its
 * own, so no `--validate=false` is needed. Schemas are not served (kubectl explain is out of scope).
 */
import { createHash } from 'node:crypto';
import { WRITABLE, type WritableResource } from './write-status.js';

type GroupVersion = 'api/v1' | 'apis/apps/v1';

const QUERY = (name: string, description: string) => ({ name, in: 'query', description, schema: { type: 'string', uniqueItems: true } });
const WRITE_PARAMETERS = [
  QUERY('dryRun', 'All: check and answer the change without keeping it'),
  QUERY('fieldManager', 'who makes the change (server-side apply keeps what each manager applied)'),
  QUERY('fieldValidation', 'Strict refuses unknown fields, Warn answers them as warnings, Ignore drops nothing'),
];

function operations(r: WritableResource) {
  const gvk = { group: r.group, version: 'v1', kind: r.kind };
  const op = (action: string, id: string, parameters: unknown[]) => ({
    operationId: id,
    tags: [r.group ? 'apps_v1' : 'core_v1'],
    parameters,
    responses: { '200': { description: 'OK' } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
  });
  const prefix = r.group ? '/apis/apps/v1' : '/api/v1';
  const collection = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.resource}` : `${prefix}/${r.resource}`;
  const id = `${r.group ? 'AppsV1' : 'CoreV1'}${r.namespaced ? 'Namespaced' : ''}${r.kind}`;
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
  const group = gv === 'api/v1' ? '' : 'apps';
  const paths = Object.assign({}, ...WRITABLE.filter((r) => r.group === group).map(operations)) as Record<string, unknown>;
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes (Anvil facade)', version: 'v1.32.0-anvil' },
    paths,
    components: { schemas: {} },
  };
}

const HASHES = new Map<GroupVersion, string>(
  (['api/v1', 'apis/apps/v1'] as const).map((gv) => [
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

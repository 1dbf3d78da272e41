/**
 * JSON schemas (typebox) the routes share: the error body, names, the responses every route declares, and
 * the OpenAPI document's own parts (info, servers, tags). The objects' schemas are in object-schemas.ts.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { withRequired } from './object-schemas.js';
import type { NumericRange } from '../domain/limits.js';
import { NamespaceName, ObjectName } from '../domain/names.js';

/** Every error the API returns: a catalogue code, what to do, and further problems when there are several. */
export const ErrorBody = Type.Object(
  {
    code: Type.String({ description: 'a code from the catalogue (docs/reference/errors.md)' }),
    message: Type.String(),
    details: Type.Optional(Type.Array(Type.String())),
  },
  { $id: 'ErrorBody', description: 'a coded error' },
);

// Names and labels are the domain's own schemas (names.ts), so the API refuses what the domain and CLI refuse.
export { labels, NamespaceName, ObjectName } from '../domain/names.js';

const objectName = (what: string) => Type.String({ ...ObjectName, description: `${what}: ${ObjectName.description}` });
const namespaceName = Type.String({ ...NamespaceName, description: `the namespace (tenant), ${NamespaceName.description}` });
export const NameParams = Type.Object({ name: objectName("the object's name") });
export const NamespaceParams = Type.Object({ namespace: namespaceName });
export const NamespacedNameParams = Type.Object({ namespace: namespaceName, name: objectName("the object's name") });
/** The query of a route that takes none: anything sent is named and refused rather than ignored. */
/**
 * A `?limit=` as a decimal string 1..max (a query string is text); the range's maximum is all nines so one
 * pattern says it exactly. Described as "at most this many`what` (1-max)`after`".
 */
export function limitParam(range: NumericRange, what: string, after = '') {
  const digits = String(range.max).length;
  if (range.min !== 1 || range.max !== 10 ** digits - 1) throw new Error(`limitParam: ${range.max} is not all nines`);
  return Type.Optional(
    Type.String({ pattern: `^[1-9][0-9]{0,${digits - 1}}$`, description: `at most this many${what} (1-${range.max})${after}` }),
  );
}

export const NoQuery = Type.Object({}, { additionalProperties: false });

export const Message = Type.Object(
  { message: Type.String({ description: 'what was done, as the CLI prints it' }) },
  { description: 'what was done' },
);

/** The responses of a route: `ok` on success, the coded error body otherwise. */
export function responses(ok: TSchema, status = 200): Record<string, TSchema> {
  return { [status]: ok, '4xx': Type.Ref('ErrorBody'), '5xx': Type.Ref('ErrorBody') };
}

export const bearer = [{ bearer: [] as string[] }];

/** The OpenAPI document's info, servers and tags (every tag an operation names is listed with what it holds). */
const OPENAPI_DOCUMENT = {
  openapi: '3.0.3',
  info: {
    title: 'Anvil control plane API',
    version: '1',
    description:
      'The control plane of an Anvil appliance: cluster and nodes, networks, perf tiers, volumes and snapshots, pods and their endpoints, tenants, users and tokens, quotas, events and the audit log; and the Kubernetes scheduler extender. Every route under /apis/anvil.dev/v1 takes a bearer token; /version, /api and /apis serve the Kubernetes facade for kubectl; errors carry a code from the catalogue (docs/reference/errors.md).',
    license: { name: 'MIT', url: 'https://spdx.org/licenses/MIT.html' },
  },
  // Relative: the server that serves this document (anvil serve binds where it is told).
  servers: [{ url: '/', description: 'the anvil serve that serves this document' }],
  tags: [
    // alphabetical, as Spectral's openapi-tags-alphabetical asks
    { name: 'cluster', description: 'the cluster, its nodes, and what they and the networks have used of what they have' },
    { name: 'events', description: 'what the cluster did, and who changed what' },
    {
      name: 'kubernetes',
      description:
        'the Kubernetes facade kubectl reads: /version, discovery, core/v1 nodes, namespaces and pods; errors are Kubernetes Status objects',
    },
    { name: 'networks', description: 'L2 networks pods take addresses from' },
    { name: 'perf-tiers', description: 'perf tiers (QoS classes): guaranteed IOPS and bandwidth' },
    { name: 'pods', description: 'pods, their endpoints, the workloads that made them, and manifests' },
    {
      name: 'reports',
      description:
        'the TCO, comparison and validation reports of the reports folder (anvil serve --reports, else --runs): their list and their files',
    },
    { name: 'runs', description: 'the model and hardware runs of the runs folder (anvil serve --runs): their list and figures over time' },
    {
      name: 'scheduler extender',
      description: 'kube-scheduler extender verbs (extender/v1 JSON); loopback or client-certificate callers only',
    },
    { name: 'system', description: 'liveness, readiness, metrics and this document' },
    { name: 'tenancy', description: 'namespaces (tenants), users, roles, tokens and quotas' },
    { name: 'volumes', description: 'mirrored volumes and their snapshots' },
  ],
  components: {
    securitySchemes: {
      bearer: {
        type: 'http' as const,
        scheme: 'bearer',
        description: 'a token from anvil token create or POST /apis/anvil.dev/v1/users/{name}/tokens',
      },
    },
  },
};

/** @fastify/swagger's options: the document above, and the answers' required fields put back (object-schemas.ts). */
export const SWAGGER_OPTIONS = {
  openapi: OPENAPI_DOCUMENT,
  transformObject: (d: { openapiObject?: unknown; swaggerObject?: unknown }) =>
    withRequired(d.openapiObject ?? d.swaggerObject) as Record<string, unknown>,
};

/**
 * Kubernetes Status objects: every facade error is one, so kubectl prints its own messages
 * (`Error from server (NotFound): pods "x" not found`, `You must be logged in to the server (Unauthorized)`).
 * Anvil's coded errors keep their code in the Status's `details.causes`, so nothing of the catalogue is lost.
 */
import { Type } from '@sinclair/typebox';
import { isAnvilError } from '../../errors.js';

/** The HTTP status a Status reason stands for (meta/v1 StatusReason). */
const REASONS: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'AlreadyExists',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: string;
  details?: { name?: string; kind?: string; causes?: { reason: string; message: string }[] };
  code: number;
}

export function statusOf(code: number, message: string, details?: KubeStatus['details']): KubeStatus {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: REASONS[code] ?? (code >= 500 ? 'InternalError' : 'BadRequest'),
    ...(details ? { details } : {}),
    code,
  };
}

/**
 * `pods "x" not found` (`deployments.apps "x" not found` in a named group), as the apiserver words it;
 * `resource` is the plural (details.kind).
 */
export const notFoundStatus = (resource: string, name: string, group = ''): KubeStatus =>
  statusOf(404, `${resource}${group ? `.${group}` : ''} "${name}" not found`, { name, ...(group ? { group } : {}), kind: resource });

/** Any error a facade route throws, as a Status (Anvil's coded errors keep their code as a cause). */
export function statusOfError(err: unknown): KubeStatus {
  if (isAnvilError(err)) return statusOf(err.status, err.message, { causes: [{ reason: err.code, message: err.message }] });
  const fe = err as { statusCode?: number; message?: string; validation?: unknown };
  if (fe.statusCode !== undefined && fe.statusCode >= 400 && fe.statusCode < 500)
    return statusOf(fe.statusCode, fe.message ?? 'bad request');
  return statusOf(500, `internal error (${fe.message ?? 'unknown'}); this is a bug, please report it with the server log`);
}

/** The Status schema, for the routes' 4xx/5xx answers. */
export const StatusSchema = Type.Object(
  {
    kind: Type.Literal('Status'),
    apiVersion: Type.Literal('v1'),
    metadata: Type.Object({}),
    status: Type.Literal('Failure'),
    message: Type.String(),
    reason: Type.String({ description: 'a meta/v1 StatusReason: NotFound, Unauthorized, Forbidden, BadRequest' }),
    details: Type.Optional(
      Type.Object(
        {
          name: Type.Optional(Type.String()),
          kind: Type.Optional(Type.String({ description: 'the plural resource' })),
          causes: Type.Optional(
            Type.Array(Type.Object({ reason: Type.String({ description: 'an Anvil catalogue code' }), message: Type.String() })),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    code: Type.Integer({ description: 'the HTTP status' }),
  },
  { description: 'a Kubernetes Status: every error of the Kubernetes facade', additionalProperties: false },
);

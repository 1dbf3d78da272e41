/** JSON schemas (typebox) the routes share: the error body, names, and the responses every route declares. */
import { Type, type TSchema } from '@sinclair/typebox';

/** Every error the API returns: a catalogue code, what to do, and further problems when there are several. */
export const ErrorBody = Type.Object(
  { code: Type.String({ description: 'a code from the catalogue (platform/errors.md)' }), message: Type.String(), details: Type.Optional(Type.Array(Type.String())) },
  { $id: 'ErrorBody', description: 'a coded error' },
);

/** As the domain's requireName: a DNS-1123 subdomain, up to 253 characters. */
export const ObjectName = Type.String({ pattern: '^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$', maxLength: 253, description: 'a DNS-1123 name (subdomain: a-z, 0-9, - and ., up to 253 characters)' });
/** As the domain's requireNamespace: a DNS-1123 label, up to 63 characters, no dots. */
export const NamespaceName = Type.String({ pattern: '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$', description: 'a namespace: a DNS-1123 label (a-z, 0-9 and -, up to 63 characters)' });

export const NameParams = Type.Object({ name: ObjectName });
export const NamespaceParams = Type.Object({ namespace: NamespaceName });
export const NamespacedNameParams = Type.Object({ namespace: NamespaceName, name: ObjectName });
/** The query of a route that takes none: anything sent is named and refused rather than ignored. */
export const NoQuery = Type.Object({}, { additionalProperties: false });

/**
 * Node labels as `--label`/`--selector k=v` take them (the CLI's own key and value rules). A key outside
 * the pattern is refused: typebox leaves `additionalProperties` open on a pattern record unless told.
 */
export function labels(description: string) {
  return Type.Record(Type.String({ pattern: '^[A-Za-z0-9./_-]+$' }), Type.String({ pattern: '^[A-Za-z0-9._-]*$' }), { maxProperties: 64, additionalProperties: false, description });
}

/**
 * A pod's status: running on a node with its endpoints and reservations, or pending with the scheduler's
 * summary and each node's reason.
 */
export const PodStatus = Type.Union([
  Type.Object({
    state: Type.Literal('running'),
    node: Type.String(),
    endpoints: Type.Array(Type.Object({
      network: Type.String(), perf_tier: Type.String(), port: Type.String(), vf: Type.Integer(), mac: Type.String(), ip: Type.String(), static: Type.Boolean(),
      endpoint: Type.Optional(Type.String({ description: 'the persistent endpoint bound, if any' })),
    }, { description: 'a bound pod interface' })),
    reserved_iops: Type.Number({ description: 'IOPS reserved on the node' }),
    reserved_bandwidth_bits_per_s: Type.Number({ description: 'bandwidth reserved on the node, bit/s' }),
  }),
  Type.Object({
    state: Type.Literal('pending'),
    failure: Type.Object({ summary: Type.String(), nodes: Type.Array(Type.Object({ node: Type.String(), reason: Type.String() })) }),
  }),
], { description: "a pod's status; for a pending pod every node's reason, worked out afresh" });

/** A control-plane object as stored: its `kind` and `name`, and the fields of its kind. */
// Fields are not listed so that the serializer keeps each object's own key order (the CLI prints it as is).
export const AnyObject = Type.Object({}, { additionalProperties: true, description: 'a control-plane object: kind, name and the fields of its kind' });
export const ObjectList = Type.Array(AnyObject);
export const Message = Type.Object({ message: Type.String() });

/** The responses of a route: `ok` on success, the coded error body otherwise. */
export function responses(ok: TSchema, status = 200): Record<string, TSchema> {
  return { [status]: ok, '4xx': Type.Ref('ErrorBody'), '5xx': Type.Ref('ErrorBody') };
}

export const bearer = [{ bearer: [] as string[] }];

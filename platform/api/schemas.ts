/** JSON schemas (typebox) the routes share: the error body, names, and the responses every route declares. */
import { Type, type TSchema } from '@sinclair/typebox';

/** Every error the API returns: a catalogue code, what to do, and further problems when there are several. */
export const ErrorBody = Type.Object(
  { code: Type.String({ description: 'a code from the catalogue (platform/errors.md)' }), message: Type.String(), details: Type.Optional(Type.Array(Type.String())) },
  { $id: 'ErrorBody', description: 'a coded error' },
);

export const ObjectName = Type.String({ pattern: '^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$', description: 'a DNS-1123 name' });

export const NameParams = Type.Object({ name: ObjectName });
export const NamespaceParams = Type.Object({ namespace: ObjectName });
export const NamespacedNameParams = Type.Object({ namespace: ObjectName, name: ObjectName });

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
